"""The action plan's progress report for a quarter as a Word document a council can edit and
circulate, in the reference document's structure (python-docx).

For each recommendation: a heading; a table of the recommendation and what inspectors
found; a table of each outcome measure's baseline and targets; a table of its position in
the quarter and its progress relative to targets; and a table of the actions with their
lead, timescale and progress to date. Then the rule that judges progress. Landscape, Arial,
table header rows repeated on each page. Everything shown comes from plan_position
(audit_app/plan/position.py): nothing is counted here.
"""

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from flask import current_app

from audit_app.measures.figures import percent
from audit_app.models import Target
from audit_app.plan.progress import RULE
from audit_app.templating import format_date

TITLE = "Action plan progress report"
ACTION_HEADINGS = ["Ref", "What we will do to achieve consistently good practice",
                   "Lead person", "Timescale", "Progress to date"]


def _landscape(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width


def _font(document):
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    # East Asian text keeps its own font unless told: say Arial there too.
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Arial")


def _repeat_as_header(row):
    """Word repeats this row at the top of each page the table runs onto."""
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def _write(cell, lines, bold_first=False):
    """Text into a new cell (which has one empty paragraph): a paragraph per line, blank
    lines dropped."""
    lines = [line for line in lines if line and line.strip()]
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        if bold_first and index == 0:
            run.bold = True


def _table(document, headings, rows, columns=None):
    """A grid table, with a bold header row that repeats on each page when it has
    `headings`; rows of cells, each a list of lines (the first of a tuple's in bold)."""
    table = document.add_table(rows=0, cols=len(headings) if headings else columns)
    table.style = document.styles["Table Grid"]
    if headings:
        header = table.add_row()
        for cell, heading in zip(header.cells, headings, strict=True):
            _write(cell, [heading], bold_first=True)
        _repeat_as_header(header)
    for row in rows:
        cells = table.add_row().cells
        for cell, lines in zip(cells, row, strict=True):
            _write(cell, list(lines), bold_first=isinstance(lines, tuple))
    document.add_paragraph()
    return table


def _paragraphs(text):
    return (text or "").split("\n")


def target_words(target):
    """ "90% from 1 September 2022: 90% of assessments ..." (or "From ... (in words)")."""
    text = target.source if isinstance(target, Target) else target.text
    if target.rate is None:
        return f"From {format_date(target.applies_from)} (in words, not judged): {text}"
    return f"{percent(target.rate)} from {format_date(target.applies_from)}: {text}"


def baseline_lines(measure):
    found = [percent(measure.baseline_value)] if measure.baseline_value is not None else []
    return found + _paragraphs(measure.baseline_text) + [f"At {format_date(measure.baseline_on)}"]


def position_lines(position):
    found = [position.figure_text]
    if position.entered is not None:
        found += _paragraphs(position.entered.note) + [f"Source: {position.entered.source}"]
    elif position.measure.computed:
        found.append(f"Computed from audits, {position.scope_name}")
    return found


def progress_lines(progress):
    return [progress.label, progress.basis_note or "", *progress.reasons()]


def action_progress_lines(item):
    if not item.updates:
        return [item.status_label, "No progress update yet."]
    latest = item.updates[0]
    return [item.status_label, f"{format_date(latest.written_on)}:", *_paragraphs(latest.text)]


def _recommendation(document, shown, quarter):
    recommendation = shown.recommendation
    document.add_heading(f"Recommendation {recommendation.number}", level=1)
    _table(document, None, [
        (("Recommendation",), [recommendation.title, f"Source: {recommendation.source}"]),
        (("What inspectors found",), _paragraphs(recommendation.findings)),
    ], columns=2)
    if shown.measures:
        _table(document, ["Outcome measure", "Baseline", "Targets"], [
            ((p.measure.description,), baseline_lines(p.measure),
             [target_words(t) for t in p.targets] or ["No targets set."])
            for p in shown.measures])
        _table(document, [f"Position in {quarter.label} in relation to targets",
                          "Progress relative to targets"], [
            ((p.measure.description, *position_lines(p)), tuple(progress_lines(p.progress)))
            for p in shown.measures])
    else:
        document.add_paragraph("No outcome measures yet.")
    if shown.actions:
        _table(document, ACTION_HEADINGS, [
            ((item.action.reference,), [item.action.text], [item.action.lead],
             [item.action.timescale], action_progress_lines(item))
            for item in shown.actions])
    else:
        document.add_paragraph("No actions yet.")


def document(plan, quarter, day):
    """The Document of `plan` (plan_position's recommendations) in `quarter`, dated `day`."""
    found = Document()
    _landscape(found)
    _font(found)
    found.core_properties.title = f"{TITLE}, {quarter.label}"
    found.add_heading(TITLE, level=0)
    found.add_paragraph(current_app.config["COUNCIL_NAME"])
    found.add_paragraph(f"Position in {quarter.long_label}. Date of progress updates: "
                        f"{format_date(day)}.")
    if not plan:
        found.add_paragraph("The action plan has no recommendations yet.")
    for shown in plan:
        _recommendation(found, shown, quarter)
    found.add_heading("How progress relative to targets is judged", level=1)
    found.add_paragraph("Each outcome measure's figure for the quarter is read against its "
                        "targets on the last day of the quarter:")
    for status, when in RULE:
        paragraph = found.add_paragraph(style="List Bullet")
        paragraph.add_run(f"{status}: ").bold = True
        paragraph.add_run(when[0].upper() + when[1:])
    return found
