"""Dip-sample rules, called directly: the frame, a reproducible draw, swapping a case,
checking actions through the actions workflow, and every refusal."""

from datetime import date, datetime

import pytest

from audit_app.actions import workflow
from audit_app.audits import workflow as audit_workflow
from audit_app.dip_samples import checks, rounds
from audit_app.dip_samples.checks import Finding
from audit_app.dip_samples.rounds import DipSampleError
from audit_app.extensions import db
from audit_app.models import Action, AuditTemplate, DipSampleCase, Event, Notification, Programme
from audit_app.programmes import sampling
from audit_app.versioning import EditConflict
from tests import factories
from tests.action_factories import manager_of, open_action, open_actions
from tests.dip_factories import (
    MONTH,
    TODAY,
    WINDOW,
    completed_action,
    completed_actions,
    drawn_round,
    make_round,
)
from tests.moderation_factories import make_user

FOUND = {"evidence": "Case note of 25/11/2026 records the new plan.",
         "impact": "The child now sees her sister every week."}


def events(entity_type, action=None):
    query = db.select(Event).where(Event.entity_type == entity_type).order_by(Event.id)
    if action:
        query = query.where(Event.action == action)
    return db.session.scalars(query).all()


def case_ids(round_):
    return [s.case_id for s in round_.cases if s.removed_at is None]


# -- the frame ----------------------------------------------------------------------------------

def test_the_frame_is_the_cases_with_actions_to_check_due_or_completed_in_the_window(users):
    auditor, manager, lead = users["auditor"], users["manager"], users["practice_lead"]
    due_in = open_action(auditor, reference="LCS-F01")  # due 30 November
    done_in = completed_action(auditor, manager, reference="LCS-F02",
                               raised_on=date(2026, 8, 3))  # due in August, done 20 November
    late = open_action(auditor, reference="LCS-F03", raised_on=date(2026, 6, 1))  # due June
    outside = open_action(auditor, reference="LCS-F04", raised_on=date(2027, 1, 4))
    verified = completed_action(auditor, manager, reference="LCS-F05")
    workflow.verify(verified, lead, verified.row_version, "followed_up")
    cancelled = open_action(auditor, reference="LCS-F06")
    workflow.cancel(cancelled, auditor, cancelled.row_version, "Raised twice.")
    elsewhere = open_action(auditor, reference="LCS-F07", team_name="Macclesfield CIN/CP")
    proposed_case = factories.make_case("LCS-F08")
    audit = factories.make_audit(factories.make_programme(factories.make_template()),
                                 proposed_case, auditor)
    audit_workflow.add_recommendation(audit, auditor, "Not raised yet", None, date(2026, 11, 30),
                                      "low")
    db.session.flush()
    everyone = {due_in.case_id, done_in.case_id, elsewhere.case_id}
    assert list(db.session.scalars(rounds.frame_query(*WINDOW))) == sorted(everyone)
    crewe = factories.team("Crewe CIN/CP")
    assert set(db.session.scalars(rounds.frame_query(*WINDOW, team_id=crewe.id))) == {
        due_in.case_id, done_in.case_id}
    assert set(db.session.scalars(rounds.frame_query(*WINDOW, service_id=crewe.service_id))) \
        == everyone  # both CIN/CP teams are in one service
    # The window's ends are included.
    assert set(db.session.scalars(rounds.frame_query(date(2026, 11, 30), date(2026, 11, 30)))) \
        >= {due_in.case_id}
    assert due_in.case_id not in set(db.session.scalars(
        rounds.frame_query(date(2026, 12, 1), date(2026, 12, 31))))
    assert late.case_id not in everyone and outside.case_id not in everyone


# -- drawing ------------------------------------------------------------------------------------

def _cases_with_actions(auditor, count):
    return [open_action(auditor, reference=f"LCS-D{n:03d}").case_id for n in range(count)]


def test_the_draw_is_reproducible_from_the_stored_seed(users):
    lead = users["practice_lead"]
    frame = _cases_with_actions(users["auditor"], 20)
    first = drawn_round(lead, seed=12345)
    again = drawn_round(lead, seed=12345)
    other = drawn_round(lead, seed=54321)
    assert case_ids(first) == case_ids(again) == sampling.draw(sorted(frame), 12345, 8)
    assert case_ids(other) == sampling.draw(sorted(frame), 54321, 8) != case_ids(first)
    assert len(set(case_ids(first))) == 8
    assert (first.seed, first.numpy_version, first.frame_size) == (
        12345, sampling.NUMPY_VERSION, 20)
    drawn = events("dip_sample_round", "drawn")[0]
    assert drawn.after["seed"] == "12345" and drawn.after["frame_case_ids"] == sorted(frame)
    assert drawn.after["case_references"] == [s.case.reference for s in first.cases]
    assert [s.reason for s in first.cases] == ["random"] * 8
    assert [s.position for s in first.cases] == list(range(1, 9))


def test_a_frame_smaller_than_the_size_is_drawn_whole(users):
    frame = _cases_with_actions(users["auditor"], 3)
    round_ = drawn_round(users["practice_lead"], seed=1)
    assert sorted(case_ids(round_)) == frame and round_.frame_size == 3


def test_a_new_seed_is_made_when_none_is_given(users):
    _cases_with_actions(users["auditor"], 2)
    round_ = make_round(users["practice_lead"])
    rounds.draw(round_, users["practice_lead"], round_.row_version)
    assert 0 <= round_.seed <= sampling.MAX_SEED


def test_draw_refusals(users):
    lead = users["practice_lead"]
    other_lead = make_user("Other Lead", roles=("practice_lead",))
    round_ = make_round(lead)
    with pytest.raises(DipSampleError, match="No cases have actions to check"):
        rounds.draw(round_, lead, round_.row_version, seed=1)
    db.session.rollback()
    _cases_with_actions(users["auditor"], 2)
    round_ = make_round(lead)
    with pytest.raises(DipSampleError, match="Only the round's practice lead"):
        rounds.draw(round_, other_lead, round_.row_version)
    with pytest.raises(DipSampleError, match="The seed must be a whole number"):
        rounds.draw(round_, lead, round_.row_version, seed=2**63)
    with pytest.raises(EditConflict):  # the page showed an older version
        rounds.draw(round_, lead, round_.row_version - 1)
    with pytest.raises(EditConflict):
        rounds.draw(round_, lead, "not a number")
    seen = round_.row_version
    rounds.draw(round_, lead, seen, seed=3)
    with pytest.raises(EditConflict):  # drawn once only, even from the same page
        rounds.draw(round_, lead, round_.row_version, seed=3)


def test_a_deactivated_practice_lead_runs_nothing(users):
    _cases_with_actions(users["auditor"], 2)
    lead = users["practice_lead"]
    round_ = make_round(lead)
    lead.active = False
    with pytest.raises(DipSampleError):
        rounds.draw(round_, lead, round_.row_version)


# -- creating a round ---------------------------------------------------------------------------

def test_creating_a_round_is_logged(users):
    lead = users["practice_lead"]
    round_ = make_round(lead, size=5, team_id=factories.team("Crewe CIN/CP").id)
    [created] = events("dip_sample_round", "created")
    assert created.after["size"] == 5 and created.after["month"] == "2026-12-01"
    assert created.actor_id == lead.id and round_.practice_lead_id == lead.id


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"month": date(2026, 12, 2)}, "month", "Select the month"),
    ({"month": date(2025, 11, 1)}, "month", "Select the month"),
    ({"month": date(2027, 3, 1)}, "month", "Select the month"),
    ({"size": 0}, "size", "from 1 to 50"),
    ({"size": 51}, "size", "from 1 to 50"),
    ({"size": None}, "size", "from 1 to 50"),
    ({"window_start": None}, "window_start", "Enter the first day"),
    ({"window_end": None}, "window_end", "Enter the last day"),
    ({"window_end": date(2026, 10, 31)}, "window_end", "the same as or after the first"),
    ({"window_start": date(2020, 1, 1)}, "window_end", "3 years or shorter"),
    ({"window_end": date(2028, 1, 1)}, "window_end", "within a year of today"),
    ({"team_id": "crewe", "service_id": "cin"}, "service_id", "a team or a service, not both"),
    ({"team_id": 99999}, "team_id", "Select a team"),
    ({"service_id": 99999}, "service_id", "Select a service"),
    ({"compliance_template_id": "whole"}, "compliance_template_id", "compliance template"),
])
def test_round_refusals(users, changes, field, message):
    crewe = factories.team("Crewe CIN/CP")
    named = {"crewe": crewe.id, "cin": crewe.service_id,
             "whole": db.session.scalar(db.select(AuditTemplate.id).where(
                 AuditTemplate.slug == "whole-case-file"))}
    values = {"month": MONTH, "size": 8, "window_start": WINDOW[0], "window_end": WINDOW[1],
              "team_id": None, "service_id": None, "compliance_template_id": None}
    values.update({k: named.get(v, v) if isinstance(v, str) else v for k, v in changes.items()})
    with pytest.raises(DipSampleError) as refused:
        rounds.create_round(users["practice_lead"], today=TODAY, **values)
    assert message in refused.value.problems[field]


def test_only_a_practice_lead_starts_a_round(users):
    with pytest.raises(DipSampleError, match="Only a practice lead"):
        make_round(users["moderator"])


# -- swapping -----------------------------------------------------------------------------------

def test_a_case_swapped_by_hand_keeps_the_one_it_replaced_and_why(users):
    lead, auditor = users["practice_lead"], users["auditor"]
    open_action(auditor, reference="LCS-S01")
    spare = open_action(auditor, reference="LCS-S02", raised_on=date(2026, 1, 5))  # not in frame
    round_ = drawn_round(lead)
    [sampled] = round_.cases
    replacement = rounds.swap(sampled, lead, round_.row_version, "lcs-s02 ",
                              "The case closed last week.")
    assert (replacement.case_id, replacement.reason, replacement.swap_reason) == (
        spare.case_id, "by_hand", "The case closed last week.")
    assert replacement.replaces is sampled and replacement.position == sampled.position
    assert sampled.removed_at is not None and sampled.removed_by_id == lead.id
    [swapped] = events("dip_sample_round", "case_swapped")
    assert (swapped.before, swapped.after, swapped.note) == (
        {"case_reference": "LCS-S01"}, {"case_reference": "LCS-S02"},
        "The case closed last week.")
    assert case_ids(round_) == [spare.case_id]


@pytest.mark.parametrize(("reference", "reason", "field", "message"), [
    ("", "Closed", "reference", "Enter the reference"),
    ("LCS-NONE1", "Closed", "reference", "No case has the reference LCS-NONE1"),
    ("LCS-S11", "Closed", "reference", "is the case being swapped out"),
    ("LCS-S12", "Closed", "reference", "already in this dip sample"),
    ("LCS-S13", "Closed", "reference", "has no open or completed actions"),
    ("X" * 500, "Closed", "reference", "Enter the case reference as it is"),
    ("LCS-1\x00", "Closed", "reference", "Enter the case reference as it is"),
    ("LCS-S14", "   ", "reason", "Give the reason"),
    ("LCS-S14", "Closed\x00", "reason", "control characters"),
    ("LCS-S14", "x" * 4001, "reason", "4000 characters or fewer"),
])
def test_swap_refusals(users, reference, reason, field, message):
    lead, auditor, manager = users["practice_lead"], users["auditor"], users["manager"]
    for n in (11, 12):
        open_action(auditor, reference=f"LCS-S{n}")
    done = completed_action(auditor, manager, reference="LCS-S13", raised_on=date(2026, 1, 5))
    workflow.verify(done, lead, done.row_version, "followed_up")
    open_action(auditor, reference="LCS-S14", raised_on=date(2026, 1, 5))
    round_ = drawn_round(lead, size=2)
    sampled = next(s for s in round_.cases if s.case.reference == "LCS-S11")
    with pytest.raises(DipSampleError) as refused:
        rounds.swap(sampled, lead, round_.row_version, reference, reason)
    assert message in refused.value.problems[field]


def test_a_case_with_checks_is_not_swapped_nor_by_another_lead(users):
    lead, auditor = users["practice_lead"], users["auditor"]
    open_action(auditor, reference="LCS-S21")
    open_action(auditor, reference="LCS-S22", raised_on=date(2026, 1, 5))
    action = open_action(auditor, reference="LCS-S23", due_on=date(2026, 12, 21))
    round_ = drawn_round(lead, size=2)
    other = make_user("Other Lead", roles=("practice_lead",))
    sampled = next(s for s in round_.cases if s.case_id == action.case_id)
    with pytest.raises(DipSampleError, match="Only the round's practice lead"):
        rounds.swap(sampled, other, round_.row_version, "LCS-S22", "Closed")
    checks.record_check(sampled, action, lead, action.row_version,
                        Finding("not_yet_due"), today=TODAY)
    with pytest.raises(DipSampleError, match="its checks have been started"):
        rounds.swap(sampled, lead, round_.row_version, "LCS-S22", "Closed")
    with pytest.raises(EditConflict):  # the page showed an older version of the round
        rounds.swap(sampled, lead, round_.row_version - 1, "LCS-S22", "Closed")


# -- checking actions ---------------------------------------------------------------------------

@pytest.fixture
def sampled_case(users):
    """One sampled case with three completed actions (done by the demo manager), an open
    action not yet due and an open overdue one ("today" is 10 December 2026)."""
    auditor, manager = users["auditor"], users["manager"]
    actions = completed_actions(auditor, manager, count=3, reference="LCS-C01")
    case_id = actions[0].case_id
    audit = factories.make_audit(factories.make_programme(factories.make_template(slug="c2"),
                                                          name="Later"),
                                 db.session.get(Action, actions[0].id).case, auditor)
    not_due = audit_workflow.add_recommendation(audit, auditor, "Not due yet", None,
                                                date(2026, 12, 21), "low")
    overdue = audit_workflow.add_recommendation(audit, auditor, "Overdue", None,
                                                date(2026, 12, 1), "low")
    audit.status = "submitted"
    audit.submitted_at = datetime(2026, 11, 3, 10)
    workflow.open_recommendations(audit, auditor, date(2026, 11, 3))
    round_ = drawn_round(users["practice_lead"])
    [sampled] = round_.cases
    assert sampled.case_id == case_id
    return sampled, actions, not_due, overdue


def check(sampled, action, lead, outcome, **typed):
    return checks.record_check(sampled, action, lead, action.row_version,
                               Finding(outcome, **typed), today=TODAY)


def test_followed_up_verifies_the_action(users, sampled_case):
    sampled, (action, *_), *_ = sampled_case
    lead = users["practice_lead"]
    found = check(sampled, action, lead, "followed_up", **FOUND)
    assert action.status == "verified_followed_up" and action.verified_by_id == lead.id
    assert (found.outcome, found.evidence, found.impact, found.checked_on) == (
        "followed_up", FOUND["evidence"], FOUND["impact"], TODAY)
    [recorded] = events("dip_sample_check", "recorded")
    assert recorded.after["outcome"] == "followed_up" and recorded.actor_id == lead.id
    assert [e.action for e in events("action") if e.entity_id == action.id][-1] == "verified"


def test_partly_may_raise_a_follow_up(users, sampled_case):
    sampled, (first, second, _), *_ = sampled_case
    lead = users["practice_lead"]
    plain = check(sampled, first, lead, "partly", **FOUND)
    assert first.status == "verified_partly" and plain.follow_up is None
    found = check(sampled, second, lead, "partly", follow_up="Add the child's own words.",
                  follow_up_due_on=date(2027, 1, 15), **FOUND)
    follow_up = found.follow_up
    assert (follow_up.source, follow_up.follow_up_of_id, follow_up.due_on, follow_up.status) \
        == ("dip_sample", second.id, date(2027, 1, 15), "open")
    assert follow_up.owner_id == users["manager"].id  # the case team's manager


def test_not_followed_up_reopens_a_completed_action_for_its_owner(users, sampled_case):
    sampled, (action, *_), *_ = sampled_case
    lead, manager = users["practice_lead"], users["manager"]
    check(sampled, action, lead, "not_followed_up", due_on=date(2027, 1, 8),
          reason="No case note on the record.", **FOUND)
    assert (action.status, action.due_on, action.completed_on) == ("open", date(2027, 1, 8),
                                                                   None)
    assert action.reopened_at is not None
    [told] = db.session.scalars(db.select(Notification).where(
        Notification.recipient_id == manager.id, Notification.subject.like("Action reopened%")))
    assert "No case note on the record." in told.body


def test_open_actions_are_not_yet_due_or_not_followed_up_and_stay_open(users, sampled_case):
    sampled, _, not_due, overdue = sampled_case
    lead = users["practice_lead"]
    assert checks.outcomes_for(not_due, TODAY) == ("not_yet_due",)
    assert checks.outcomes_for(overdue, TODAY) == ("not_followed_up",)
    waiting = check(sampled, not_due, lead, "not_yet_due")
    assert waiting.evidence is None and not_due.status == "open"
    check(sampled, overdue, lead, "not_followed_up", **FOUND)
    assert overdue.status == "open" and overdue.due_on == date(2026, 12, 1)
    [noted] = [e for e in events("action", "dip_sample_checked") if e.entity_id == overdue.id]
    assert noted.note == "Not followed up"


def test_a_case_is_done_when_each_action_to_check_has_a_finding(users, sampled_case):
    sampled, actions, not_due, overdue = sampled_case
    lead = users["practice_lead"]
    round_ = sampled.round
    for action in actions:
        check(sampled, action, lead, "followed_up", **FOUND)
    check(sampled, not_due, lead, "not_yet_due")
    assert rounds.done_case_ids(round_) == set() and not rounds.is_complete(round_)
    assert rounds.open_rounds_of(lead) == [round_]
    check(sampled, overdue, lead, "not_followed_up", **FOUND)
    assert rounds.done_case_ids(round_) == {sampled.id} and rounds.is_complete(round_)
    assert rounds.open_rounds_of(lead) == []
    assert rounds.progress([round_.id]) == {round_.id: (1, 1)}


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"outcome": None}, "outcome", "Select what you found"),
    ({"outcome": "not_yet_due"}, "outcome", "Select what you found"),
    ({"outcome": "verified"}, "outcome", "Select what you found"),
    ({"outcome": "followed_up", "impact": "x"}, "evidence", "Say what you saw"),
    ({"outcome": "partly", "evidence": "x", "impact": "  "}, "impact", "Describe the impact"),
    ({"outcome": "followed_up", "evidence": "x\x00", "impact": "x"}, "evidence",
     "control characters"),
    ({"outcome": "not_followed_up", **FOUND}, "due_on", "Enter the new due date"),
    ({"outcome": "not_followed_up", "due_on": date(2026, 12, 9), **FOUND}, "due_on",
     "today or in the future"),
    ({"outcome": "not_followed_up", "due_on": date(2030, 1, 1), **FOUND}, "due_on",
     "within 2 years"),
    ({"outcome": "not_followed_up", "due_on": date(2027, 1, 8), **FOUND}, "reason",
     "Say what still needs to be done"),
    ({"outcome": "partly", "follow_up": "Do it", "follow_up_due_on": date(2026, 1, 1),
      **FOUND}, "follow_up_due_on", "today or in the future"),
])
def test_check_refusals_change_nothing(users, sampled_case, typed, field, message):
    sampled, (action, *_), *_ = sampled_case
    before = (action.status, action.row_version)
    with pytest.raises(DipSampleError) as refused:
        checks.record_check(sampled, action, users["practice_lead"], action.row_version,
                            Finding(**typed), today=TODAY)
    assert message in refused.value.problems[field]
    assert (action.status, action.row_version) == before
    assert events("dip_sample_check") == []


def test_nobody_checks_an_action_they_completed(users):
    auditor = users["auditor"]
    lead_and_manager = manager_of("Crewe CIN/CP", name="Pat Both",
                                  roles=("manager", "practice_lead"))
    theirs = completed_action(auditor, lead_and_manager, reference="LCS-C20")
    round_ = drawn_round(lead_and_manager)
    [sampled] = round_.cases
    with pytest.raises(DipSampleError, match="nobody checks an action they completed"):
        check(sampled, theirs, lead_and_manager, "followed_up", **FOUND)
    assert theirs.status == "completed"


def test_only_the_rounds_practice_lead_checks_and_only_the_cases_actions(users, sampled_case):
    sampled, (action, *_), *_ = sampled_case
    other_lead = make_user("Other Lead", roles=("practice_lead",))
    with pytest.raises(DipSampleError):
        check(sampled, action, other_lead, "followed_up", **FOUND)
    with pytest.raises(DipSampleError):
        check(sampled, action, users["moderator"], "followed_up", **FOUND)
    elsewhere = open_action(users["auditor"], reference="LCS-C30")
    with pytest.raises(DipSampleError):
        check(sampled, elsewhere, users["practice_lead"], "not_yet_due")
    # An action raised after the case was sampled is not one of its earlier audits'.
    [later] = open_actions(users["auditor"], reference="LCS-C31")
    later.case_id = sampled.case_id
    db.session.flush()
    assert not checks.is_listed(sampled, later)


def test_a_stale_page_or_a_second_check_is_a_conflict(users, sampled_case):
    sampled, (action, *_), *_ = sampled_case
    lead = users["practice_lead"]
    seen = action.row_version
    check(sampled, action, lead, "followed_up", **FOUND)
    with pytest.raises((EditConflict, DipSampleError)):
        checks.record_check(sampled, action, lead, seen, Finding("followed_up", **FOUND),
                            today=TODAY)


def test_a_swapped_out_case_is_not_checked(users, sampled_case):
    sampled, (action, *_), *_ = sampled_case
    lead = users["practice_lead"]
    open_action(users["auditor"], reference="LCS-C40", raised_on=date(2026, 1, 5))
    rounds.swap(sampled, lead, sampled.round.row_version, "LCS-C40", "Closed")
    with pytest.raises(DipSampleError):
        check(sampled, action, lead, "followed_up", **FOUND)


# -- a compliance checklist on the same visit ---------------------------------------------------

def _cwd_template():
    return db.session.scalar(db.select(AuditTemplate).where(
        AuditTemplate.slug == "cwd-supervision-visiting"))


def test_a_compliance_template_gives_each_case_an_audit_for_the_practice_lead(users):
    lead, auditor = users["practice_lead"], users["auditor"]
    for n in range(3):
        open_action(auditor, reference=f"LCS-P0{n}")
    open_action(auditor, reference="LCS-P09", raised_on=date(2026, 1, 5))
    template = _cwd_template()
    round_ = drawn_round(lead, size=2, compliance_template_id=template.id)
    programme = db.session.get(Programme, round_.programme_id)
    assert programme.template_id == template.id
    assert (programme.period_start, programme.period_end) == (MONTH, date(2026, 12, 31))
    audits = [s.audit for s in round_.cases]
    assert [(a.case_id, a.auditor_id, a.status, a.programme_id) for a in audits] == [
        (s.case_id, lead.id, "allocated", programme.id) for s in round_.cases]
    assert rounds.done_case_ids(round_) == set()
    # Swapping an unstarted case moves its checklist to the new case.
    first = round_.cases[0]
    replacement = rounds.swap(first, lead, round_.row_version, "LCS-P09", "Closed")
    db.session.flush()
    assert replacement.audit.case.reference == "LCS-P09" and first.audit_id is None
    assert db.session.scalar(db.select(db.func.count()).select_from(
        db.select(DipSampleCase).where(DipSampleCase.audit_id.is_not(None)).subquery())) == 2
    assert len(programme.audits) == 2


def test_a_case_with_a_checklist_is_done_once_it_is_submitted(users):
    lead, auditor = users["practice_lead"], users["auditor"]
    action = open_action(auditor, reference="LCS-P20", due_on=date(2026, 12, 21))
    round_ = drawn_round(lead, compliance_template_id=_cwd_template().id)
    [sampled] = round_.cases
    check(sampled, action, lead, "not_yet_due")
    assert rounds.done_case_ids(round_) == set()
    sampled.audit.status = "submitted"
    db.session.flush()
    assert rounds.done_case_ids(round_) == {sampled.id}


def test_months_offered_run_from_a_year_back_to_two_months_ahead():
    offered = rounds.months_offered(date(2026, 1, 31))
    assert offered[0] == date(2026, 3, 1) and offered[-1] == date(2025, 1, 1)
    assert len(offered) == 15 and rounds.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert rounds.month_end(date(2028, 2, 1)) == date(2028, 2, 29)
