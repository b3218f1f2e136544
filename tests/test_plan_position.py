"""Where the plan stands in a quarter (audit_app/plan/position.py): the reference plan, loaded
as seed-demo loads it, over tests/test_measures.py's hand-counted audits of Q2 2022-23.

Its computed figures are the measures' own (compute), judged against the reference targets;
its hand-entered ones are the reference document's. The statements it makes, and the plan
page's, do not grow with ten times the data.
"""

import time
from datetime import date

from sqlalchemy import func, select

from audit_app.admin.targets import load_reference_targets
from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.compute import compute
from audit_app.measures.periods import Quarter
from audit_app.measures.scope import Named, Scope
from audit_app.models import Event, OutcomeMeasure, PlanAction, ProgressUpdate, Recommendation
from audit_app.plan import records
from audit_app.plan.position import plan_position
from audit_app.plan.progress import ACHIEVED, BELOW, ON_TRACK, TOO_SMALL
from audit_app.plan.seed import load_plan
from tests.conftest import TEST_PASSWORD
from tests.pages import CheckingClient
from tests.queries import statements
from tests.test_measures import hand_counted, people  # noqa: F401 (a fixture)

Q2 = Quarter(2022, 2)


def by_description(positions):
    return {m.measure.description: m for r in positions for m in r.measures}




def test_the_reference_plan_loads_as_seed_demo_loads_it(app, users):
    started = time.perf_counter()
    assert load_plan() == 8
    db.session.commit()
    assert time.perf_counter() - started < 10  # seed-demo stays quick
    assert [r.number for r in db.session.scalars(
        select(Recommendation).order_by(Recommendation.number))] == list(range(1, 9))
    assert db.session.scalar(select(func.count(OutcomeMeasure.id))) == 17
    assert db.session.scalar(select(func.count(PlanAction.id))) == 42
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 42
    assert db.session.scalar(select(func.count(Event.id)).where(
        Event.entity_type.like("plan_%"))) == 8 + 17 + 18 + 10 + 42 + 42
    computed = db.session.scalars(select(OutcomeMeasure).where(
        OutcomeMeasure.measure_key.is_not(None))).all()
    assert sorted((m.measure_key, m.scope_kind, m.scope_ref) for m in computed) == [
        ("agreement", "all", ""), ("compliance:family_networking", "all", ""),
        ("domain_good_or_better:drift_delay", "cohort", "pre_proceedings"),
        ("domain_good_or_better:management_oversight", "all", ""),
        ("good_or_better", "all", ""), ("good_or_better", "cohort", "homeless_16_17"),
        ("good_or_better", "cohort", "private_fostering")]
    shown = by_description(plan_position(Q2))
    # The reference document's Q2 2022-23 position, judged by the rule.
    assessments = shown["Assessments completed within 45 days"].progress
    assert (assessments.code, assessments.basis_note) == (
        BELOW, "Judged on the value alone: entered without a denominator")
    carers = shown["Assessments of new foster carers completed within 16 weeks"]
    assert carers.figure_text == "0% (0 of 2; 95% CI 0%–66%)"
    assert carers.progress.code == TOO_SMALL  # the document says "Below target"
    assert shown["Children and young people feel safe in their accommodation"
                 ].progress.code == ACHIEVED
    assert shown["Audit recommendations followed up for every child whose records are "
                 "audited"].progress.code == ON_TRACK
    [first] = plan_position(Q2, db.session.scalar(select(Recommendation.id).where(
        Recommendation.number == 1)))
    assert [a.action.reference for a in first.actions] == [f"1{c}" for c in "abcdefgh"]
    assert first.actions[2].status_label == "Completed"


def test_computed_figures_are_the_measures_own(people):  # noqa: F811 (the fixture)
    hand_counted(people)
    load_reference_targets()
    load_plan()
    db.session.commit()
    shown = by_description(plan_position(Q2))
    for description, key, scope, counts in [
        ("Audited cases good or better quality", "good_or_better", Scope(), (4, 6)),
        ("Privately fostered cases audited good or outstanding", "good_or_better",
         Scope(cohort="private_fostering"), (1, 1)),
        ("Internal auditors' judgements agreed as accurate by the external auditor",
         "agreement", Scope(), (1, 4)),
        ("Audited cases with good management oversight",
         "domain_good_or_better:management_oversight", Scope(), (4, 7)),
    ]:
        [result] = compute(Q2, scope, named=Named("cohort" if scope.cohort else "all"),
                           measures=[catalogue.BY_KEY[key]])
        figure = shown[description].figure
        assert figure == result.figure and (figure.numerator, figure.denominator) == counts
    good = shown["Audited cases good or better quality"].progress
    assert (good.code, good.in_force.rate, good.in_force.applies_from) == (
        TOO_SMALL, 0.7, date(2022, 9, 1))
    assert shown["Internal auditors' judgements agreed as accurate by the external auditor"
                 ].progress.code == BELOW  # 1 of 4 against 90%: clear enough


def test_a_scope_with_its_own_targets_uses_them_after_the_councils(app, users):
    load_reference_targets()
    recommendation = records.create_recommendation({
        "number": 1, "title": "Improve assessments.", "source": "ILACS November 2019",
        "findings": "Too variable."})
    measure = records.create_measure(recommendation, {
        "description": "Private fostering audits good or better", "figure": "good_or_better",
        "applies_to": "all:", "baseline_value": 0.45, "baseline_on": date(2020, 11, 30)})
    own = records.targets_of(measure)
    assert [(t.rate, t.applies_from) for t in own] == [(0.6, date(2021, 9, 1)),
                                                      (0.7, date(2022, 9, 1))]
    team = records.create_measure(recommendation, {
        "description": "Crewe's audits good or better", "figure": "good_or_better",
        "applies_to": f"team:{users['manager'].team_id}", "baseline_value": 0.45,
        "baseline_on": date(2020, 11, 30)})
    records.create_target(team, {"rate": 0.75, "applies_from": date(2022, 4, 1),
                                 "text": "Crewe: 75%"})
    # The council's 60% until Crewe's own target starts; the council's later one is not Crewe's.
    assert [(t.rate, t.applies_from) for t in records.targets_of(team)] == [
        (0.6, date(2021, 9, 1)), (0.75, date(2022, 4, 1))]


def test_statements_do_not_grow_with_ten_times_the_data(app, people):  # noqa: F811
    hand_counted(people, "-x1")
    load_reference_targets()
    load_plan()
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = CheckingClient
    leader = app.test_client()
    leader.post("/sign-in", data={"email": "leader@example.org.uk", "password": TEST_PASSWORD})
    recommendation = db.session.scalar(select(Recommendation.id).where(
        Recommendation.number == 2))
    pages = ["/plan/?quarter=2022-Q2", f"/plan/recommendations/{recommendation}?quarter=2022-Q2"]

    def counted():
        db.session.expire_all()
        found = [statements(lambda: plan_position(Q2))]
        for page in pages:
            leader.get(page)  # the first render compiles templates
            found.append(statements(lambda page=page: leader.get(page)))
        return found

    once = counted()
    for copy in range(2, 11):
        hand_counted(people, f"-x{copy}")
    entered = db.session.scalars(select(OutcomeMeasure).where(
        OutcomeMeasure.measure_key.is_(None))).all()
    for measure in entered:
        for quarter in ("2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4", "2022-Q1", "2022-Q3",
                        "2022-Q4", "2023-Q1", "2023-Q2"):
            records.create_figure(measure, {"quarter": quarter, "value": 0.5,
                                            "source": "LCS"})
    for action in db.session.scalars(select(PlanAction)).all():
        for day in range(1, 10):
            records.create_update(action, {"written_on": date(2023, 2, day), "text": "More.",
                                           "status": "ongoing"})
    db.session.commit()
    ten_times = counted()
    assert db.session.scalar(select(func.count(ProgressUpdate.id))) == 420
    assert once == ten_times
    # The records, three scope names, and compute for the four scopes the plan counts in.
    assert once[0] < 40
