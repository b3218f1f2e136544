"""The action figures against a hand-counted fixture, and on the all-actions page.

Quarter Q3 2026-27 (October to December 2026), read on 31 December 2026. Crewe CIN/CP
actions raised on Monday 2 November are due Monday 30 November (20 working days):

    A  completed 16 November          on time    10 working days
    B  completed 30 November          on time    20 (done on the due day)
    C  completed 1 December           late       21
    D  open                           late (overdue since 1 December)
    E  cancelled                      left out
    F  open, due 31 December          left out (due today, not yet late)
    G  due 31 December, done 10 Dec   on time    28
    I  completed 20 November, then verified followed up: on time, 14
    J  raised Thursday 24 December, done Tuesday 29 December: 1 working day (25 and 28
       December are bank holidays); due in January, so not in the on-time figure
    H  raised 1 September (Q2), due 30 September, done 2 October: in the median only, 23

Macclesfield CIN/CP, raised Monday 5 October, due 2 November:
    M1 completed 5 October (0 working days), on time;  M2 open, overdue.

Completed on time: A, B, G, I, M1 = 5 of 8 (A B C D G I M1 M2).
Overdue by team (raised in Q3, cancelled left out): Crewe D = 1 of 8 (A B C D F G I J);
Macclesfield M2 = 1 of 2. Median working days, completed in Q3 (A B C G I J H M1):
0 1 10 14 20 21 23 28 -> (14 + 20) / 2 = 17.
"""

import json
from datetime import date, datetime

import pytest
from sqlalchemy import event

from audit_app import timeutil
from audit_app.actions import figures, lists, workflow
from audit_app.extensions import db
from audit_app.measures.catalogue import find
from audit_app.measures.compute import compute
from audit_app.measures.periods import Quarter
from audit_app.models import Action
from audit_app.stats import wilson_interval
from tests import factories
from tests.action_factories import open_action, open_actions

Q3 = Quarter(2026, 3)
READ_ON = date(2026, 12, 31)


def done(action, user, on, verifier=None):
    workflow.complete(action, user, action.row_version, on, "Case note", today=READ_ON)
    if verifier is not None:
        workflow.verify(action, verifier, action.row_version, "followed_up")


@pytest.fixture
def fixture(users):
    auditor, manager = users["auditor"], users["manager"]
    a, b, c, d, e, f, g, i = open_actions(auditor, count=8, raised_on=date(2026, 11, 2))
    assert a.due_on == date(2026, 11, 30)
    done(a, manager, date(2026, 11, 16))
    done(b, manager, date(2026, 11, 30))
    done(c, manager, date(2026, 12, 1))
    workflow.cancel(e, users["admin"], e.row_version, "Duplicate")
    f.due_on = g.due_on = date(2026, 12, 31)
    done(g, manager, date(2026, 12, 10))
    done(i, manager, date(2026, 11, 20), verifier=users["practice_lead"])
    j = open_action(auditor, raised_on=date(2026, 12, 24))
    done(j, manager, date(2026, 12, 29))
    h = open_action(auditor, raised_on=date(2026, 9, 1))
    h.due_on = date(2026, 9, 30)
    done(h, manager, date(2026, 10, 2))
    m1, m2 = open_actions(manager, count=2, raised_on=date(2026, 10, 5),
                          team_name="Macclesfield CIN/CP")
    m1.due_on = m2.due_on = date(2026, 11, 2)
    m1.owner_id = m2.owner_id = manager.id  # Macclesfield has no manager of its own
    done(m1, manager, date(2026, 10, 5))
    db.session.commit()
    return {"d": d}


def test_completed_on_time(fixture):
    figure = figures.completed_on_time(Q3, READ_ON)
    assert (figure.numerator, figure.denominator) == (5, 8)
    assert (figure.ci_low, figure.ci_high) == wilson_interval(5, 8)


def test_overdue_open_actions_by_team(fixture):
    rows = {row.team: (row.figure.numerator, row.figure.denominator)
            for row in figures.overdue_by_team(Q3, READ_ON)}
    assert rows == {"Crewe CIN/CP": (1, 8), "Macclesfield CIN/CP": (1, 2)}


def test_median_working_days_from_raised_to_completed(fixture):
    times = figures.completion_times(Q3)
    assert sum(count for *_, count in times) == 8
    assert figures.median_working_days(times) == 17.0


def test_figures_narrowed_to_a_team(fixture):
    team = factories.team("Macclesfield CIN/CP")
    scope = lists.scope(lists.Filters(team_id=team.id))
    found = figures.for_quarter(Q3, READ_ON, scope)
    assert (found.on_time.numerator, found.on_time.denominator) == (1, 2)
    assert [row.team for row in found.overdue_by_team] == ["Macclesfield CIN/CP"]
    assert (found.median_working_days, found.completed) == (0.0, 1)


@pytest.mark.parametrize(("counted", "median"), [
    ([], None),
    ([(date(2026, 11, 2), date(2026, 11, 16), 0)], None),
    ([(date(2026, 11, 2), date(2026, 11, 16), 1)], 10.0),
    # Christmas: 25 December and Monday 28 December (Boxing Day's substitute) are not counted.
    ([(date(2026, 12, 24), date(2026, 12, 29), 1)], 1.0),
    # Repeats count: 0, 10, 10, 10 -> 10.
    ([(date(2026, 11, 2), date(2026, 11, 2), 1), (date(2026, 11, 2), date(2026, 11, 16), 3)],
     10.0),
    # 0, 0, 10, 20 -> 5.
    ([(date(2026, 11, 2), date(2026, 11, 2), 2), (date(2026, 11, 2), date(2026, 11, 16), 1),
      (date(2026, 11, 2), date(2026, 11, 30), 1)], 5.0),
    # Done on a Saturday after a Friday raised: 0 working days.
    ([(date(2026, 11, 6), date(2026, 11, 7), 1)], 0.0),
])
def test_median_working_days_by_hand(counted, median):
    assert figures.median_working_days(counted) == median


def test_the_all_actions_page_shows_the_quarters_figures(client, login, fixture, monkeypatch):
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 12, 31, 12, 0))
    login("leader")
    page = client.get("/actions/all?quarter=2026-Q3")
    text = " ".join(page.soup.get_text().split())
    assert "Figures for Q3 2026-27 (October to December 2026)" in text
    assert "63% (5 of 8; 95% CI 31%–86%)" in text
    assert "Median 17 working days from raised to completed (8 actions completed" in text
    rows = {row.th.get_text(strip=True): row.td.get_text(" ", strip=True)
            for row in page.soup.select("table")[0].select("tbody tr")}
    assert rows["Crewe CIN/CP"].startswith("13% (1 of 8;")
    assert rows["Macclesfield CIN/CP"].startswith("50% (1 of 2;")
    q2 = " ".join(client.get("/actions/all?quarter=2026-Q2").soup.get_text().split())
    assert "No actions were completed in the quarter" in q2  # H was done in October


def test_the_figures_take_the_same_queries_for_any_amount_of_data(fixture, users):
    def statements(work):
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            work()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    def page():
        figures.for_quarter(Q3, READ_ON)

    def measures():  # both action measures by team: audit groups, one each, targets
        compute(Q3, by="team", measures=[find("actions_on_time"),
                                         find("dip_sample_followed_up")])

    few = (statements(page), statements(measures))
    for action in open_actions(users["auditor"], count=30, raised_on=date(2026, 11, 9)):
        done(action, users["manager"], date(2026, 11, 20))
    db.session.commit()
    assert (statements(page), statements(measures)) == few == (3, 4)


def test_actions_on_time_through_the_measures_command(fixture, app, monkeypatch):
    """The catalogue counts with the page's definition: 5 of 8 for the council; by team, the
    team the case was in when audited (the Macclesfield case moved to Crewe since)."""
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 12, 31, 12, 0))
    for moved in db.session.scalars(db.select(Action).where(Action.due_on == date(2026, 11, 2))):
        moved.case.team_id = fixture["d"].case.team_id
    db.session.commit()
    runner = app.test_cli_runner()

    def rows(*args):
        result = runner.invoke(args=["measures", "--period", "2026-Q3", "--measure",
                                     "actions_on_time", *args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    [row] = rows()
    assert (row["scope"], row["numerator"], row["denominator"]) == ("all", 5, 8)
    assert row["value"] == pytest.approx(5 / 8)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson_interval(5, 8))
    assert (row["target"], row["status"]) == (None, None)
    assert [(r["scope"], r["numerator"], r["denominator"]) for r in rows("--by", "team")] == [
        ("team:Crewe CIN/CP", 4, 6), ("team:Macclesfield CIN/CP", 1, 2)]
    [crewe] = rows("--team", "Crewe CIN/CP")
    assert (crewe["numerator"], crewe["denominator"]) == (4, 6)
    # Read on 30 November, open D (due that day) and F are not yet late, so left out; done G
    # counts: A B C G I M1 M2, of which C and M2 late.
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 11, 30, 12, 0))
    [early] = rows()
    assert (early["numerator"], early["denominator"]) == (5, 7)


def test_how_figures_are_counted_explains_the_action_measures(client, login):
    login("admin")
    page = client.get("/reports/how-figures-are-counted").text
    for key in ("actions_on_time", "dip_sample_followed_up"):
        assert f'id="measure-{key}"' in page and f"<code>{key}</code>" in page
    assert "completed on or before their due date" in page
    assert "the team is the one that held the case when it was audited" in page
