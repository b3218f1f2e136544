"""The quarterly headline report (action 8a): a leader reads a quarter's audit activity,
findings, moderation, actions, learning and training, and the action plan's position, on a
printable page and in Excel and CSV files whose figures are the measures' own; cells that
would start a formula are escaped; a blind moderator sees nothing of what they moderate
blind; a bad quarter is said plainly; the pages make the same queries for ten times the data.

Data: tests/test_measures.py's hand-counted Q2 2022-23 audits (good or better 4 of 6,
agreement 1 of 4, coverage 4 of 9), a 70% good-or-better target, two actions raised in the
quarter (one done on time, one open and overdue), a learning entry, and the action plan of
tests/test_plan_pages.py with a computed good-or-better measure added.
"""

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from audit_app.actions import workflow
from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.compute import compute
from audit_app.measures.periods import Quarter
from audit_app.models import Team
from audit_app.plan import learning, records
from audit_app.plan.position import plan_position
from tests import factories
from tests.action_factories import open_actions
from tests.conftest import TEST_PASSWORD
from tests.moderation_factories import GOOD, OUT, make_moderated, make_round, make_target
from tests.queries import statements
from tests.test_blind_leak import blind  # noqa: F401 (a fixture)
from tests.test_measures import hand_counted, people  # noqa: F401 (a fixture)
from tests.test_plan_pages import errors, plan_records

Q2 = Quarter(2022, 2)
REPORT = "/reports/quarterly?quarter=2022-Q2"
ENTRY = {"quarter": "2022-Q2", "theme": "Contingency planning", "kind": "briefing",
         "title": "Briefing on contingency plans", "audience": "Team managers",
         "given_on": date(2022, 9, 14), "link": "https://intranet.example.org.uk/b",
         "notes": "Given at the service meeting."}


def quarter_data(people, suffix=""):  # noqa: F811
    made, _, _ = hand_counted(people, suffix)
    on_time, overdue = open_actions(people["auditor"], count=2, raised_on=date(2022, 7, 4),
                                    due_on=date(2022, 8, 1))
    workflow.complete(on_time, people["manager"], on_time.row_version, date(2022, 7, 20),
                      "Case note of the visit", today=date(2022, 7, 20))
    learning.create_entry({**ENTRY, "title": ENTRY["title"] + suffix}, people["moderator"])
    db.session.commit()
    return made


@pytest.fixture
def counted(people, users):  # noqa: F811
    people["manager"] = users["manager"]
    made = quarter_data(people)
    make_target("good_or_better", 0.7)
    recommendation, _, _ = plan_records(users["moderator"])
    records.create_measure(recommendation, {
        "description": "Audited cases good or better quality", "figure": "good_or_better",
        "applies_to": "all:", "baseline_value": 0.45, "baseline_on": date(2020, 11, 30)},
        users["moderator"])
    db.session.commit()
    return made


def results():
    return {r.measure.key: r for r in compute(Q2)}


def text(node):
    return " ".join(node.get_text(" ").split())


def table(page, caption):
    found = next(t for t in page.soup.find_all("table") if text(t.caption).startswith(caption))
    return {text(row.th): [text(cell) for cell in row.find_all("td")]
            for row in found.tbody.find_all("tr")}


def test_a_leader_reads_the_quarter_on_a_printable_page(client, login, counted, monkeypatch):
    monkeypatch.setattr("audit_app.reports.quarterly_routes.today", lambda: date(2022, 10, 3))
    login("leader")
    assert "/reports/quarterly" in client.get("/").text  # from the performance panel
    page = client.get("/reports/quarterly")  # the last complete quarter unless asked
    assert errors(page) == []
    assert text(page.soup.select_one(".govuk-caption-l")) == (
        "Q2 2022-23 (July to September 2022)")
    figures = results()
    headline = table(page, "Overall judgements good or better")
    assert headline["Audits good or better, after moderation"] == [
        "67% Small sample", "4 of 6", "30% to 90%", "70%", "Sample too small to judge against 70%"]
    assert headline["Audits good or better, as the auditors judged them"][1] == "5 of 6"
    trend = table(page, "The headline figures, Q3 2021-22 to Q2 2022-23")
    assert trend["Audits good or better, after moderation"] == [
        "No data (0 of 0)", "No data (0 of 0)", "100% (1 of 1)", "67% (4 of 6)"]  # A8 in Q1
    assert trend["Actions completed on time"][-1] == "50% (1 of 2)"
    grades = table(page, "Overall judgements by grade")
    assert grades["Inadequate"][2] == "17% (1 of 6)"  # A5's final grade
    domains = table(page, "Graded questions judged good or better, by domain")
    oversight = figures["domain_good_or_better:management_oversight"].figure
    assert domains["Management oversight"][1] == (
        f"{oversight.numerator} of {oversight.denominator}")
    words = text(page.soup)
    assert "Strongest domain: Management oversight , 57% (4 of 7" in words  # against 0 of 1
    assert "Weakest: SMART, child-focused plan , 0% (0 of 1" in words
    assert "25% (1 of 4; 95% CI 5%–70%)" in page.text  # agreement
    assert "4 of the 9 audits the quota" in page.text
    calibration = table(page, "Each auditor's overall judgements")
    assert calibration["Olu Other"][0] == "1"
    actions = table(page, "Actions and dip samples")
    assert actions["Actions completed on time"][1] == "1 of 2"
    assert table(page, "Actions raised in Q2 2022-23 that are open and overdue on 3 October "
                       "2022")["Crewe CIN/CP"][:2] == ["50% Small sample", "1 of 2"]
    learning_rows = table(page, "Learning and training, Q2 2022-23")
    assert learning_rows["14 September 2022"][1].startswith("Briefing: Briefing on contingency")
    plan = table(page, "Outcome measures of recommendation 1")
    assert plan["Assessments completed within 45 days"] == ["56%", "Below target Judged on the "
                                                            "value alone: entered without a "
                                                            "denominator"]
    assert plan["Audited cases good or better quality"][0] == "67% (4 of 6; 95% CI 30%–90%)"
    # The printout leaves off the menus, the quarter chooser and the links out.
    assert page.soup.select_one("form[method=get]").find_parent(class_="govuk-!-display-none-print")
    links = [a["href"] for a in page.soup.select("a[download]")]
    assert links == ["/reports/quarterly.xlsx?quarter=2022-Q2",
                     "/reports/quarterly.csv?quarter=2022-Q2"]


def xlsx(response):
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "quarterly-report-2022-Q2.xlsx" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data))


def rows_by(sheet, *key_columns):
    """{key: row of cells} for the sheet's rows after the header."""
    return {tuple(row[i].value for i in key_columns): row
            for row in sheet.iter_rows(min_row=2)}


def test_the_excel_workbook_has_a_sheet_per_section_with_real_numbers(client, login, counted):
    login("leader")
    workbook = xlsx(client.get("/reports/quarterly.xlsx?quarter=2022-Q2"))
    assert workbook.sheetnames == ["Audit activity", "Findings", "Moderation", "Actions",
                                   "Learning and training", "Action plan",
                                   "Action plan actions"]
    for sheet in workbook:
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.b, sheet.title
        assert not [c.coordinate for row in sheet.iter_rows() for c in row
                    if c.data_type == "f"]
    figures = results()
    findings = rows_by(workbook["Findings"], 0, 1)
    for key in ("good_or_better", "good_or_better_as_audited"):
        figure = figures[key].figure
        row = findings[("Headline figures", figures[key].measure.title)]
        assert [c.value for c in row[2:7]] == [figure.numerator, figure.denominator,
                                               pytest.approx(figure.value),
                                               pytest.approx(figure.ci_low),
                                               pytest.approx(figure.ci_high)]
        assert [c.number_format for c in row[2:7]] == ["0", "0", "0.0%", "0.0%", "0.0%"]
        assert row[4].data_type == "n"  # a number, not text
    assert "Target 70% (from 1 September 2021): Sample too small to judge" in findings[
        ("Headline figures", "Audits good or better, after moderation")][8].value
    oversight = figures["domain_good_or_better:management_oversight"]
    row = findings[("Graded questions good or better, by domain", "Management oversight")]
    assert (row[2].value, row[3].value, row[8].value) == (
        oversight.figure.numerator, oversight.figure.denominator,
        "Small sample; Strongest domain")
    voice = figures["compliance:voice_of_child"].figure
    row = findings[("Yes/no questions answered yes, by domain", "Voice of the child")]
    assert row[4].value == pytest.approx(voice.value)

    moderation = rows_by(workbook["Moderation"], 0, 1)
    agree = moderation[("Agreement on the overall judgement", "Auditor and final grade agree")]
    assert [c.value for c in agree[2:5]] == [1, 4, 0.25] and agree[4].number_format == "0.0%"
    coverage = moderation[("Coverage", "Audits moderated against the quota of the rounds "
                                       "ending in the period")]
    assert [c.value for c in coverage[2:5]] == [4, 9, pytest.approx(4 / 9)]
    kappa = moderation[("Agreement beyond chance", "Cohen's kappa")]
    assert kappa[4].number_format == "0.000" and kappa[7].value == "coefficient"
    assert ("Calibration by auditor", "Olu Other") in moderation

    actions = rows_by(workbook["Actions"], 0, 1)
    on_time = figures["actions_on_time"].figure
    row = actions[("Headline figures", "Actions completed on time")]
    assert [c.value for c in row[2:5]] == [on_time.numerator, on_time.denominator,
                                           pytest.approx(on_time.value)] == [1, 2, 0.5]
    assert [c.value for c in actions[("Overdue by team", "Crewe CIN/CP")][2:4]] == [1, 2]

    activity = rows_by(workbook["Audit activity"], 0, 1)
    total = activity[("All audits", "All audits")]
    assert [c.value for c in total[2:8]] == [0, 0, None, 0, None, 8]  # 7 + the actions' audit
    learned = list(workbook["Learning and training"].iter_rows(min_row=2))
    assert learned[0][0].value == datetime(2022, 9, 14) and learned[0][0].is_date
    assert learned[0][0].number_format == "d mmm yyyy"

    position = {p.measure.description: p for shown in plan_position(Q2) for p in shown.measures}
    plan = rows_by(workbook["Action plan"], 1)
    computed = plan[("Audited cases good or better quality",)]
    figure = position["Audited cases good or better quality"].figure
    assert [c.value for c in computed[9:12]] == [pytest.approx(figure.value),
                                                 figure.numerator, figure.denominator]
    assert computed[3].value == 0.45 and computed[3].number_format == "0.0%"
    entered = plan[("Assessments completed within 45 days",)]
    assert (entered[9].value, entered[6].value, entered[15].value) == (
        0.56, 0.9, "Below target; Judged on the value alone: entered without a denominator")
    plan_actions = list(workbook["Action plan actions"].iter_rows(min_row=2, values_only=True))
    assert plan_actions[0][:2] == ("1a", 1) and plan_actions[0][6] == datetime(2023, 1, 31)


def csv_rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def test_the_csv_holds_every_section_in_one_table(client, login, counted):
    login("moderator")
    rows = csv_rows(client.get("/reports/quarterly.csv?quarter=2022-Q2"))
    assert rows[0] == ["Report section", "Section", "Measure", "Numerator", "Denominator",
                       "Estimate", "95% CI low", "95% CI high", "Unit", "Status or note"]
    assert {r[0] for r in rows[1:]} == {"Audit activity", "Findings", "Moderation", "Actions",
                                        "Learning and training", "Action plan"}
    by = {(r[0], r[1], r[2]): r for r in rows[1:]}
    figure = results()["good_or_better"].figure
    good = by[("Findings", "Headline figures", "Audits good or better, after moderation")]
    assert good[3:9] == [str(figure.numerator), str(figure.denominator),
                         str(round(figure.value * 100, 1)), str(round(figure.ci_low * 100, 1)),
                         str(round(figure.ci_high * 100, 1)), "%"]
    assert by[("Moderation", "Agreement on the overall judgement",
               "Auditor and final grade agree")][3:6] == ["1", "4", "25.0"]
    assert by[("Action plan", "Recommendation 1", "Assessments completed within 45 days")][
        5] == "56.0"
    assert any(r[0] == "Learning and training" and r[2].startswith("Briefing on") for r in rows)


def test_cells_that_would_start_a_formula_are_escaped(client, login, counted, users):
    team = Team(name="+Crewe =team", service_id=factories.team().service_id)
    db.session.add(team)
    db.session.flush()
    open_actions(users["auditor"], team_name=team.name, raised_on=date(2022, 7, 5),
                 due_on=date(2022, 8, 1))
    learning.create_entry({**ENTRY, "theme": "=HYPERLINK(\"http://x.example\")",
                           "title": "@SUM(1+1)", "audience": "-1"}, users["moderator"])
    db.session.commit()
    login("admin")
    rows = csv_rows(client.get("/reports/quarterly.csv?quarter=2022-Q2"))
    cells = [cell for row in rows for cell in row]
    assert "Team: +Crewe =team" in cells  # does not start a formula
    assert "'@SUM(1+1)" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    workbook = load_workbook(io.BytesIO(client.get(
        "/reports/quarterly.xlsx?quarter=2022-Q2").data))
    names = [row[1] for row in workbook["Audit activity"].iter_rows(min_row=2)]
    assert "'+Crewe =team" in [c.value for c in names]
    entry = next(row for row in workbook["Learning and training"].iter_rows(min_row=2)
                 if row[3].value == "'@SUM(1+1)")
    assert (entry[1].value, entry[1].data_type, entry[4].value) == (
        "'=HYPERLINK(\"http://x.example\")", "s", "'-1")


def test_a_blind_moderator_gets_no_grade_of_what_they_moderate_blind(app, client, login, users,
                                                                     blind):  # noqa: F811
    """The fixture's audit, judged Outstanding on 3 August 2026, is in the moderator's
    unfinished blind sample."""
    login("moderator")
    page = client.get("/reports/quarterly?quarter=2026-Q2")
    assert "Left out of every figure and list here: 1 audit you are moderating blind" in page.text
    assert "Overall judgements by grade" not in page.text  # nothing else was graded
    workbook = load_workbook(io.BytesIO(client.get(
        "/reports/quarterly.xlsx?quarter=2026-Q2").data))
    assert [row for row in workbook["Findings"].iter_rows(min_row=2, values_only=True)
            if row[1] == "Outstanding" and row[2]] == []
    csv_cells = [c for r in csv_rows(client.get("/reports/quarterly.csv?quarter=2026-Q2"))
                 for c in r]
    assert "Outstanding" not in csv_cells
    plan = client.get("/reports/action-plan?quarter=2026-Q2")
    assert "1 audit you are moderating blind" in plan.text
    admin = app.test_client()
    admin.submit("/sign-in", {"email": users["admin"].email, "password": TEST_PASSWORD})
    shown = table(admin.get("/reports/quarterly?quarter=2026-Q2"), "Overall judgements by grade")
    assert shown["Outstanding"][0] == "100% (1 of 1)"


@pytest.mark.parametrize("quarter", ["9999-Q4", "2022-Q5", "", "Q2 2022-23", "2147483648"])
def test_a_quarter_the_report_does_not_offer_is_said_plainly(client, login, counted, quarter):
    login("leader")
    page = client.get(f"/reports/quarterly?quarter={quarter}")
    assert page.status_code == 200
    assert errors(page) == ["Select a quarter from the list"]
    for download in ("/reports/quarterly.xlsx", "/reports/quarterly.csv"):
        refused = client.get(f"{download}?quarter={quarter}")
        assert refused.status_code == 400
        assert "does not name a quarter the report can show" in refused.text


def test_the_report_makes_as_many_queries_for_ten_times_the_data(client, login, counted,
                                                                 people):  # noqa: F811
    paths = [REPORT, "/reports/quarterly.xlsx?quarter=2022-Q2",
             "/reports/quarterly.csv?quarter=2022-Q2", "/reports/action-plan?quarter=2022-Q2",
             "/reports/action-plan.docx?quarter=2022-Q2", "/plan/learning?quarter=2022-Q2"]
    login("leader")

    def get(path):
        assert client.get(path).status_code == 200

    def counts():
        return {path: statements(lambda path=path: get(path)) for path in paths}

    once = counts()
    round_ = make_round(name="Another Q2 round", quota=3)
    for copy in range(2, 11):
        made = quarter_data(people, f"-x{copy}")
        make_moderated(made["A1"], people["moderator"], overall=(GOOD, OUT), round_=round_)
    db.session.commit()
    assert compute(Q2, measures=[catalogue.find("good_or_better")])[0].figure.denominator == 60
    assert counts() == once
