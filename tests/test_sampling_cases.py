"""Random draws of cases: the pure sampler, the sampling frame's filter, skipping recently
audited cases, reproducibility through the service, and round-robin allocation."""

import ast
import random
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_app.extensions import db
from audit_app.models import COHORTS, Case, Team
from audit_app.programmes import sampling, services
from audit_app.programmes.services import DrawFilter, assign_round_robin, sampling_frame
from audit_app.timeutil import utcnow
from tests import factories

SETTINGS = settings(database=None, max_examples=100, deadline=None)
DB_SETTINGS = settings(
    database=None, max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the register is read-only
)
seeds = st.integers(min_value=0, max_value=sampling.MAX_SEED)


# --- the pure sampler ------------------------------------------------------------------------


def test_the_sampler_needs_neither_flask_nor_the_database():
    tree = ast.parse(Path(sampling.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported <= {"secrets", "numpy"}


def test_same_seed_and_frame_give_the_same_cases_in_the_same_order():
    frame = list(range(100, 200))
    first = sampling.draw(frame, 20220701, 9)
    assert first == sampling.draw(frame, 20220701, 9)
    assert sampling.draw(frame, 20220702, 9) != first
    # Pinned: a change of generator or method would silently break old draws' reproducibility.
    assert first == [199, 108, 150, 109, 103, 155, 105, 162, 178]


@SETTINGS
@given(st.lists(st.integers(), unique=True, max_size=80), seeds,
       st.integers(min_value=0, max_value=100))
def test_a_draw_is_a_subset_without_duplicates_of_size_min_n_frame(frame, seed, n):
    drawn = sampling.draw(frame, seed, n)
    assert len(drawn) == min(n, len(frame))
    assert len(set(drawn)) == len(drawn)
    assert set(drawn) <= set(frame)
    assert drawn == sampling.draw(frame, seed, n)


@SETTINGS
@given(st.lists(st.integers(), unique=True, min_size=1, max_size=40), seeds)
def test_asking_for_more_than_the_frame_draws_the_whole_frame(frame, seed):
    assert sorted(sampling.draw(frame, seed, len(frame) + 5)) == sorted(frame)


def test_fresh_seeds_fit_a_signed_64_bit_column_and_bad_seeds_are_refused():
    assert all(0 <= sampling.fresh_seed() <= sampling.MAX_SEED for _ in range(50))
    with pytest.raises(ValueError):
        sampling.draw([1, 2], -1, 1)
    with pytest.raises(ValueError):
        sampling.draw([1, 2], sampling.MAX_SEED + 1, 1)


def _template():
    # Its own slug: seed-demo may load the built-in templates, whose slugs are taken.
    return factories.make_template(slug="sampling-tests", name="Sampling tests template")


# --- the sampling frame ----------------------------------------------------------------------

TEAM_NAMES = ["Crewe CIN/CP", "Macclesfield CIN/CP", "Care Leavers", "Fostering"]


@pytest.fixture
def register(app, users):
    """40 cases over four teams, with mixed cohorts and dates, and a programme holding two."""
    rng = random.Random(7)
    cases = []
    for i in range(40):
        opened = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 900))
        closed = opened + timedelta(days=rng.randrange(0, 400)) if rng.random() < 0.4 else None
        cohorts = rng.sample(sorted(COHORTS), rng.randrange(1, 3))
        cases.append(factories.make_case(
            reference=f"LCS-{2000 + i}", team_name=rng.choice(TEAM_NAMES), cohorts=cohorts,
            opened_on=opened, closed_on=closed))
    programme = factories.make_programme(_template())
    for case in cases[:2]:
        factories.make_audit(programme, case, users["auditor"])
    db.session.commit()
    return SimpleNamespace(programme=programme, cases=cases, in_programme={c.id for c in cases[:2]})


team_choices = st.lists(st.sampled_from(TEAM_NAMES), unique=True, max_size=3)
cohort_choices = st.lists(st.sampled_from(sorted(COHORTS)), unique=True, max_size=3)
open_dates = st.one_of(st.none(), st.dates(min_value=date(2023, 6, 1),
                                           max_value=date(2027, 1, 1)))


@DB_SETTINGS
@given(teams=team_choices, cohorts=cohort_choices, open_on=open_dates,
       n=st.integers(min_value=1, max_value=45), seed=seeds)
def test_every_drawn_case_matches_the_filter(register, teams, cohorts, open_on, n, seed):
    team_ids = tuple(db.session.scalar(db.select(Team.id).where(Team.name == t)) for t in teams)
    flt = DrawFilter(team_ids=team_ids, cohorts=tuple(cohorts), open_on=open_on)
    frame, skipped = sampling_frame(register.programme.id, flt)
    # The database's filter agrees with the rule in words, case by case.
    expected = sorted(c.id for c in register.cases
                      if flt.matches(c) and c.id not in register.in_programme)
    assert frame == expected and skipped == 0
    drawn = sampling.draw(frame, seed, n)
    assert len(drawn) == min(n, len(frame)) and len(set(drawn)) == len(drawn)
    for case in (db.session.get(Case, i) for i in drawn):
        assert flt.matches(case)
        assert case.id not in register.in_programme


def test_a_case_is_open_on_a_date_from_its_opening_to_its_closing_day(app, users):
    factories.make_case("OPEN-1", opened_on=date(2026, 3, 1), closed_on=date(2026, 3, 31))
    factories.make_case("OPEN-2", opened_on=date(2026, 4, 1))
    programme = factories.make_programme(_template())
    db.session.commit()

    def refs(day):
        frame, _ = sampling_frame(programme.id, DrawFilter(open_on=day))
        return sorted(db.session.get(Case, i).reference for i in frame)

    assert refs(date(2026, 3, 1)) == ["OPEN-1"]
    assert refs(date(2026, 3, 31)) == ["OPEN-1"]
    assert refs(date(2026, 4, 1)) == ["OPEN-2"]
    assert refs(date(2026, 2, 28)) == []


# --- skipping cases audited in the last 12 months --------------------------------------------


def test_cases_audited_in_the_last_12_months_are_skipped_and_counted(app, users):
    now = utcnow()
    template = _template()
    this = factories.make_programme(template, name="This quarter")
    earlier = factories.make_programme(template, name="Earlier")
    other = factories.make_programme(template, name="Running alongside")
    auditor = users["auditor"]

    def audited(reference, programme, status, submitted_days_ago=None):
        case = factories.make_case(reference)
        audit = factories.make_audit(programme, case, auditor, status=status)
        if submitted_days_ago is not None:
            audit.submitted_at = now - timedelta(days=submitted_days_ago)
        return case

    fresh = factories.make_case("NEVER-AUDITED")
    audited("SUBMITTED-100-DAYS", earlier, "submitted", 100)
    audited("SUBMITTED-364-DAYS", earlier, "submitted", 364)
    old = audited("SUBMITTED-400-DAYS", earlier, "submitted", 400)
    audited("ALLOCATED-ELSEWHERE", other, "allocated")
    audited("IN-PROGRESS-ELSEWHERE", other, "in_progress")
    audited("RETURNED-ELSEWHERE", other, "returned", 30)
    audited("ALREADY-HERE", this, "allocated")  # excluded from the frame, not "skipped"
    db.session.commit()

    frame, skipped = sampling_frame(this.id, DrawFilter(), now=now)
    assert sorted(frame) == sorted([fresh.id, old.id])
    assert skipped == 5

    frame, skipped = sampling_frame(this.id, DrawFilter(), include_recent=True, now=now)
    assert len(frame) == 7 and skipped == 0


def test_a_draw_records_how_many_were_skipped_and_says_so(client, login, users):
    template = _template()
    programme = factories.make_programme(template)
    earlier = factories.make_programme(template, name="Earlier")
    for i in range(3):
        factories.make_case(f"FREE-{i}")
    for i in range(2):
        audit = factories.make_audit(earlier, factories.make_case(f"DONE-{i}"), users["auditor"],
                                     status="submitted")
        audit.submitted_at = utcnow() - timedelta(days=60)
    db.session.commit()
    login("moderator")
    response = client.submit(f"/programmes/{programme.id}/draw", {
        "requested": "10", "seed": "42", "auditor_ids": [str(users["auditor"].id)]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    banner = page.soup.select_one(".govuk-notification-banner").get_text(" ", strip=True)
    assert "only 3 matched the filter, so all of them were drawn (you asked for 10)" in banner
    assert "2 cases were skipped because they were audited in the last 12 months" in banner
    [draw] = programme.draws
    assert (draw.requested, draw.frame_size, draw.skipped_recent, draw.include_recent) == (
        10, 3, 2, False)


# --- reproducibility through the service -----------------------------------------------------


def _draw(programme, seed, users, include_recent=False, **flt):
    outcome = services.draw_cases(
        programme, flt=DrawFilter(**flt), requested=6, seed=seed, include_recent=include_recent,
        auditor_ids=[users["auditor"].id], policy="warn")
    db.session.commit()
    return [a.case.reference for a in outcome.allocations]


def test_the_same_seed_filter_and_register_draw_the_same_cases(app, users):
    for i in range(30):
        factories.make_case(f"LCS-{3000 + i}", team_name=TEAM_NAMES[i % 2],
                            cohorts=("child_in_need",) if i % 3 else ("child_protection",))
    template = _template()
    first, second, third = (factories.make_programme(template, name=n) for n in "ABC")
    crewe = factories.team("Crewe CIN/CP").id
    # Cases drawn into one programme count as audited for the next unless included; include
    # them so the three draws see the same frame.
    a = _draw(first, 123456789, users, include_recent=True, team_ids=(crewe,))
    b = _draw(second, 123456789, users, include_recent=True, team_ids=(crewe,))
    c = _draw(third, 987654321, users, include_recent=True, team_ids=(crewe,))
    assert a == b
    assert c != a
    assert all(db.session.scalar(db.select(Case.team_id).where(Case.reference == r)) == crewe
               for r in a)
    stored = first.draws[0]
    assert stored.seed == 123456789
    assert stored.filters == {"team_ids": [crewe], "cohorts": [], "open_on": None, "n": 6}
    assert stored.frame_size == 15


def test_a_draw_never_picks_a_case_already_in_the_programme(app, users):
    for i in range(8):
        factories.make_case(f"LCS-{4000 + i}")
    programme = factories.make_programme(_template())
    db.session.commit()
    first = _draw(programme, 1, users)
    second = _draw(programme, 1, users)
    assert len(first) == 6 and len(second) == 2
    assert set(first).isdisjoint(second)


# --- round-robin allocation ------------------------------------------------------------------


def _people(*names):
    return [SimpleNamespace(id=i, name=n) for i, n in enumerate(names, start=1)]


def _cases(*team_ids):
    return [SimpleNamespace(reference=f"C{i}", team_id=t) for i, t in enumerate(team_ids)]


def test_drawn_cases_are_shared_out_in_turn():
    a, b, c = _people("A", "B", "C")
    plan = assign_round_robin(_cases(1, 1, 1, 1, 1, 1, 1), [a, b, c], "warn", {})
    assert [auditor.name for _, auditor, _ in plan] == list("ABCABCA")
    assert not any(conflict for *_, conflict in plan)


def test_an_auditor_who_manages_the_team_is_skipped_but_keeps_their_turn():
    a, b, c = _people("A", "B", "C")
    cases = _cases(1, 2, 1, 1)
    plan = assign_round_robin(cases, [a, b, c], "block", {b.id: {2}})  # B manages team 2
    # C takes the case B manages; B is next in line for the following case.
    assert [auditor.name for _, auditor, _ in plan] == ["A", "C", "B", "A"]
    assert not any(conflict for *_, conflict in plan)


def test_when_every_auditor_has_a_conflict_warn_flags_and_block_refuses():
    [a] = _people("A")
    cases = _cases(1, 2)
    plan = assign_round_robin(cases, [a], "warn", {a.id: {1}})
    assert [(case.reference, conflict) for case, _, conflict in plan] == [
        ("C0", True), ("C1", False)]
    with pytest.raises(services.Unallocatable) as refused:
        assign_round_robin(cases, [a], "block", {a.id: {1}})
    assert [c.reference for c in refused.value.cases] == ["C0"]


def test_a_draw_spreads_cases_over_auditors_without_conflicts(app, users):
    sam, aisha = users["manager"], users["auditor"]  # Sam manages Crewe CIN/CP
    for i in range(6):
        factories.make_case(f"LCS-{5000 + i}",
                            team_name="Crewe CIN/CP" if i < 3 else "Macclesfield CIN/CP")
    programme = factories.make_programme(_template())
    db.session.commit()
    outcome = services.draw_cases(programme, flt=DrawFilter(), requested=6, seed=5,
                                  auditor_ids=[sam.id, aisha.id], policy="block")
    db.session.commit()
    for allocation in outcome.allocations:
        assert not allocation.conflict
        if allocation.case.team.name == "Crewe CIN/CP":
            assert allocation.auditor.id == aisha.id
    assert {a.auditor.id for a in outcome.allocations} == {sam.id, aisha.id}
