"""Dip-sample figures against hand-counted fixtures: actions confirmed followed up (not yet due
left out, counted by the UK day of the check) and coverage against the plan."""

import json
from datetime import date

import pytest

from audit_app.dip_samples import checks, figures
from audit_app.dip_samples.checks import Finding
from audit_app.extensions import db
from audit_app.measures.figures import Figure
from audit_app.measures.periods import Quarter
from audit_app.models import Action, Case
from audit_app.settings import set_setting
from audit_app.stats import wilson_interval
from tests import factories
from tests.action_factories import manager_of, open_action
from tests.dip_factories import completed_actions, drawn_round
from tests.moderation_factories import make_user

Q3 = Quarter(2026, 3)  # October to December 2026
FOUND = {"evidence": "Seen on the record.", "impact": "Visits are now weekly."}


def _check(sampled, action, lead, outcome, day):
    return checks.record_check(sampled, action, lead, action.row_version,
                               Finding(outcome, **(FOUND if outcome != "not_yet_due" else {})),
                               today=day)


def _checked(users):
    """Hand count, Q3 2026-27: followed up 3 (one on 31 December, one Macclesfield), partly 1,
    not followed up 1, so 3 of 5 (Crewe 2 of 4, Macclesfield 1 of 1); not yet due 2 (left
    out); one followed up on 1 January 2027 (Q4). Returns the Crewe actions."""
    auditor, manager, lead = users["auditor"], users["manager"], users["practice_lead"]
    crewe = completed_actions(auditor, manager, count=5, reference="LCS-G01")
    maccles = completed_actions(auditor, manager_of("Macclesfield CIN/CP"), count=2,
                                reference="LCS-G02",
                                team_name="Macclesfield CIN/CP")
    waiting = [open_action(auditor, reference=f"LCS-G0{n}", due_on=date(2026, 12, 21))
               for n in (3, 4)]
    round_ = drawn_round(lead)
    sampled = {s.case_id: s for s in round_.cases}

    def on(action):
        return sampled[action.case_id]

    for action, outcome, day in (
            (crewe[0], "followed_up", date(2026, 12, 10)),
            (crewe[1], "followed_up", date(2026, 12, 31)),
            (crewe[2], "partly", date(2026, 12, 10)),
            (crewe[3], "not_followed_up", date(2026, 12, 10)),
            (crewe[4], "followed_up", date(2027, 1, 1)),
            (maccles[0], "followed_up", date(2026, 12, 10)),
            (waiting[0], "not_yet_due", date(2026, 12, 10)),
            (waiting[1], "not_yet_due", date(2026, 12, 10))):
        typed = {"due_on": date(2027, 2, 1), "reason": "No note."} \
            if outcome == "not_followed_up" else {}
        checks.record_check(on(action), action, lead, action.row_version,
                            Finding(outcome, **(FOUND if outcome != "not_yet_due" else {}),
                                    **typed), today=day)
    db.session.flush()
    return crewe


def test_confirmed_followed_up_counts_judged_checks_in_the_quarter(users):
    crewe = _checked(users)
    figure = figures.confirmed_followed_up(Q3)
    assert figure == Figure.from_counts(3, 5)
    assert (figure.ci_low, figure.ci_high) == wilson_interval(3, 5)
    assert figure.summary() == "60% (3 of 5; 95% CI 23%–88%)"
    assert figures.confirmed_followed_up(Q3.next()) == Figure.from_counts(1, 1)
    scoped = figures.confirmed_followed_up(Q3, [Action.case_id.in_(
        db.select(Case.id).where(Case.team_id == crewe[0].case.team_id))])
    assert scoped == Figure.from_counts(2, 4)
    assert figures.confirmed_followed_up(Quarter(2026, 2)).summary() == "No data (0 of 0)"


def test_followed_up_through_the_measures_command(users, app):
    """The catalogue counts with the page's definition, by the team of the action's audit."""
    _checked(users)
    db.session.commit()
    runner = app.test_cli_runner()

    def rows(period, *args):
        result = runner.invoke(args=["measures", "--period", period, "--measure",
                                     "dip_sample_followed_up", *args, "--json"])
        assert result.exit_code == 0, result.output
        return [(r["scope"], r["numerator"], r["denominator"], r["value"], r["ci_low"],
                 r["ci_high"]) for r in json.loads(result.output)]

    assert rows("2026-Q3") == [("all", 3, 5, 0.6, *wilson_interval(3, 5))]
    assert rows("2026-Q3", "--by", "team") == [
        ("team:Crewe CIN/CP", 2, 4, 0.5, *wilson_interval(2, 4)),
        ("team:Macclesfield CIN/CP", 1, 1, 1.0, *wilson_interval(1, 1))]
    assert rows("2026-12") == [("all", 3, 5, 0.6, *wilson_interval(3, 5))]
    assert rows("2026-27") == [("all", 4, 6, 4 / 6, *wilson_interval(4, 6))]
    assert rows("2026-Q2") == [("all", 0, 0, None, None, None)]


def test_coverage_counts_cases_done_per_practice_lead_and_month(users):
    """Hand count: the demo lead's December round (Crewe) has 3 cases, 1 done (its one action
    checked); another lead's November round (Macclesfield) has 1 case, done; a lead with no
    rounds shows nothing done; the plan is the admin setting."""
    auditor, manager = users["auditor"], users["manager"]
    lead = users["practice_lead"]
    other = make_user("Another Lead", roles=("practice_lead",))
    make_user("Idle Lead", roles=("practice_lead",))
    [checked] = completed_actions(auditor, manager, reference="LCS-V01")
    completed_actions(auditor, manager, reference="LCS-V02")
    completed_actions(auditor, manager, reference="LCS-V03")
    [theirs] = completed_actions(auditor, manager_of("Macclesfield CIN/CP"),
                                 reference="LCS-V04",
                                 team_name="Macclesfield CIN/CP")
    december = drawn_round(lead, team_id=factories.team("Crewe CIN/CP").id)
    november = drawn_round(other, month=date(2026, 11, 1),
                           team_id=factories.team("Macclesfield CIN/CP").id)
    in_december = next(s for s in december.cases if s.case_id == checked.case_id)
    _check(in_december, checked, lead, "followed_up", date(2026, 12, 10))
    _check(november.cases[0], theirs, other, "partly", date(2026, 12, 10))
    db.session.flush()
    months = figures.quarter_months(Q3)
    assert months == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    rows = {row.lead.name: [(c.done, c.sampled) for c in row.cells]
            for row in figures.coverage(months)}
    assert rows == {"Priya Practice-Lead": [(0, 0), (0, 0), (1, 3)],
                    "Another Lead": [(0, 0), (1, 1), (0, 0)],
                    "Idle Lead": [(0, 0), (0, 0), (0, 0)]}
    assert [row.done for row in figures.coverage(months)] == [1, 0, 1]  # by name
    assert figures.coverage(figures.quarter_months(Q3.next()))[0].cells[0].sampled == 0
    assert figures.plan() == 8
    for refused in ("0", "51", "abc", "", None):
        with pytest.raises(ValueError, match="from 1 to 50"):
            set_setting("dip_sample_plan", refused, "0")
    set_setting("dip_sample_plan", "6", "0")
    assert figures.plan() == 6
