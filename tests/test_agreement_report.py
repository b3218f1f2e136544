"""The agreement report page and its downloads."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from audit_app.extensions import db
from audit_app.measures.periods import Quarter, financial_year_start
from audit_app.timeutil import today
from tests import factories
from tests.moderation_factories import (
    GOOD,
    INAD,
    OUT,
    RI,
    make_round,
    make_target,
    make_template,
    make_user,
    moderate,
)
from tests.test_agreement_measures import TEN, ten_moderations

Q2 = "period_from=2022-Q2&period_to=2022-Q2"


@pytest.fixture
def data(users):
    template = make_template()
    people = {"auditor": users["auditor"], "moderator": users["moderator"]}
    ten_moderations(people, template)
    optimist = make_user("Opal Optimist")
    round_ = make_round(name="Optimist round")
    for _ in range(9):
        moderate(optimist, users["moderator"], template, overall=(GOOD, RI), round_=round_,
                 team_name="Macclesfield CIN/CP", domains={"oversight": (OUT, RI)})
    reference_targets()
    db.session.commit()
    return {"template": template, "optimist": optimist, "round": round_}


def reference_targets():
    """The reference action plan's agreement targets: 80% from September 2021, 90% from
    September 2022."""
    make_target("agreement", 0.8, date(2021, 9, 1), source="Target for September 2021")
    make_target("agreement", 0.9, date(2022, 9, 1), source="Target for September 2022")


def _text(node):
    return " ".join(node.get_text(" ").split())


def test_page_journey(client, login, data):
    login("moderator")
    home = client.get("/")
    assert "/reports/agreement" in home.text  # in the navigation
    first = client.get("/reports/agreement")
    assert first.status_code == 200
    this_year = financial_year_start(today())
    assert first.soup.select_one("#period_from option[selected]")["value"] == this_year.code
    assert first.soup.select_one("#period_to option[selected]")["value"] == (
        Quarter.containing(today()).code)
    assert "Q2 2022-23 (July to September 2022)" in first.text  # offered though in the past

    page = client.get(f"/reports/agreement?{Q2}")
    soup = page.soup
    assert soup.title.get_text().startswith("Moderation agreement")
    text = _text(soup)
    # 10 moderations (8 agree) plus the optimist's 9 (none agree): 8 of 19.
    assert "42% (8 of 19; 95% CI 23%–64%)" in text
    assert "Small sample" in text
    assert [_text(t) for t in soup.select("#agreement ~ p .govuk-tag")][-1] == "Below target"
    assert ("The target in force at the end of the period: 90% agreed, from 1 September 2022 "
            "(Target for September 2022)") in text
    # Two rounds of 9 end in Q2.
    assert "have a quota of 18 audits. 19 of their audits have been moderated" in text
    assert "Opal Optimist Over-grading unlikely to be chance" in text
    assert "p = 0.004" in text  # 9 of 9 higher: 2/512
    assert "adjusted: p = 0.008" in text  # Holm, with the other auditor's disagreements
    assert soup.select_one("a[href='/reports/how-figures-are-counted']")


def test_confusion_matrix_is_an_accessible_table(client, login, data):
    login("leader")
    page = client.get(f"/reports/agreement?{Q2}&team=&auditor={data['optimist'].id}")
    table = next(t for t in page.soup.select("table")
                 if "final grade (columns)" in t.caption.get_text())
    assert table.select_one("thead th[scope=colgroup]").get_text() == "Final grade"
    header = [th.get_text() for th in table.select("thead tr:nth-of-type(2) th[scope=col]")]
    assert header == ["Auditor's grade", OUT, GOOD, RI, INAD, "Total"]
    rows = {tr.select_one("th[scope=row]").get_text(): [td.get_text() for td in tr.select("td")]
            for tr in table.select("tbody tr")}
    assert rows[GOOD] == ["0", "0", "9", "0", "9"]
    assert rows["Total"] == ["0", "0", "9", "0", "9"]


def test_undefined_kappa_is_explained(client, login, users):
    template = make_template()
    for _ in range(2):
        moderate(users["auditor"], users["moderator"], template, overall=(GOOD, GOOD))
    make_target("agreement", 0.8, date(2021, 9, 1))
    db.session.commit()
    login("practice_lead")
    text = _text(client.get(f"/reports/agreement?{Q2}").soup)
    assert "100% (2 of 2; 95% CI 34%–100%)" in text
    assert "Kappa cannot be calculated" in text
    assert "Sample too small to judge against 80%" in text


def test_empty_scope(client, login, users):
    login("admin")
    text = _text(client.get(f"/reports/agreement?{Q2}").soup)
    assert "No agreement target is in force at the end of this period" in text
    reference_targets()
    db.session.commit()
    text = _text(client.get(f"/reports/agreement?{Q2}").soup)
    assert "No data (0 of 0)" in text
    assert "No data to judge against 90%" in text
    assert "No overall judgements have been moderated in this scope" in text


def test_filter_errors(client, login, users):
    login("moderator")
    page = client.get("/reports/agreement?period_from=2022-Q3&period_to=2022-Q2&team=999")
    assert page.soup.title.get_text().startswith("Error: ")
    summary = _text(page.soup.select_one(".govuk-error-summary"))
    assert "The end of the period must be the same as or after the start" in summary
    assert "Select a team from the list" in summary
    assert "Coverage" not in page.text
    assert client.get("/reports/agreement?period_from=Q9").soup.select_one(
        ".govuk-error-summary")
    assert client.get("/reports/agreement.csv?period_from=nonsense").status_code == 400


def test_auditors_and_managers_cannot_see_it(client, login, users):
    login("auditor")
    assert "/reports/agreement" not in client.get("/").text
    assert client.get("/reports/agreement").status_code == 403
    assert client.get("/reports/agreement-pairs.csv").status_code == 403


def _csv(response):
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_report_csv(client, login, data):
    login("moderator")
    response = client.get(f"/reports/agreement.csv?{Q2}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:5] == ["Section", "Measure", "Numerator", "Denominator", "Estimate"]
    by_measure = {(r[0], r[1]): r for r in rows[1:]}
    agree = by_measure[("Agreement on the overall judgement", "Auditor and final grade agree")]
    assert agree[2:8] == ["8", "19", "42.1", "23.1", "63.7", "%"]
    assert "Small sample" in agree[8]
    period = by_measure[("Scope", "Period (audit dates)")]
    assert period[8].startswith("Q2 2022-23 (July to September 2022) to Q2 2022-23")
    optimist = by_measure[("Calibration by auditor", "Opal Optimist")]
    assert "over-grading unlikely to be chance" in optimist[8]
    target = next(r for r in rows if r[1].startswith("Against the 90% target"))
    assert target[1] == ("Against the 90% target (Target for September 2022, from "
                         "1 September 2022)") and target[8].startswith("Below target")
    kappa = by_measure[("Agreement beyond chance", "Cohen's kappa")]
    assert kappa[7] == "coefficient" and float(kappa[4]) < 1


def test_report_xlsx(client, login, data):
    login("moderator")
    response = client.get(f"/reports/agreement.xlsx?{Q2}")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "Agreement report"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Section" and sheet["A1"].font.b
    agree = next(r for r in rows if r[1] == "Auditor and final grade agree")
    assert agree[2:5] == (8, 19, 42.1)
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["C"].width


def test_pairs_downloads_follow_the_filters(client, login, data):
    login("moderator")
    rows = _csv(client.get(f"/reports/agreement-pairs.csv?{Q2}"))
    assert rows[0][:4] == ["Moderation", "Round", "Case reference", "Team"]
    overall = [r for r in rows[1:] if r[6] == "Overall judgement"]
    assert len(overall) == 19 and len(rows) == 1 + 19 * 4
    team = factories.team("Macclesfield CIN/CP")
    only = _csv(client.get(f"/reports/agreement-pairs.csv?{Q2}&team={team.id}"))
    assert {r[3] for r in only[1:]} == {"Macclesfield CIN/CP"}
    assert len(only) == 1 + 9 * 4
    workbook = load_workbook(io.BytesIO(
        client.get(f"/reports/agreement-pairs.xlsx?{Q2}&round={data['round'].id}").data))
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][-3:] == ("Submitted", "Audit date", "Counted in the figures")
    assert len(values) == 1 + 9 * 4
    assert values[1][1] == "Optimist round" and values[1][-3].year == 2022
    assert {row[-1] for row in values[1:] if row[6] == "Overall judgement"} == {"Yes"}
    outside = _csv(client.get("/reports/agreement-pairs.csv?period_from=2023-Q1&period_to="))
    assert len(outside) == 1


def test_downloads_cannot_inject_formulas(client, login, users):
    template = make_template()
    evil = make_user("@SUM(1+1)")
    moderate(evil, users["moderator"], template, reference="=HYPERLINK(\"http://x\")",
             overall=(GOOD, RI))
    db.session.commit()
    login("moderator")
    rows = _csv(client.get(f"/reports/agreement-pairs.csv?{Q2}"))
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][4] == "'@SUM(1+1)"
    sheet = load_workbook(io.BytesIO(
        client.get(f"/reports/agreement-pairs.xlsx?{Q2}").data)).active
    assert sheet["C2"].value == "'=HYPERLINK(\"http://x\")" and sheet["C2"].data_type == "s"
    report = _csv(client.get(f"/reports/agreement.csv?{Q2}"))
    auditor = next(r for r in report if r[0] == "Calibration by auditor")
    assert auditor[1] == "'@SUM(1+1)"
    # Numbers stay numbers: a negative mean difference is not text.
    xlsx = load_workbook(io.BytesIO(client.get(f"/reports/agreement.xlsx?{Q2}").data)).active
    mean = next(r for r in xlsx.iter_rows(values_only=True) if str(r[1]).startswith("Mean"))
    assert mean[4] == 1.0


def test_download_links_carry_the_filters(client, login, data):
    login("moderator")
    page = client.get(f"/reports/agreement?period_from=&period_to=2022-Q2&round={data['round'].id}")
    links = [a["href"] for a in page.soup.select("a[download]")]
    assert len(links) == 4
    for link in links:
        assert "period_from=&" in link and "period_to=2022-Q2" in link
        assert f"round={data['round'].id}" in link
    rows = _csv(client.get(links[2]))
    assert len(rows) == 1 + 9 * 4


def test_page_queries_do_not_grow_with_the_data(client, login, users):
    template = make_template()
    db.session.commit()
    login("moderator")

    def statements():
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/reports/agreement?{Q2}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    def add(n):
        for i in range(n):
            auditor, final, _ = TEN[i % len(TEN)]
            moderate(users["auditor"], users["moderator"], template, overall=(auditor, final),
                     challenges={"overall": None} if i % 4 == 0 else None)
        db.session.commit()

    add(5)
    few = statements()
    add(55)
    assert statements() == few
