"""The dashboard's figures (audit_app/measures/headline.py): a trend counted in one query per
family is the same as each quarter counted on its own; the audits behind a figure add up to
its denominator; the number of queries depends neither on the data nor on the quarters shown.

Fixtures: tests/test_measures.py's hand-counted Q2 2022-23 audits, and the demo's activity
(audits, moderations, actions and dip samples in 2026-27) for the action measures.
"""

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from audit_app.demo_activity import demo_users, seed_activity
from audit_app.extensions import db
from audit_app.measures import catalogue, headline
from audit_app.measures.behind import audits_behind, has_audits_behind
from audit_app.measures.compute import compute, compute_by_period
from audit_app.measures.coverage import coverage, coverage_by_period
from audit_app.measures.periods import (
    Quarter,
    last_complete_quarter,
    quarters_between,
    quarters_ending,
)
from audit_app.measures.scope import ALL, Scope, find_scope
from audit_app.measures.targets import in_force_on
from tests import factories
from tests.moderation_factories import make_target
from tests.queries import statements
from tests.test_measures import hand_counted, people  # noqa: F401 (a fixture)

Q2 = Quarter(2022, 2)


def pairs(results):
    return {(r.period.code, r.measure.key): (r.figure, r.target, r.status) for r in results}


def one_at_a_time(periods, scope=None, named=ALL, measures=None):
    return pairs(r for period in periods
                 for r in compute(period, scope, named, measures=measures))


def test_quarters_ending_and_the_last_complete_quarter():
    assert quarters_ending(Quarter(2022, 2), 8)[0] == Quarter(2020, 3)
    assert quarters_ending(Quarter(2022, 2), 8)[-1] == Quarter(2022, 2)
    assert quarters_ending(Quarter(2022, 1), 1) == [Quarter(2022, 1)]
    assert quarters_ending(Quarter(2023, 4), 4) == quarters_between(Quarter(2023, 1),
                                                                     Quarter(2023, 4))
    assert last_complete_quarter(date(2022, 7, 1)) == Quarter(2022, 1)
    assert last_complete_quarter(date(2022, 6, 30)) == Quarter(2021, 4)
    assert last_complete_quarter(date(2023, 1, 1)) == Quarter(2022, 3)


def test_a_trend_counts_every_measure_as_each_quarter_on_its_own(people):  # noqa: F811
    hand_counted(people)
    make_target("good_or_better", 0.6, applies_from=date(2021, 9, 1))
    make_target("good_or_better", 0.7, applies_from=date(2022, 9, 1))
    db.session.commit()
    quarters = quarters_between(Quarter(2021, 4), Quarter(2022, 4))
    trend = compute_by_period(quarters)
    assert pairs(trend) == one_at_a_time(quarters)
    found = {(r.period.code, r.measure.key): r for r in trend}
    # A8 (23:30 UK time on 30 June) in Q1; the rest in Q2; the later round in Q3.
    assert found[("2022-Q1", "good_or_better")].figure.denominator == 1
    assert (found[("2022-Q2", "good_or_better")].figure.numerator,
            found[("2022-Q2", "good_or_better")].figure.denominator) == (4, 6)
    assert found[("2022-Q3", "moderation_coverage")].figure.denominator == 9
    # Each quarter is judged against the target in force on its last day.
    assert found[("2022-Q1", "good_or_better")].target.rate == 0.6
    assert found[("2022-Q2", "good_or_better")].target.rate == 0.7
    assert found[("2021-Q4", "good_or_better")].figure.denominator == 0


def test_a_trend_for_a_team_is_the_teams_figures(people):  # noqa: F811
    hand_counted(people)
    named, narrowing = find_scope("team", "Macclesfield CIN/CP")
    quarters = quarters_between(Quarter(2022, 1), Quarter(2022, 3))
    measures = headline.headline_measures(named)
    assert "moderation_coverage" not in [m.key for m in measures]
    trend = compute_by_period(quarters, Scope(**narrowing), named, measures=measures)
    assert pairs(trend) == one_at_a_time(quarters, Scope(**narrowing), named, measures)
    assert {r.scope for r in trend} == {"team:Macclesfield CIN/CP"}


def test_the_action_measures_and_coverage_by_quarter(users):
    seed_activity(factories.make_template(slug="dashboard-figures"), demo_users())
    db.session.commit()
    quarters = quarters_between(Quarter(2026, 1), Quarter(2027, 1))
    measures = [catalogue.find(key) for key in headline.HEADLINE]
    trend = compute_by_period(quarters, measures=measures)
    assert pairs(trend) == one_at_a_time(quarters, measures=measures)
    counted = {(r.period.code, r.measure.key): r.figure.denominator for r in trend}
    assert counted[("2026-Q2", "good_or_better")] > 0
    assert counted[("2026-Q3", "actions_on_time")] > 0
    assert counted[("2026-Q3", "dip_sample_followed_up")] > 0
    scope = Scope(start=quarters[0].start, end=quarters[-1].end)
    by_quarter = coverage_by_period(scope, quarters)
    for quarter in quarters:
        alone = coverage(replace(scope, start=quarter.start, end=quarter.end))
        if alone.rounds:
            assert by_quarter[quarter.code] == alone
        else:
            assert quarter.code not in by_quarter


def test_targets_in_force_on_several_days_in_one_query(people, app):  # noqa: F811
    make_target("agreement", 0.8, applies_from=date(2021, 9, 1))
    make_target("agreement", 0.9, applies_from=date(2022, 9, 1))
    make_target("agreement", 0.5, applies_from=date(2021, 9, 1), scope_kind="team",
                scope_ref="7")
    db.session.commit()
    days = [date(2021, 8, 31), date(2022, 8, 31), date(2022, 9, 30)]
    found = {}
    assert statements(lambda: found.update(in_force_on(["agreement"], days))) == 1
    assert found[days[0]].find("agreement") is None
    assert found[days[1]].find("agreement").rate == 0.8
    assert found[days[2]].find("agreement").rate == 0.9
    assert found[days[2]].find("agreement", [("team", "7")]).rate == 0.5


def behind_totals(measure, period, scope):
    rows = audits_behind(measure, period, scope).subquery()
    audits, counted, numerator = db.session.execute(select(
        func.count(), func.coalesce(func.sum(rows.c.counted), 0),
        func.coalesce(func.sum(rows.c.in_numerator), 0))).one()
    return audits, counted, numerator


@pytest.mark.parametrize("scope_name", [None, ("team", "Crewe CIN/CP"),
                                        ("service", "Children in Need and Child Protection")])
def test_the_audits_behind_each_figure_add_up_to_it(people, scope_name):  # noqa: F811
    hand_counted(people)
    named, narrowing = find_scope(*scope_name) if scope_name else (ALL, {})
    scope = Scope(**narrowing)
    checked = 0
    for result in compute(Q2, scope, named):
        measure = result.measure
        if not has_audits_behind(measure):
            assert measure.key == "moderation_coverage"
            continue
        audits, counted, numerator = behind_totals(measure, Q2, scope)
        assert (numerator, counted) == (result.figure.numerator, result.figure.denominator), \
            measure.key
        if measure.family == "audits":
            assert audits == counted  # one unit per audit
        checked += 1
    assert checked == len(catalogue.MEASURES) - 1  # all but coverage


def test_the_audits_behind_the_action_figures_add_up_to_them(users):
    seed_activity(factories.make_template(slug="dashboard-behind"), demo_users())
    db.session.commit()
    quarter = Quarter(2026, 3)
    for key in ("actions_on_time", "dip_sample_followed_up"):
        measure = catalogue.find(key)
        figure = compute(quarter, measures=[measure])[0].figure
        assert figure.denominator > 0
        _audits, counted, numerator = behind_totals(measure, quarter, Scope())
        assert (numerator, counted) == (figure.numerator, figure.denominator)


def test_quarter_figures_hold_the_headline_trend_and_domains(people):  # noqa: F811
    hand_counted(people)
    figures = headline.quarter_figures(Q2, Scope(), ALL, quarters=4)
    assert [q.code for q in figures.quarters] == ["2021-Q3", "2021-Q4", "2022-Q1", "2022-Q2"]
    assert [r.measure.key for r in figures.headline] == list(headline.HEADLINE)
    alone = {r.measure.key: r for r in compute(Q2)}
    for result in figures.headline:
        assert result.period == Q2
        assert result.figure == alone[result.measure.key].figure
    domains = {r.measure.key: r.figure for key in headline.BY_DOMAIN
               for r in figures.by_domain[key]}
    assert (domains["domain_good_or_better:management_oversight"].numerator,
            domains["domain_good_or_better:management_oversight"].denominator) == (4, 7)
    assert (domains["compliance:voice_of_child"].numerator,
            domains["compliance:voice_of_child"].denominator) == (4, 6)
    named, narrowing = find_scope("team", "Crewe CIN/CP")
    team = headline.quarter_figures(Q2, Scope(**narrowing), named)
    assert "moderation_coverage" not in team.trends
    by_team = {r.group.name: r.figure for r in headline.by_team(
        catalogue.find("good_or_better"), Q2, Scope(), ALL)}
    assert {name: (f.numerator, f.denominator) for name, f in by_team.items()} == {
        "Crewe CIN/CP": (4, 5), "Macclesfield CIN/CP": (0, 1)}




def test_quarter_figures_take_the_same_queries_for_more_data_and_more_quarters(people):  # noqa: F811
    hand_counted(people, "-x1")
    named, narrowing = find_scope("team", "Crewe CIN/CP")

    def council(quarters=8):
        return lambda: headline.quarter_figures(Q2, Scope(), ALL, quarters=quarters)

    def team():
        headline.quarter_figures(Q2, Scope(**narrowing), named)

    once = (statements(council()), statements(team))
    for copy in range(2, 11):
        hand_counted(people, f"-x{copy}")
    db.session.expire_all()
    assert compute(Q2, measures=[catalogue.find("good_or_better")])[0].figure.denominator == 60
    # The trend: audits, coverage, two action measures, targets; the domains: graded and
    # yes/no answers, targets. A team has no coverage.
    assert once == (statements(council()), statements(team)) == (8, 7)
    assert statements(council(2)) == statements(council(40)) == 8
