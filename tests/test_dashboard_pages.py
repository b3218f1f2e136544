"""The dashboard pages: a leader reads a quarter's figures, follows one to its teams and to
the audits behind it; the charts keep to the Content-Security-Policy and describe
themselves; bad choices are said plainly; a blind moderator sees none of what they moderate
blind; the pages make the same number of queries for ten times the data.

Data: tests/test_measures.py's hand-counted Q2 2022-23 audits (good or better 4 of 6,
agreement 1 of 4, Crewe CIN/CP 4 of 5, Macclesfield CIN/CP 0 of 1).
"""

from datetime import datetime

import pytest
from sqlalchemy import event

from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.compute import compute
from audit_app.measures.periods import Quarter
from audit_app.security import CSP
from tests import factories
from tests.moderation_factories import GOOD, OUT, make_moderated, make_round, make_target
from tests.test_measures import audit, hand_counted, people  # noqa: F401 (a fixture)

Q2 = Quarter(2022, 2)
DASHBOARD = "/dashboard/?quarter=2022-Q2"


def _text(node):
    return " ".join(node.get_text(" ").split())


def headline_rows(page):
    table = next(t for t in page.soup.find_all("table")
                 if _text(t.caption) == "Headline figures")
    return {_text(row.th): [_text(cell) for cell in row.find_all("td")]
            for row in table.tbody.find_all("tr")}


@pytest.fixture
def counted(people):  # noqa: F811
    made = hand_counted(people)[0]
    make_target("good_or_better", 0.7)
    db.session.commit()
    return made


def test_a_leader_reads_the_quarter_follows_a_figure_to_its_teams_and_audits(
        client, login, counted):
    login("leader")
    home = client.get("/")
    assert "/dashboard/" in home.text  # in the navigation and the performance panel
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    rows = headline_rows(page)
    assert rows["Audits good or better, after moderation"][:5] == [
        "67% Small sample", "4 of 6 : the audits behind audits good or better, after "
        "moderation, Q2 2022-23", "30% to 90%", "70%", "Sample too small to judge against 70%"]
    assert rows["Auditors' overall judgements agreed by moderation"][1].startswith("1 of 4")
    assert rows["Audits moderated against the quotas of the period's moderation rounds"][:3] \
        == ["44%", "4 of 9", "Not applicable"]
    # The trend: a chart and a table for each headline figure, eight quarters each.
    assert len(page.soup.select("svg[role=img]")) == 6 + 2  # and two domain charts
    trend = next(t for t in page.soup.find_all("table")
                 if _text(t.caption) == "Audits good or better, after moderation, by quarter")
    assert [_text(r.th) for r in trend.tbody.find_all("tr")][0] == "Q3 2020-21"
    assert [_text(r.th) for r in trend.tbody.find_all("tr")][-1] == "Q2 2022-23"
    domains = next(t for t in page.soup.find_all("table") if _text(t.caption).startswith(
        "Graded questions judged good or better, by domain"))
    oversight = next(r for r in domains.tbody.find_all("tr")
                     if _text(r.th) == "Management oversight")
    assert _text(oversight.find_all("td")[1]).startswith("4 of 7")

    figure = client.get(page.soup.find("a", string="Audits good or better, after moderation")
                        ["href"])
    assert figure.soup.h1.get_text() == "Audits good or better, after moderation"
    teams = next(t for t in figure.soup.find_all("table") if "by team" in _text(t.caption))
    by_team = {_text(r.th): r for r in teams.tbody.find_all("tr")}
    assert list(by_team) == ["Crewe CIN/CP", "Macclesfield CIN/CP"]
    assert _text(by_team["Crewe CIN/CP"].find_all("td")[1]).startswith("4 of 5")

    crewe = client.get(by_team["Crewe CIN/CP"].find("a")["href"])
    assert crewe.soup.h1.get_text() == "Audits behind the figure"
    assert "Crewe CIN/CP (team)" in _text(crewe.soup.select_one(".govuk-caption-l"))
    listed = crewe.soup.select("main table tbody tr")
    assert len(listed) == 5  # the denominator
    assert sorted(_text(r.find_all("td")[5]) for r in listed) == ["No", "Yes", "Yes", "Yes",
                                                                   "Yes"]
    references = {_text(r.td) for r in listed}
    assert references == {f"LCS-{name}" for name in ("A1", "A2", "A3", "A4", "A7")}
    opened = client.get(listed[0].find("a")["href"])
    assert opened.status_code == 200  # the audit's own page, which the leader may read


def test_the_charts_describe_themselves_and_keep_to_the_csp(client, login, counted):
    login("leader")
    for path in (DASHBOARD, "/dashboard/figures/good_or_better?quarter=2022-Q2"):
        page = client.get(path)
        assert page.headers["Content-Security-Policy"] == CSP
        assert page.soup.find(attrs={"style": True}) is None
        assert page.soup.find("style") is None
        assert [s.get("src") for s in page.soup.find_all("script")] == ["/static/app.js"]
        for svg in page.soup.select("svg"):
            # (html.parser gives attribute names in lower case: viewBox is "viewbox")
            assert svg["role"] == "img" and svg["width"] == "100%" and svg["viewbox"]
            title_id, desc_id = svg["aria-labelledby"].split()
            assert svg.find("title", id=title_id).get_text()
            description = svg.find("desc", id=desc_id).get_text()
            assert description.endswith(".")
            # The same figures are in the table that follows the chart.
            assert svg.find_next("table") is not None
    figure = client.get("/dashboard/figures/good_or_better?quarter=2022-Q2")
    chart = next(svg for svg in figure.soup.select("svg") if "by team" in svg.title.get_text())
    assert "Crewe CIN/CP: 80% (4 of 5; 95% CI 38%–96%), target 70%" in chart.find(
        "desc").get_text()
    # Not colour alone: the target is dashed, the figure's values are written beside it.
    assert chart.find(attrs={"stroke-dasharray": True}) is not None
    assert "80% (4 of 5)" in [t.get_text() for t in chart.find_all("text")]


def test_the_audits_behind_each_kind_of_figure_match_it_and_are_paginated(
        client, login, people):  # noqa: F811
    made, template, _ = hand_counted(people)
    for number in range(55):  # 62 audits in Q2: two pages
        audit(people, template, GOOD, GOOD, "yes", reference=f"LCS-P{number:03d}",
              at=datetime(2022, 8, 1, 9))
    db.session.commit()
    login("leader")
    results = {r.measure.key: r.figure for r in compute(Q2)}
    for key, column in (("good_or_better", 5), ("compliance:voice_of_child", 5),
                        ("domain_good_or_better:management_oversight", 5)):
        first = client.get(f"/dashboard/figures/{key}/audits?quarter=2022-Q2")
        assert first.status_code == 200
        rows = first.soup.select("main table tbody tr")
        pages = [rows]
        if first.soup.select_one(".govuk-pagination__next a"):
            second = client.get(f"/dashboard/figures/{key}/audits?quarter=2022-Q2&page=2")
            pages.append(second.soup.select("main table tbody tr"))
        listed = [row for rows in pages for row in rows]
        cells = [_text(row.find_all("td")[column]) for row in listed]
        if key == "good_or_better":
            assert len(listed) == results[key].denominator == 61
            assert len(pages[0]) == 50 and len(pages[1]) == 11
            assert cells.count("Yes") == results[key].numerator
        else:
            in_numerator = sum(int(cell.split(" of ")[0]) for cell in cells)
            counted = sum(int(cell.split(" of ")[1]) for cell in cells)
            assert (in_numerator, counted) == (results[key].numerator,
                                               results[key].denominator)
        assert len({_text(row.td) for row in listed}) == len(listed)  # each audit once


def test_a_blind_moderator_gets_nothing_of_what_they_moderate_blind(
        client, login, users, people):  # noqa: F811
    made, template, _ = hand_counted(people)
    hidden = audit(people, template, OUT, GOOD, "yes", reference="LCS-BLIND1")
    round_ = make_round(name="Blind Q2", moderators=[users["moderator"]])
    make_moderated(hidden, users["moderator"], overall=(OUT, GOOD), round_=round_,
                   status="in_progress")
    db.session.commit()
    login("leader")
    assert headline_rows(client.get(DASHBOARD))[
        "Audits good or better, after moderation"][1].startswith("5 of 7")
    client.submit("/sign-out", {}, page="/")
    login("moderator")
    page = client.get(DASHBOARD)
    assert headline_rows(page)["Audits good or better, after moderation"][1].startswith("4 of 6")
    assert "1 audit you are moderating blind" in page.text
    for key in ("good_or_better", "good_or_better_as_audited", "compliance:voice_of_child"):
        listed = client.get(f"/dashboard/figures/{key}/audits?quarter=2022-Q2")
        assert "LCS-BLIND1" not in listed.text
        assert "1 audit you are moderating blind" in listed.text
    figure = client.get("/dashboard/figures/good_or_better_as_audited?quarter=2022-Q2")
    assert "LCS-BLIND1" not in figure.text


@pytest.mark.parametrize(("query", "message"), [
    ("quarter=9999-Q4", "Select a quarter from the list"),
    ("quarter=2022-Q2&team=99999", "Select a team from the list"),
    ("quarter=2022-Q2&service=abc", "Select a service from the list"),
    ("quarter=", "Select a quarter"),
])
def test_bad_choices_are_said_plainly(client, login, counted, query, message):
    login("leader")
    for path in ("/dashboard/", "/dashboard/figures/agreement"):
        page = client.get(f"{path}?{query}")
        assert page.status_code == 200
        assert message in _text(page.soup.select_one(".govuk-error-summary"))
    listed = client.get(f"/dashboard/figures/agreement/audits?{query}")
    assert listed.status_code == 400
    assert message in listed.text and "Go back to the dashboard" in listed.text


def test_a_team_outside_the_service_is_refused(client, login, counted):
    login("leader")
    crewe = factories.team("Crewe CIN/CP")
    other_service = next(s for s in db.session.scalars(db.select(
        type(crewe.service))) if s.id != crewe.service_id)
    page = client.get(f"/dashboard/?quarter=2022-Q2&service={other_service.id}"
                      f"&team={crewe.id}")
    assert f"Select a team in {other_service.name}, or All teams" in page.text
    both = client.get(f"/dashboard/?quarter=2022-Q2&service={crewe.service_id}"
                      f"&team={crewe.id}")
    assert headline_rows(both)["Audits good or better, after moderation"][1].startswith("4 of 5")


def test_unknown_figures_and_figures_without_audits(client, login, counted):
    login("leader")
    assert client.get("/dashboard/figures/no_such_thing").status_code == 404
    assert client.get("/dashboard/figures/compliance:nowhere/audits").status_code == 404
    assert client.get("/dashboard/figures/moderation_coverage/audits").status_code == 404
    crewe = factories.team("Crewe CIN/CP")
    coverage = client.get(f"/dashboard/figures/moderation_coverage?quarter=2022-Q2"
                          f"&team={crewe.id}")
    assert "counted for the whole council only" in coverage.text
    assert client.get("/dashboard/figures/good_or_better/audits?quarter=2022-Q2&page=0"
                      ).status_code == 404
    past = client.get("/dashboard/figures/good_or_better/audits?quarter=2022-Q2&page=9")
    assert "There are no audits behind this figure on this page" in past.text


def test_the_pages_make_as_many_queries_for_ten_times_the_data(client, login, people):  # noqa: F811
    paths = [DASHBOARD, "/dashboard/figures/good_or_better?quarter=2022-Q2",
             "/dashboard/figures/compliance:voice_of_child?quarter=2022-Q2",
             "/dashboard/figures/good_or_better/audits?quarter=2022-Q2",
             "/dashboard/figures/domain_good_or_better:management_oversight/audits"
             "?quarter=2022-Q2"]
    hand_counted(people, "-x1")
    login("leader")

    def counts():
        found = {}
        for path in paths:
            seen = []

            def count(*_args, seen=seen):
                seen.append(1)

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                assert client.get(path).status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            found[path] = len(seen)
        return found

    once = counts()
    for copy in range(2, 11):
        hand_counted(people, f"-x{copy}")
    assert compute(Q2, measures=[catalogue.find("good_or_better")])[0].figure.denominator == 60
    assert counts() == once
