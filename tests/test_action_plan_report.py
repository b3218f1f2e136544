"""The action-plan progress report: the whole plan for a reporting quarter in the reference
document's structure, as a printable page and as a Word document (opened here with
python-docx) whose figures are plan_position's, judged by the progress rule.

Data: tests/test_plan_pages.py's recommendation 1 (a measure entered by hand, 56% in Q2
2022-23 against 90%, an action with a progress update), a computed good-or-better measure
on tests/test_measures.py's hand-counted audits (4 of 6), and a recommendation with nothing
under it yet.
"""

import io
from datetime import date

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from audit_app.extensions import db
from audit_app.measures.periods import Quarter
from audit_app.plan import records
from audit_app.plan.position import plan_position
from tests.moderation_factories import make_target
from tests.test_measures import hand_counted, people  # noqa: F401 (a fixture)
from tests.test_plan_pages import (
    ACTION,
    RECOMMENDATION,
    TARGET,
    UPDATE,
    errors,
    plan_records,
)

Q2 = Quarter(2022, 2)


@pytest.fixture
def plan(people, users):  # noqa: F811
    hand_counted(people)
    make_target("good_or_better", 0.6, applies_from=date(2021, 9, 1))
    make_target("good_or_better", 0.7, applies_from=date(2022, 9, 1))
    recommendation, _, _ = plan_records(users["moderator"])
    records.create_measure(recommendation, {
        "description": "Audited cases good or better quality", "figure": "good_or_better",
        "applies_to": "all:", "baseline_value": 0.45, "baseline_on": date(2020, 11, 30)},
        users["moderator"])
    records.create_recommendation({"number": 2, "title": "Improve supervision.",
                                   "source": "Focused visit November 2021",
                                   "findings": "Supervision was not regular."}, users["moderator"])
    db.session.commit()
    return plan_position(Q2)


def text(node):
    return " ".join(node.get_text(" ").split())


def test_a_leader_reads_the_plan_for_the_quarter_in_the_reference_shape(client, login, plan):
    login("leader")
    page = client.get("/reports/action-plan?quarter=2022-Q2")
    assert errors(page) == []
    assert text(page.soup.select_one(".govuk-caption-l")) == (
        "Position in Q2 2022-23 (July to September 2022)")
    section = page.soup.find(id="recommendation-1").find_parent("section")
    summary = [text(row) for row in section.select(".govuk-summary-list__row")]
    assert summary[0] == f"Recommendation {RECOMMENDATION['title']} Source: ILACS November 2019"
    assert summary[1].startswith("What inspectors found Some assessments did not contain")
    captions = [text(t.caption) for t in section.find_all("table")]
    assert captions == ["Baseline and targets (recommendation 1)",
                        "Position in Q2 2022-23 in relation to targets (recommendation 1)",
                        "What we will do to achieve consistently good practice "
                        "(recommendation 1)"]
    baselines, positions, actions = section.find_all("table")
    computed = next(p for p in plan[0].measures if p.measure.computed)
    rows = {text(r.th): [text(c) for c in r.find_all("td")] for r in positions.tbody("tr")}
    assert rows["Audited cases good or better quality"][0] == computed.figure_text == (
        "67% (4 of 6; 95% CI 30%–90%)")
    assert rows["Audited cases good or better quality"][1].startswith(
        "Sample too small to judge Target in force on 30 September 2022: 70%")
    assert rows["Assessments completed within 45 days"][1].startswith(
        "Below target Judged on the value alone")
    targets = {text(r.th): [text(c) for c in r.find_all("td")] for r in baselines.tbody("tr")}
    assert "90% from 1 September 2022" in targets[
        "Assessments completed within 45 days Entered by hand each quarter"][1]
    assert [text(c) for c in actions.tbody.tr.find_all(["th", "td"])] == [
        "1a", ACTION["text"], "Principal Social Worker", "December 2023",
        "In progress 31 January 2023: " + UPDATE["text"]]
    second = page.soup.find(id="recommendation-2").find_parent("section")
    assert "No outcome measures yet." in text(second) and "No actions yet." in text(second)
    assert page.soup.select_one("a[download]")["href"] == (
        "/reports/action-plan.docx?quarter=2022-Q2")


def cells(table):
    return [[" ".join(cell.text.split()) for cell in row.cells] for row in table.rows]


def test_the_word_document_holds_the_plan_and_its_figures(client, login, plan):
    login("moderator")
    response = client.get("/reports/action-plan.docx?quarter=2022-Q2")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "action-plan-2022-Q2.docx" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith(("Title", "Heading"))]
    assert headings == [("Title", "Action plan progress report"),
                        ("Heading 1", "Recommendation 1"), ("Heading 1", "Recommendation 2"),
                        ("Heading 1", "How progress relative to targets is judged")]
    assert any(p.text.startswith("Position in Q2 2022-23 (July to September 2022)")
               for p in document.paragraphs)
    recommendation, baselines, positions, actions, second = document.tables[:5]
    assert cells(recommendation)[0] == ["Recommendation",
                                        f"{RECOMMENDATION['title']} Source: ILACS November 2019"]
    assert cells(recommendation)[1][0] == "What inspectors found"
    shown = {p.measure.description: p for p in plan[0].measures}
    baseline_rows = {row[0]: row for row in cells(baselines)[1:]}
    assert cells(baselines)[0] == ["Outcome measure", "Baseline", "Targets"]
    assert baseline_rows["Audited cases good or better quality"][1] == "45% At 30 November 2020"
    assert baseline_rows["Assessments completed within 45 days"][2] == (
        f"80% from 1 September 2021: {TARGET['text']} 90% from 1 September 2022: "
        f"{TARGET['text']}")
    assert cells(positions)[0] == ["Position in Q2 2022-23 in relation to targets",
                                   "Progress relative to targets"]
    for row in cells(positions)[1:]:
        position = next(p for name, p in shown.items() if row[0].startswith(name))
        assert position.figure_text in row[0]
        assert row[1].startswith(position.progress.label)
    computed = cells(positions)[2]
    assert computed[0].startswith("Audited cases good or better quality 67% (4 of 6; 95% CI "
                                  "30%–90%)")
    assert computed[1].startswith("Sample too small to judge Target in force on 30 September "
                                  "2022: 70%")
    assert cells(actions) == [
        ["Ref", "What we will do to achieve consistently good practice", "Lead person",
         "Timescale", "Progress to date"],
        ["1a", ACTION["text"], "Principal Social Worker", "December 2023",
         f"In progress 31 January 2023: {UPDATE['text']}"]]
    # Each table's header row repeats at the top of every page it runs onto.
    assert actions.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert cells(second)[0][0] == "Recommendation"
    assert "No outcome measures yet." in [p.text for p in document.paragraphs]
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "On track to achieve target: " in bold


def test_a_quarter_the_report_does_not_offer_is_said_plainly(client, login, plan):
    login("admin")
    page = client.get("/reports/action-plan?quarter=2022-Q9")
    assert page.status_code == 200 and errors(page) == ["Select a quarter from the list"]
    refused = client.get("/reports/action-plan.docx?quarter=2022-Q9")
    assert refused.status_code == 400
    assert "does not name a quarter the report can show" in refused.text
