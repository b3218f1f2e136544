"""The quarterly headline report as downloads: an Excel workbook with a sheet per section,
and one CSV holding every section's lines.

The figure sections (findings, moderation, actions) are Lines (audit_app/reports/lines.py):
exact fractions in percent formats in Excel, percent rounded to one place in the CSV. Audit
activity, learning and training, and the action plan have sheets of their own columns; in
the CSV they become lines too, so that one file holds the whole report.
"""

from audit_app.downloads import DAY, PERCENT, WHOLE, Column, Sheet
from audit_app.measures.figures import Figure
from audit_app.reports import lines
from audit_app.reports.lines import Line, count_line, figure_line, result_line
from audit_app.reports.services import report_lines
from audit_app.templating import format_date

CSV_COLUMNS = ["Report section", *lines.COLUMNS]

ACTIVITY, FINDINGS, MODERATION, ACTIONS, LEARNING, PLAN, PLAN_ACTIONS = (
    "Audit activity", "Findings", "Moderation", "Actions", "Learning and training",
    "Action plan", "Action plan actions")

ACTIVITY_COLUMNS = [
    Column("Breakdown"), Column("Name"), Column("Due in the quarter", WHOLE),
    Column("Done", WHOLE), Column("Done, of those due", PERCENT),
    Column("Done by the due date", WHOLE), Column("Done by the due date, of those due", PERCENT),
    Column("Submitted in the quarter", WHOLE)]
LEARNING_COLUMNS = [
    Column("Date given", DAY), Column("Audit theme"), Column("What kind"),
    Column("What was given"), Column("Audience"), Column("Link"), Column("Notes")]
PLAN_COLUMNS = [
    Column("Recommendation", WHOLE), Column("Outcome measure"), Column("Figure from"),
    Column("Baseline", PERCENT), Column("Baseline in words"), Column("Baseline date", DAY),
    Column("Target in force", PERCENT), Column("Next target", PERCENT),
    Column("Next target from", DAY), Column("Position", PERCENT), Column("Numerator", WHOLE),
    Column("Denominator", WHOLE), Column("95% CI low", PERCENT), Column("95% CI high", PERCENT),
    Column("Position in words"), Column("Progress relative to targets")]
PLAN_ACTION_COLUMNS = [
    Column("Ref"), Column("Recommendation", WHOLE), Column("What we will do"),
    Column("Lead person"), Column("Timescale"), Column("Status"),
    Column("Latest update", DAY), Column("Progress to date")]
BREAKDOWNS = (("All audits", "total"), ("Template", "by_template"), ("Team", "by_team"))


# -- Audit activity ---------------------------------------------------------------------------

def _activity_groups(activity):
    """(breakdown, ActivityRow) for the whole council, each template and each team."""
    for breakdown, attribute in BREAKDOWNS:
        found = getattr(activity, attribute)
        for row in ([found] if breakdown == "All audits" else found):
            yield breakdown, row


def activity_rows(activity):
    return [[breakdown, row.name, row.due, row.done, row.done_figure.value, row.done_by_due,
             row.done_by_due_figure.value, row.submitted]
            for breakdown, row in _activity_groups(activity)]


def activity_lines(activity):
    found = []
    for breakdown, row in _activity_groups(activity):
        section = breakdown if breakdown == "All audits" else f"{breakdown}: {row.name}"
        found += [
            figure_line(section, "Done, of the audits due in the quarter", row.done_figure),
            figure_line(section, "Done by the due date, of the audits due in the quarter",
                        row.done_by_due_figure),
            count_line(section, "Submitted in the quarter", row.submitted)]
    return found


# -- Findings, moderation, actions ------------------------------------------------------------

def findings_lines(findings):
    found = [result_line("Headline figures", r.measure.title, r) for r in findings.headline]
    found += [result_line(f"By quarter: {results[-1].measure.title}", r.period.label, r)
              for results in findings.trends.values() for r in results]
    grades = findings.grades
    for kind, words in (("audited", "as the auditors judged them"),
                        ("final", "after moderation")):
        found += [figure_line(f"Overall judgements, {words}", share.label,
                              getattr(share, kind)) for share in grades.grades]
    if grades.note:
        found.append(Line("Overall judgements", "Note", note=grades.note))
    marks = {shown.measure.key: words for shown, words in (
        (findings.strongest, "Strongest domain"), (findings.weakest, "Weakest domain")) if shown}
    found += [result_line("Graded questions good or better, by domain", r.measure.domain_label,
                          r, marks.get(r.measure.key, "")) for r in findings.domains]
    found += [result_line("Yes/no questions answered yes, by domain", r.measure.domain_label, r)
              for r in findings.compliance]
    return found


def actions_lines(actions, day):
    found = [result_line("Headline figures", r.measure.title, r) for r in actions.headline]
    found += [figure_line("Overdue by team", row.team, row.figure,
                          f"of the actions raised in the quarter, open and overdue on "
                          f"{format_date(day)}") for row in actions.overdue_by_team]
    planned = actions.dip_plan * len(actions.dip_months)
    found += [figure_line("Dip samples done against the plan", row.lead.name,
                          Figure.against_plan(row.done, planned),
                          f"{actions.dip_plan} cases a month") for row in actions.dip_coverage]
    return found


# -- Learning and training, and the action plan -----------------------------------------------

def learning_rows(entries):
    return [[e.given_on, e.theme, e.kind_label, e.title, e.audience, e.link, e.notes]
            for e in entries]


def learning_lines(entries):
    return [Line(e.kind_label, e.title, note="; ".join(filter(None, [
        f"given {format_date(e.given_on)}", f"theme: {e.theme}", f"audience: {e.audience}",
        e.link, e.notes]))) for e in entries]


def plan_rows(plan):
    rows = []
    for shown in plan:
        number = shown.recommendation.number
        for position in shown.measures:
            measure, progress, figure = position.measure, position.progress, position.figure
            entered = position.entered
            counted = figure is not None and figure.denominator
            rows.append([
                number, measure.description, _figure_from(position), measure.baseline_value,
                measure.baseline_text, measure.baseline_on,
                progress.in_force.rate if progress.in_force else None,
                progress.next_target.rate if progress.next_target else None,
                progress.next_target.applies_from if progress.next_target else None,
                _position_value(position), figure.numerator if counted else None,
                figure.denominator if counted else None,
                figure.ci_low if counted else None, figure.ci_high if counted else None,
                entered.note if entered else None, _progress_words(progress)])
    return rows


def _figure_from(position):
    if position.measure.computed:
        return f"Computed from audits, {position.scope_name}"
    return "Entered by hand" + (f": {position.entered.source}" if position.entered else "")


def _position_value(position):
    if position.figure is not None and position.figure.denominator:
        return position.figure.value
    return position.entered.value if position.entered else None


def _progress_words(progress):
    return "; ".join(filter(None, [progress.label, progress.basis_note]))


def plan_action_rows(plan):
    rows = []
    for shown in plan:
        for item in shown.actions:
            latest = item.updates[0] if item.updates else None
            rows.append([item.action.reference, shown.recommendation.number, item.action.text,
                         item.action.lead, item.action.timescale, item.status_label,
                         latest.written_on if latest else None,
                         latest.text if latest else None])
    return rows


def plan_lines(plan):
    found = []
    for shown in plan:
        section = f"Recommendation {shown.recommendation.number}"
        for position in shown.measures:
            figure, progress = position.figure, position.progress
            note = "; ".join(filter(None, [_progress_words(progress), *progress.reasons()]))
            if figure is not None and figure.denominator:
                found.append(figure_line(section, position.measure.description, figure, note))
            else:
                found.append(Line(section, position.measure.description,
                                  estimate=_position_value(position), unit=lines.PCT,
                                  note="; ".join(filter(None, [position.figure_text, note]))))
        for item in shown.actions:
            latest = item.updates[0] if item.updates else None
            found.append(Line(section, f"Action {item.action.reference}: {item.action.text}",
                              note="; ".join(filter(None, [
                                  item.status_label, f"lead: {item.action.lead}",
                                  f"timescale: {item.action.timescale}",
                                  f"latest update {format_date(latest.written_on)}: "
                                  f"{latest.text}" if latest else None]))))
    return found


# -- The files ---------------------------------------------------------------------------------

def _sections(report, day):
    """(sheet title, Lines) of the figure sections."""
    return [(FINDINGS, findings_lines(report.findings)),
            (MODERATION, report_lines(report.moderation, [])),
            (ACTIONS, actions_lines(report.actions, day))]


def workbook_sheets(report, day):
    """The Sheets of the Excel workbook, one per section of the report."""
    figures = [Sheet(title, lines.XLSX_COLUMNS, [line.xlsx_cells() for line in found])
               for title, found in _sections(report, day)]
    return [Sheet(ACTIVITY, ACTIVITY_COLUMNS, activity_rows(report.activity)), *figures,
            Sheet(LEARNING, LEARNING_COLUMNS, learning_rows(report.learning)),
            Sheet(PLAN, PLAN_COLUMNS, plan_rows(report.plan)),
            Sheet(PLAN_ACTIONS, PLAN_ACTION_COLUMNS, plan_action_rows(report.plan))]


def csv_rows(report, day):
    """Every line of every section, each after its section's name."""
    sections = [(ACTIVITY, activity_lines(report.activity)), *_sections(report, day),
                (LEARNING, learning_lines(report.learning)), (PLAN, plan_lines(report.plan))]
    return [[title, *line.csv_cells()] for title, found in sections for line in found]

