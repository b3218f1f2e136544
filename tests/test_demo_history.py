"""The demo's history (audit_app/demo_history.py): three years of audits, moderations,
actions and dip samples whose figures tell the reference action plan's story, loaded by
seed-demo alone (the test fixtures' demo organisation has none of it)."""

import json
import time

from sqlalchemy import func, select

from audit_app.admin.targets import load_reference_targets
from audit_app.demo_activity import demo_users
from audit_app.demo_history import QUARTERS, Loaded, seed_history
from audit_app.dip_samples import rounds as dip_rounds
from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.compute import compute
from audit_app.measures.periods import FinancialYear, Quarter
from audit_app.models import (
    Action,
    Audit,
    Case,
    Event,
    Moderation,
    ModerationRound,
    ModerationSample,
    Team,
)
from audit_app.models.actions import OPEN, PROPOSED
from audit_app.moderation.rounds import frame_for
from audit_app.moderation.sampling import draw_sample
from audit_app.plan.seed import load_plan


def figure(period, key):
    [result] = compute(period, measures=[catalogue.find(key)])
    return result.figure


def test_the_history_shows_three_years_of_improvement_and_leaves_nothing_open(app, users):
    assert db.session.scalar(select(func.count(Audit.id))) == 0  # none in the fixtures
    people = demo_users()
    started = time.perf_counter()
    loaded = seed_history(people)
    db.session.commit()
    assert time.perf_counter() - started < 10  # seed-demo stays quick
    # The seed makes the same history every time.
    assert loaded == Loaded(audits=988, answers=18772, moderations=188, actions=872,
                            dip_sample_checks=119)

    # Every team audited every quarter from April 2020 to March 2023.
    assert [q.code for q in (QUARTERS[0], QUARTERS[-1])] == ["2020-Q1", "2022-Q4"]
    teams = db.session.scalar(select(func.count(Team.id)))
    for quarter in QUARTERS:
        by_team = compute(quarter, by="team", measures=[catalogue.find("good_or_better")])
        assert len(by_team) == teams == 7
        assert all(8 <= r.figure.denominator <= 15 for r in by_team), quarter

    # Quality improves from about the plan's baseline (45% in November 2020).
    first, last = figure(Quarter(2020, 1), "good_or_better"), figure(Quarter(2022, 4),
                                                                      "good_or_better")
    assert first.value < 0.45 < 0.6 < last.value
    assert 0.35 < figure(Quarter(2020, 3), "good_or_better").value < 0.55
    # So do oversight, family networking, auditors' accuracy and actions on time.
    for key in ("good_or_better", "domain_good_or_better:management_oversight",
                "compliance:family_networking", "agreement", "actions_on_time"):
        assert figure(FinancialYear(2020), key).value + 0.15 < figure(
            FinancialYear(2022), key).value, key
    assert figure(Quarter(2022, 1), "dip_sample_followed_up").value < figure(
        Quarter(2022, 4), "dip_sample_followed_up").value
    assert figure(FinancialYear(2021), "dip_sample_followed_up").denominator == 0
    # Over-optimism shows: auditors' own grades above the moderated ones early on.
    assert figure(FinancialYear(2020), "good_or_better_as_audited").numerator > figure(
        FinancialYear(2020), "good_or_better").numerator
    # The QA officer moderated 9 every quarter.
    for quarter in QUARTERS[:4]:
        coverage = figure(quarter, "moderation_coverage")
        assert (coverage.numerator, coverage.denominator) == (9, 9)

    # Every sampled audit moderated; every action closed; every dip sample done.
    samples = db.session.scalar(select(func.count(ModerationSample.id)))
    assert samples == db.session.scalar(select(func.count(Moderation.id)).where(
        Moderation.status == "submitted")) == 188
    assert not db.session.scalar(select(func.count(Action.id)).where(
        Action.status.in_((OPEN, PROPOSED))))
    assert dip_rounds.open_rounds_of(people["practice_lead"]) == []
    # A round's stored seed draws its sample again with the app's own sampler.
    round_ = db.session.scalar(select(ModerationRound).order_by(ModerationRound.id))
    redrawn = draw_sample(frame_for(round_).records, round_.method, round_.quota, round_.seed)
    assert [audit_id for audit_id, _ in redrawn] == [s.audit_id for s in round_.samples]
    # Case references only, apart from the 2026 demo's (LCS-100200 to LCS-100613).
    references = db.session.scalars(select(Case.reference)).all()
    assert all(r.startswith("LCS-2") and r[4:].isdigit() for r in references)
    [event] = db.session.scalars(select(Event).where(Event.entity_type == "demo_history"))
    assert event.after["audits"] == 988 and event.after["from"] == "2020-Q1"


def test_a_leader_sees_the_trend_on_the_plan_and_in_the_measures_command(app, client, login):
    seed_history(demo_users())
    load_reference_targets()
    load_plan()
    db.session.commit()
    login("leader")
    figures = {}
    for code in ("2020-Q3", "2022-Q4"):
        page = client.get(f"/plan/?quarter={code}")
        figures[code] = figure(Quarter.parse(code), "good_or_better")
        assert figures[code].summary() in page.text
    assert figures["2020-Q3"].value < figures["2022-Q4"].value

    result = app.test_cli_runner().invoke(args=[
        "measures", "--period", "2021-22", "--by", "team", "--measure", "good_or_better",
        "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 7 and all(row["denominator"] >= 30 for row in rows)
    assert sum(row["denominator"] for row in rows) == figure(FinancialYear(2021),
                                                            "good_or_better").denominator
