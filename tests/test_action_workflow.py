"""The action lifecycle rules, called directly: who may do each step, what it stores, what it
refuses (changing nothing), the event it writes and who is told."""

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from audit_app.actions import workflow
from audit_app.actions.workflow import ActionError
from audit_app.extensions import db
from audit_app.models import Action, Event, Notification
from audit_app.settings import set_setting
from audit_app.versioning import EditConflict
from audit_app.workdays import add_working_days
from tests.action_factories import RAISED_ON, action_template, manager_of, open_action
from tests.moderation_factories import make_moderated, make_user, submitted_audit

TODAY = date(2026, 11, 20)


@pytest.fixture
def action(users):
    found = open_action(users["auditor"])
    db.session.commit()
    return found


def events(action, verb=None):
    query = select(Event).where(Event.entity_type == "action", Event.entity_id == action.id)
    if verb:
        query = query.where(Event.action == verb)
    return db.session.scalars(query.order_by(Event.id)).all()


def notes_for(user):
    return db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id).order_by(Notification.id)).all()


def unchanged(action, status="open", version=None):
    """Nothing was stored: the database still has the action as it was."""
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Action, action.id)
    assert stored.status == status
    if version is not None:
        assert stored.row_version == version
    return stored


def complete(action, user, **kwargs):
    values = {"completed_on": date(2026, 11, 16),
              "evidence": "Case note added to the child's record on 16/11/2026"} | kwargs
    workflow.complete(action, user, action.row_version, today=TODAY, **values)


# -- opening ------------------------------------------------------------------------------------

def test_a_recommendation_opens_for_the_team_manager_due_in_20_working_days(action, users):
    assert action.status == "open" and action.source == "audit"
    assert action.owner_id == users["manager"].id  # manages Crewe CIN/CP
    assert action.raised_by_id == users["auditor"].id
    assert action.raised_on == RAISED_ON
    assert action.due_on == add_working_days(RAISED_ON, 20) == date(2026, 11, 30)
    [opened] = events(action, "opened")
    assert opened.after["source"] == "audit" and opened.after["due_on"] == "2026-11-30"


# -- completing ---------------------------------------------------------------------------------

def test_the_owner_completes_with_the_day_and_evidence(action, users):
    manager = users["manager"]
    complete(action, manager)
    db.session.commit()
    assert action.status == "completed" and action.completed_on == date(2026, 11, 16)
    assert action.completed_by_id == manager.id and action.row_version == 2
    assert action.evidence == "Case note added to the child's record on 16/11/2026"
    [done] = events(action, "completed")
    assert done.actor_id == manager.id
    assert done.before == {"status": "open"}
    assert done.after["completed_on"] == "2026-11-16"
    [told] = notes_for(users["auditor"])
    assert told.subject.startswith("Action on case") and told.link == f"/actions/{action.id}"


def test_a_manager_of_the_case_team_completes_someone_elses_action(users):
    owned_by_auditor = open_action(users["auditor"], owner=users["auditor"])
    db.session.commit()
    assert workflow.may_complete(users["manager"], owned_by_auditor)
    complete(owned_by_auditor, users["manager"])
    assert owned_by_auditor.completed_by_id == users["manager"].id


@pytest.mark.parametrize("who", ["other_team_manager", "auditor", "practice_lead", "admin",
                                 "moderator", "leader", "deactivated_manager"])
def test_only_the_owner_or_the_case_team_manager_completes(action, users, who):
    if who == "other_team_manager":
        user = manager_of("Macclesfield CIN/CP")
    elif who == "deactivated_manager":
        user = manager_of("Crewe CIN/CP", name="Left Manager")
        user.active = False
    else:
        user = users[who]
    db.session.commit()
    assert not workflow.may_complete(user, action)
    with pytest.raises(ActionError, match="owner or a manager"):
        complete(action, user)
    unchanged(action, version=1)
    assert events(action, "completed") == []


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"completed_on": None}, "completed_on", "Enter the date the action was done"),
    ({"completed_on": date(2026, 11, 21)}, "completed_on",
     "The date done must be today or in the past"),
    ({"completed_on": date(9999, 12, 31)}, "completed_on",
     "The date done must be today or in the past"),
    ({"completed_on": date(2026, 10, 30)}, "completed_on",
     "The date done must be the same as or after the day the action was raised, "
     "2 November 2026"),
    ({"completed_on": date(1, 1, 1)}, "completed_on", "the day the action was raised"),
    ({"evidence": ""}, "evidence", "Say how the action is evidenced on the child's record"),
    ({"evidence": "   \n "}, "evidence", "Say how the action is evidenced"),
    ({"evidence": "Case note\x00"}, "evidence",
     "Evidence must not include hidden control characters, such as a null character"),
    ({"evidence": "x" * 4001}, "evidence", "Evidence must be 4000 characters or fewer"),
])
def test_completion_refuses_bad_dates_and_missing_evidence(action, users, values, field,
                                                          message):
    with pytest.raises(ActionError) as refused:
        complete(action, users["manager"], **values)
    assert list(refused.value.problems) == [field]
    assert message in refused.value.problems[field]
    unchanged(action, version=1)


def test_completion_on_the_day_raised_and_today_are_both_allowed(users):
    first, second = (open_action(users["auditor"]) for _ in range(2))
    complete(first, users["manager"], completed_on=RAISED_ON)
    complete(second, users["manager"], completed_on=TODAY)
    assert (first.completed_on, second.completed_on) == (RAISED_ON, TODAY)


def test_completing_from_a_stale_page_is_a_conflict(action, users):
    with pytest.raises(EditConflict):
        workflow.complete(action, users["manager"], 7, date(2026, 11, 16), "Case note",
                          today=TODAY)
    unchanged(action, version=1)


def test_a_completed_action_cannot_be_completed_again(action, users):
    """Even from a page showing the version it has now: the database checks it is open."""
    complete(action, users["manager"])
    db.session.commit()
    assert not workflow.may_complete(users["manager"], action)
    with pytest.raises(EditConflict):
        complete(action, users["manager"])
    unchanged(action, status="completed", version=2)


# -- cancelling ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_an_admin_or_the_actions_auditor_cancels_with_a_reason(action, users, who):
    workflow.cancel(action, users[who], 1, "  Duplicate of another action  ")
    db.session.commit()
    assert action.status == "cancelled" and action.cancel_reason == "Duplicate of another action"
    assert action.cancelled_by_id == users[who].id
    [cancelled] = events(action, "cancelled")
    assert cancelled.note == "Duplicate of another action"
    assert [n.subject for n in notes_for(users["manager"])][-1].startswith("Action cancelled")


@pytest.mark.parametrize("who", ["manager", "moderator", "practice_lead", "leader"])
def test_nobody_else_cancels(action, users, who):
    assert not workflow.may_cancel(users[who], action)
    with pytest.raises(ActionError, match="cancel"):
        workflow.cancel(action, users[who], 1, "Not needed")
    unchanged(action, version=1)


def test_cancelling_needs_a_reason_and_an_open_action(action, users):
    with pytest.raises(ActionError) as refused:
        workflow.cancel(action, users["admin"], 1, " ")
    assert refused.value.problems == {"reason": "Give the reason for cancelling the action"}
    complete(action, users["manager"])
    assert not workflow.may_cancel(users["admin"], action)
    with pytest.raises(EditConflict):
        workflow.cancel(action, users["admin"], action.row_version, "Too late")


# -- changing the due date ----------------------------------------------------------------------

def test_a_qa_officer_changes_the_due_date_with_a_reason(action, users):
    workflow.change_due_date(action, users["moderator"], 1, date(2026, 12, 18),
                             "Waiting for the review conference", today=TODAY)
    db.session.commit()
    assert action.due_on == date(2026, 12, 18)
    [changed] = events(action, "due_date_changed")
    assert (changed.before, changed.after) == ({"due_on": "2026-11-30"},
                                               {"due_on": "2026-12-18"})
    assert changed.note == "Waiting for the review conference"
    assert "18 December 2026" in notes_for(users["manager"])[-1].body


@pytest.mark.parametrize(("due_on", "reason", "problems"), [
    (None, "r", {"due_on": "Enter the new due date"}),
    (date(2026, 11, 19), "r", {"due_on": "The due date must be today or in the future"}),
    (date(2028, 11, 21), "r", {"due_on": "The due date must be within 2 years of today"}),
    (date(9999, 1, 1), "r", {"due_on": "The due date must be within 2 years of today"}),
    (date(2026, 11, 30), "r", {"due_on": "Enter a date different from the current due date"}),
    (date(2026, 12, 18), "", {"reason": "Give the reason for changing the due date"}),
])
def test_due_date_changes_refused(action, users, due_on, reason, problems):
    with pytest.raises(ActionError) as refused:
        workflow.change_due_date(action, users["moderator"], 1, due_on, reason, today=TODAY)
    assert refused.value.problems == problems
    unchanged(action, version=1)


@pytest.mark.parametrize("who", ["admin", "manager", "auditor", "practice_lead", "leader"])
def test_only_qa_officers_change_due_dates(action, users, who):
    assert not workflow.may_change_due_date(users[who], action)
    with pytest.raises(ActionError, match="quality assurance officer"):
        workflow.change_due_date(action, users[who], 1, date(2026, 12, 18), "r", today=TODAY)


# -- verifying and reopening (the rules dip sampling uses) --------------------------------------

@pytest.mark.parametrize(("outcome", "status"), [("followed_up", "verified_followed_up"),
                                                 ("partly", "verified_partly")])
def test_a_practice_lead_verifies_a_completed_action(action, users, outcome, status):
    complete(action, users["manager"])
    workflow.verify(action, users["practice_lead"], action.row_version, outcome)
    db.session.commit()
    assert action.status == status and action.verified_by_id == users["practice_lead"].id
    [verified] = events(action, "verified")
    assert verified.after == {"status": status}


def test_nobody_verifies_an_action_they_completed(users):
    lead_and_manager = manager_of("Crewe CIN/CP", name="Pat Both",
                                  roles=("manager", "practice_lead"))
    action = open_action(users["auditor"])
    complete(action, lead_and_manager)
    db.session.commit()
    assert not workflow.may_verify(lead_and_manager, action)
    with pytest.raises(ActionError, match="did not complete"):
        workflow.verify(action, lead_and_manager, action.row_version, "followed_up")
    with pytest.raises(ActionError, match="did not complete"):
        workflow.reopen(action, lead_and_manager, action.row_version, date(2026, 12, 4),
                        "Not on file", today=TODAY)
    unchanged(action, status="completed", version=2)
    assert workflow.may_verify(users["practice_lead"], action)


def test_only_practice_leads_verify_and_only_completed_actions(action, users):
    assert not workflow.may_verify(users["practice_lead"], action)  # still open
    complete(action, users["manager"])
    for role in ("moderator", "admin", "leader", "auditor"):
        assert not workflow.may_verify(users[role], action)
    with pytest.raises(ActionError, match="Select whether"):
        workflow.verify(action, users["practice_lead"], action.row_version, "not_yet_due")


def test_an_open_action_is_neither_verified_nor_reopened(action, users):
    with pytest.raises(EditConflict):
        workflow.verify(action, users["practice_lead"], 1, "followed_up")
    with pytest.raises(EditConflict):
        workflow.reopen(action, users["practice_lead"], 1, date(2026, 12, 4), "Not done",
                        today=TODAY)
    unchanged(action, version=1)


def test_not_followed_up_reopens_with_a_new_due_date_and_the_reason(action, users):
    complete(action, users["manager"])
    db.session.commit()
    workflow.reopen(action, users["practice_lead"], action.row_version, date(2026, 12, 4),
                    "No case note on the child's record", today=TODAY)
    db.session.commit()
    assert action.status == "open" and action.due_on == date(2026, 12, 4)
    assert action.completed_on is action.evidence is action.completed_by_id is None
    assert action.reopened_at is not None
    [reopened] = events(action, "reopened")
    assert reopened.before["completed_on"] == "2026-11-16"
    assert reopened.before["evidence"].startswith("Case note added")
    assert reopened.note == "No case note on the child's record"
    assert notes_for(users["manager"])[-1].subject.startswith("Action reopened")
    # Open again: its owner completes it again.
    assert workflow.may_complete(users["manager"], action)


def test_reopening_needs_a_reason_and_a_due_date(action, users):
    complete(action, users["manager"])
    with pytest.raises(ActionError) as refused:
        workflow.reopen(action, users["practice_lead"], action.row_version, None, "",
                        today=TODAY)
    assert refused.value.problems == {"due_on": "Enter the new due date",
                                      "reason": "Say why the action was not followed up"}


def test_a_follow_up_is_raised_from_a_partly_or_not_followed_up_verification(users):
    partly, reopened, completed = (open_action(users["auditor"]) for _ in range(3))
    for action in (partly, reopened, completed):
        complete(action, users["manager"])
    workflow.verify(partly, users["practice_lead"], partly.row_version, "partly")
    workflow.reopen(reopened, users["practice_lead"], reopened.row_version, date(2026, 12, 4),
                    "No case note", today=TODAY)
    for action in (partly, reopened):
        follow_up = workflow.raise_follow_up(action, users["practice_lead"],
                                             "Add the missing chronology", today=TODAY)
        assert follow_up.source == "dip_sample" and follow_up.follow_up_of_id == action.id
        assert (follow_up.audit_id, follow_up.case_id) == (action.audit_id, action.case_id)
        assert follow_up.owner_id == users["manager"].id and follow_up.raised_on == TODAY
    with pytest.raises(ActionError, match="partly or not followed up"):
        workflow.raise_follow_up(completed, users["practice_lead"], "Check", today=TODAY)
    with pytest.raises(ActionError, match="partly or not followed up"):
        workflow.raise_follow_up(partly, users["moderator"], "Check", today=TODAY)


# -- raising from a moderation ------------------------------------------------------------------

@pytest.fixture
def moderation(users):
    audit = submitted_audit(users["auditor"], action_template())
    found = make_moderated(audit, users["moderator"])
    db.session.commit()
    return found


def test_a_moderator_raises_an_action_on_their_moderation(moderation, users):
    action = workflow.raise_from_moderation(moderation, users["moderator"],
                                            "Record the child's wishes", priority="high",
                                            today=TODAY)
    db.session.commit()
    assert action.source == "moderation" and action.moderation_id == moderation.id
    assert action.audit_id == moderation.audit_id and action.case_id == moderation.audit.case_id
    assert action.owner_id == users["manager"].id and action.raised_by_id == users["moderator"].id
    # High priority: 5 working days unless an admin changed it.
    assert action.due_on == add_working_days(TODAY, 5) and action.raised_on == TODAY
    assert [e.action for e in events(action)] == ["opened"]
    assert notes_for(users["manager"])[-1].subject == (
        f"New action on case {moderation.audit.case.reference}")


def test_priority_sets_the_default_due_date_and_an_admin_changes_it(moderation, users):
    def raised(priority):
        return workflow.raise_from_moderation(moderation, users["moderator"], "Do it",
                                              priority=priority, today=TODAY).due_on

    assert [raised(p) for p in ("high", "medium", "low")] == [
        add_working_days(TODAY, days) for days in (5, 20, 40)]
    set_setting("due_days_high", "3", 0, actor=users["admin"])
    assert raised("high") == add_working_days(TODAY, 3)


def test_a_moderation_action_with_nobody_to_own_it_is_refused(moderation, users):
    moderation.audit.case.team.manager_id = None
    users["manager"].active = False  # nobody else manages the team
    db.session.commit()
    assert workflow.default_owner(moderation.audit.case) is None
    with pytest.raises(ActionError) as refused:
        workflow.raise_from_moderation(moderation, users["moderator"], "Do it", today=TODAY)
    assert refused.value.problems == {"owner_id": workflow.NO_OWNER}


def test_only_the_moderations_moderator_raises_actions_on_it(moderation, users):
    other = make_user("Other Moderator", roles=("moderator",))
    for user in (other, users["auditor"], users["admin"], users["manager"]):
        assert not workflow.may_raise_from_moderation(user, moderation)
        with pytest.raises(ActionError, match="Only the moderator"):
            workflow.raise_from_moderation(moderation, user, "Do it", today=TODAY)


@pytest.mark.parametrize(("values", "problems"), [
    ({"description": " "}, {"description": "Describe what should be done"}),
    ({"description": "a\x00"},
     {"description": "The action must not include hidden control characters, such as a null "
                     "character"}),
    ({"priority": "urgent"}, {"priority": "Select the priority"}),
    ({"due_on": date(2026, 1, 1)}, {"due_on": "The due date must be today or in the future"}),
    ({"owner_id": 10**9}, {"owner_id": "Select someone whose account is active"}),
])
def test_raising_from_a_moderation_refuses_bad_input(moderation, users, values, problems):
    arguments = {"description": "Do it", "priority": "medium"} | values
    with pytest.raises(ActionError) as refused:
        workflow.raise_from_moderation(moderation, users["moderator"], today=TODAY,
                                       **arguments)
    assert refused.value.problems == problems
    db.session.rollback()
    assert db.session.scalar(select(Action.id).where(Action.source == "moderation")) is None


def test_an_inactive_owner_is_refused(moderation, users):
    leaver = make_user("Leaver", roles=("manager",))
    leaver.active = False
    with pytest.raises(ActionError):
        workflow.raise_from_moderation(moderation, users["moderator"], "Do it",
                                       owner_id=leaver.id, today=TODAY)


# -- reassigning --------------------------------------------------------------------------------

def test_an_admin_reassigns_a_leavers_actions_and_both_are_told(users):
    leaver = manager_of("Crewe CIN/CP", name="Leaving Manager")
    first = open_action(users["auditor"], owner=leaver)
    second = open_action(users["auditor"], owner=leaver)
    db.session.commit()
    workflow.reassign([(first, 1), (second, 1)], users["admin"], users["manager"].id)
    db.session.commit()
    assert first.owner_id == second.owner_id == users["manager"].id
    assert [e.before for e in events(first, "reassigned")] == [{"owner_id": leaver.id}]
    [to_new] = notes_for(users["manager"])
    assert to_new.subject == "2 actions reassigned to you"
    [to_old] = notes_for(leaver)
    assert to_old.body == f"{users['admin'].name} gave them to {users['manager'].name}."


def test_a_deactivated_owner_is_not_told(users):
    leaver = manager_of("Crewe CIN/CP", name="Gone Manager")
    action = open_action(users["auditor"], owner=leaver)
    leaver.active = False
    db.session.commit()
    workflow.reassign([(action, 1)], users["admin"], users["manager"].id)
    assert notes_for(leaver) == []


def test_reassigning_from_a_stale_page_reassigns_nothing(users):
    first, second = (open_action(users["auditor"], owner=users["auditor"]) for _ in range(2))
    db.session.commit()
    with pytest.raises(EditConflict):
        workflow.reassign([(first, 1), (second, 5)], users["admin"], users["manager"].id)
    db.session.rollback()
    db.session.expire_all()
    assert {first.owner_id, second.owner_id} == {users["auditor"].id}
    assert first.row_version == 1


@pytest.mark.parametrize(("chosen", "new_owner", "field", "message"), [
    (False, "manager", "action_ids", "Select the actions to reassign"),
    (True, None, "new_owner_id", "Select who the actions go to"),
    (True, "owner", "new_owner_id", "Select someone other than the current owner"),
    (True, "inactive", "new_owner_id", "Select someone whose account is active"),
])
def test_reassigning_refuses(action, users, chosen, new_owner, field, message):
    inactive = make_user("Inactive", roles=("manager",))
    inactive.active = False
    new_id = {"manager": users["admin"].id, "owner": users["manager"].id,
              "inactive": inactive.id, None: None}[new_owner]
    with pytest.raises(ActionError) as refused:
        workflow.reassign([(action, 1)] if chosen else [], users["admin"], new_id)
    assert refused.value.problems[field] == message
    with pytest.raises(ActionError, match="administrator"):
        workflow.reassign([(action, 1)], users["manager"], users["auditor"].id)


# -- the database holds the rules too -----------------------------------------------------------

@pytest.mark.parametrize("change", [
    {"status": "completed"},  # no date, evidence or person
    {"status": "cancelled"},  # no reason
    {"status": "verified_partly", "completed_on": date(2026, 11, 3), "evidence": "x",
     "completed_by_id": "owner"},  # not verified by anyone
    {"status": "done"},
    {"source": "moderation"},  # no moderation linked
    {"source": "dip_sample"},  # no earlier action linked
    {"due_on": None},
])
def test_the_database_refuses_rows_that_break_the_rules(action, change):
    owner_id = action.owner_id
    for name, value in change.items():
        setattr(action, name, owner_id if value == "owner" else value)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_verified_rows_keep_who_checked_them(action, users):
    complete(action, users["manager"])
    action.status, action.verified_by_id = "verified_followed_up", users["practice_lead"].id
    action.verified_at = datetime(2026, 11, 20, 9)
    db.session.commit()
