"""The action lifecycle: who may do what to an action, and doing it. Plain functions that
the pages, the audit workflow and dip sampling call; callers commit.

Every change claims the action's row version in the database first (audit_app/versioning.py),
with the status it must still have, so of two people completing the same action exactly one
wins and the other gets an EditConflict. Every change writes an event in the same
transaction. A refused change raises ActionError naming the form field at fault.
"""

from datetime import timedelta

from audit_app import inputs
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Action, User
from audit_app.models.actions import (
    CANCELLED,
    COMPLETED,
    FROM_DIP_SAMPLE,
    FROM_MODERATION,
    OPEN,
    PRIORITIES,
    PROPOSED,
    VERIFIED_FOLLOWED_UP,
    VERIFIED_PARTLY,
)
from audit_app.notify import notify
from audit_app.settings import get_setting
from audit_app.team_managers import managers_of, manages
from audit_app.templating import format_date
from audit_app.timeutil import today as uk_today
from audit_app.timeutil import utcnow
from audit_app.versioning import bump, claim
from audit_app.workdays import add_working_days

# A recommendation is due this many working days after the audit is submitted; an action
# raised from a moderation, this many after it is raised.
TEXT_MAX = 4000
# A due date further ahead than this is taken for a typing mistake.
FURTHEST_DUE = timedelta(days=2 * 365)
# What a dip sample can find when it checks a completed action (not followed up reopens it).
VERIFICATIONS = {"followed_up": VERIFIED_FOLLOWED_UP, "partly": VERIFIED_PARTLY}


class ActionError(Exception):
    """A change the rules refuse. `problems` maps form fields to messages, in form order."""

    def __init__(self, problems):
        self.problems = problems if isinstance(problems, dict) else {None: problems}
        super().__init__(next(iter(self.problems.values())))


def _refuse(problems):
    if problems:
        raise ActionError(problems)


# -- who may do what ----------------------------------------------------------------------------
# Each rule says who may take a step; the step also needs the action in the right state,
# which the database checks as it claims the row (so a page opened before someone else took
# the step gets the conflict page). The may_* functions ask both, for showing buttons.

def completes(user, action):
    """The owner, or a manager of the case's team (a deactivated one manages nothing)."""
    return action.owner_id == user.id or manages(user, action.case.team_id)


def cancels(user, action):
    """An admin, or whoever raised it (the audit's auditor for a recommendation)."""
    return user.has_role("admin") or action.raised_by_id == user.id


def moves_due_dates(user):
    """Quality assurance officers (moderators)."""
    return user.has_role("moderator")


def checks(user, action):
    """A practice lead checks actions on a dip sample, but nobody checks an action they
    completed themselves. Reopening one found not followed up is the same check."""
    return user.has_role("practice_lead") and action.completed_by_id != user.id


def may_complete(user, action):
    return action.status == OPEN and completes(user, action)


def may_cancel(user, action):
    return action.status == OPEN and cancels(user, action)


def may_change_due_date(user, action):
    return action.status == OPEN and moves_due_dates(user)


def may_verify(user, action):
    return action.status == COMPLETED and checks(user, action)


def may_raise_follow_up(user, action):
    """From a dip sample that found the action partly followed up, or not followed up (it
    was reopened)."""
    found_wanting = action.status == VERIFIED_PARTLY or (
        action.status == OPEN and action.reopened_at is not None)
    return found_wanting and user.has_role("practice_lead")


def may_raise_from_moderation(user, moderation):
    """The moderation's own moderator adds actions on it."""
    return user.has_role("moderator") and moderation.moderator_id == user.id


def may_reassign(user):
    return user.has_role("admin")


# -- checking what was typed --------------------------------------------------------------------

def clean_text(value, label, required_message):
    """(text, problem): stripped text, or the message for a blank, overlong or unprintable
    one. Tabs and line breaks are kept; other control characters (NUL) are refused, as
    audit_app/inputs.py says."""
    text = (value or "").strip()
    if not text:
        return None, required_message
    if len(text) > TEXT_MAX:
        return None, f"{label} must be {TEXT_MAX} characters or fewer"
    if inputs.forbidden_character(text):
        return None, f"{label} {inputs.NO_CONTROL_CHARACTERS}"
    return text, None


def completion_problems(action, completed_on, evidence, today):
    problems = {}
    if completed_on is None:
        problems["completed_on"] = "Enter the date the action was done"
    elif completed_on > today:
        problems["completed_on"] = "The date done must be today or in the past"
    elif action.raised_on is not None and completed_on < action.raised_on:
        problems["completed_on"] = ("The date done must be the same as or after the day the "
                                    f"action was raised, {format_date(action.raised_on)}")
    _, problem = clean_text(evidence, "Evidence", "Say how the action is evidenced on the "
                            "child's record")
    if problem:
        problems["evidence"] = problem
    return problems


def due_date_problem(due_on, today, field="due_on"):
    if due_on is None:
        return {field: "Enter the new due date"}
    if due_on < today:
        return {field: "The due date must be today or in the future"}
    if due_on > today + FURTHEST_DUE:
        return {field: "The due date must be within 2 years of today"}
    return {}


def _reason(reason, message, problems, field="reason"):
    text, problem = clean_text(reason, "The reason", message)
    if problem:
        problems[field] = problem
    return text


def _description(description, problems):
    text, problem = clean_text(description, "The action", "Describe what should be done")
    if problem:
        problems["description"] = problem
    return text


def _priority(priority, problems):
    if priority not in PRIORITIES:
        problems["priority"] = "Select the priority"


def _active_user(user_id, problems, field="owner_id"):
    owner = db.session.get(User, user_id) if user_id is not None else None
    if user_id is not None and (owner is None or not owner.active):
        problems[field] = "Select someone whose account is active"
    return owner


# -- raising actions ----------------------------------------------------------------------------

def default_owner(case):
    """The case team's manager (the one named on the team first), or None."""
    return next(iter(managers_of(case.team_id)), None)


NO_OWNER = ("Choose an owner: the case's team has no active manager to own the action "
            "by default")


def lacks_owner(case, owner_id):
    """True when an action on `case` would have no owner: none chosen, and its team has no
    active manager to own it by default. Such an action is refused, never left unowned."""
    return owner_id is None and default_owner(case) is None


def due_days(priority):
    """Working days to complete an action of this priority when no due date is set: the
    admin's setting (5 high, 20 medium, 40 low unless changed)."""
    return int(get_setting(f"due_days_{priority}"))


def default_due_on(priority, day):
    """The due date of an action of this priority raised on `day`."""
    return add_working_days(day, due_days(priority))


def _opened_event(action, user):
    record("action", action.id, "opened", None, {
        "source": action.source, "description": action.description,
        "owner_id": action.owner_id, "due_on": action.due_on.isoformat(),
        "priority": action.priority}, actor=user)


def _tell_owner(action, subject, body):
    if action.owner is not None and action.owner.active:
        notify(action.owner, f"{subject} on case {action.case.reference}", body,
               f"/actions/{action.id}")


def open_recommendations(audit, user, day):
    """On submission: the audit's proposed recommendations become open actions, owned by
    the case team's manager unless the auditor named someone, due the priority's working
    days after `day` (the UK day of submission) unless the auditor set a date."""
    proposed = [a for a in audit.actions if a.status == PROPOSED]
    owner = default_owner(audit.case) if proposed else None
    for action in proposed:
        due_on = action.due_on or default_due_on(action.priority, day)  # reads a setting
        action.status, action.raised_on, action.due_on = OPEN, day, due_on
        if action.owner_id is None and owner is not None:
            action.owner_id = owner.id
        _opened_event(action, user)


def _new_open_action(user, description, owner_id, due_on, priority, today, **links):
    problems = {}
    description = _description(description, problems)
    owner = _active_user(owner_id, problems)
    if due_on is not None:
        problems.update(due_date_problem(due_on, today))
    _priority(priority, problems)
    if owner is None and "owner_id" not in problems:
        if lacks_owner(links["case"], None):
            problems["owner_id"] = NO_OWNER
        owner = default_owner(links["case"])
    _refuse(problems)
    action = Action(description=description, owner=owner, raised_by_id=user.id,
                    due_on=due_on or default_due_on(priority, today),
                    priority=priority, status=OPEN, raised_on=today, **links)
    db.session.add(action)
    db.session.flush()
    _opened_event(action, user)
    _tell_owner(action, "New action", f"{user.name} raised an action for you, due "
                f"{format_date(action.due_on)}: {action.description}")
    return action


def raise_from_moderation(moderation, user, description, owner_id=None, due_on=None,
                          priority="medium", today=None):
    """A moderator adds an action on their moderation of an audit."""
    if not may_raise_from_moderation(user, moderation):
        raise ActionError("Only the moderator of this audit can add an action on it.")
    audit = moderation.audit
    return _new_open_action(user, description, owner_id, due_on, priority, today or uk_today(),
                            source=FROM_MODERATION, moderation=moderation, audit=audit,
                            case=audit.case)


def raise_follow_up(action, user, description, owner_id=None, due_on=None,
                    priority="medium", today=None):
    """A practice lead's follow-up to an action a dip sample found partly or not followed
    up. It keeps the earlier action's audit and case, and links back to it. Its owner is
    the case team's manager, or, if the team has none, the earlier action's owner."""
    if not may_raise_follow_up(user, action):
        raise ActionError("A follow-up is raised only from a dip sample that found the "
                          "action partly or not followed up.")
    bump(action)  # follow-ups of one action take turns; pages showing it are now stale
    if lacks_owner(action.case, owner_id):  # no team manager: whoever owned the first one
        owner_id = action.owner_id
    return _new_open_action(user, description, owner_id, due_on, priority, today or uk_today(),
                            source=FROM_DIP_SAMPLE, follow_up_of=action, audit=action.audit,
                            case=action.case)


# -- changing an action -------------------------------------------------------------------------

def complete(action, user, seen, completed_on, evidence, today=None):
    """The owner or a manager of the case's team records the day it was done and how it
    is evidenced on the child's record."""
    if not completes(user, action):
        raise ActionError("Only the action's owner or a manager of the case's team can "
                          "complete it.")
    _refuse(completion_problems(action, completed_on, evidence, today or uk_today()))
    claim(action, seen, Action.status == OPEN)
    action.status = COMPLETED
    action.completed_on = completed_on
    action.evidence = clean_text(evidence, "", "")[0]
    action.completed_at = utcnow()
    action.completed_by_id = user.id
    record("action", action.id, "completed", {"status": OPEN},
           {"status": COMPLETED, "completed_on": completed_on.isoformat(),
            "evidence": action.evidence}, actor=user)
    raiser = action.raised_by
    if raiser.active and raiser.id != user.id:
        notify(raiser, f"Action on case {action.case.reference} completed",
               f"{user.name} completed it on {format_date(completed_on)}: {action.evidence}",
               f"/actions/{action.id}")


def cancel(action, user, seen, reason):
    if not cancels(user, action):
        raise ActionError("Only an administrator or whoever raised the action can cancel it.")
    problems = {}
    reason = _reason(reason, "Give the reason for cancelling the action", problems)
    _refuse(problems)
    claim(action, seen, Action.status == OPEN)
    action.status = CANCELLED
    action.cancelled_at = utcnow()
    action.cancelled_by_id = user.id
    action.cancel_reason = reason
    record("action", action.id, "cancelled", {"status": OPEN}, {"status": CANCELLED},
           note=reason, actor=user)
    _tell_owner(action, "Action cancelled", f"{user.name} cancelled it: {reason}")


def change_due_date(action, user, seen, due_on, reason, today=None):
    if not moves_due_dates(user):
        raise ActionError("Only a quality assurance officer can change the due date.")
    problems = due_date_problem(due_on, today or uk_today())
    if not problems and due_on == action.due_on:
        problems["due_on"] = "Enter a date different from the current due date"
    reason = _reason(reason, "Give the reason for changing the due date", problems)
    _refuse(problems)
    claim(action, seen, Action.status == OPEN)
    before = action.due_on
    action.due_on = due_on
    record("action", action.id, "due_date_changed", {"due_on": before.isoformat()},
           {"due_on": due_on.isoformat()}, note=reason, actor=user)
    _tell_owner(action, "Due date changed", f"{user.name} changed the due date from "
                f"{format_date(before)} to {format_date(due_on)}: {reason}")


def verify(action, user, seen, outcome):
    """A dip sample found a completed action followed up, or partly followed up. (Not
    followed up reopens it: `reopen`.)"""
    if not checks(user, action):
        raise ActionError("Only a practice lead who did not complete the action can check it.")
    if outcome not in VERIFICATIONS:
        raise ActionError({"outcome": "Select whether the action was followed up"})
    claim(action, seen, Action.status == COMPLETED)
    action.status = VERIFICATIONS[outcome]
    action.verified_at = utcnow()
    action.verified_by_id = user.id
    record("action", action.id, "verified", {"status": COMPLETED}, {"status": action.status},
           actor=user)


def reopen(action, user, seen, due_on, reason, today=None):
    """A dip sample found a completed action not followed up: it opens again, with a new
    due date and the reason, for its owner to do."""
    if not checks(user, action):
        raise ActionError("Only a practice lead who did not complete the action can reopen it.")
    problems = due_date_problem(due_on, today or uk_today())
    reason = _reason(reason, "Say why the action was not followed up", problems)
    _refuse(problems)
    claim(action, seen, Action.status == COMPLETED)
    before = {"status": COMPLETED, "due_on": action.due_on.isoformat(),
              "completed_on": action.completed_on.isoformat(), "evidence": action.evidence,
              "completed_by_id": action.completed_by_id}
    action.status = OPEN
    action.due_on = due_on
    action.completed_on = action.evidence = action.completed_at = None
    action.completed_by_id = None
    action.reopened_at = utcnow()
    record("action", action.id, "reopened", before,
           {"status": OPEN, "due_on": due_on.isoformat()}, note=reason, actor=user)
    _tell_owner(action, "Action reopened", f"A dip sample found it not followed up: {reason}. "
                f"It is now due {format_date(due_on)}.")


def reassign(chosen, user, new_owner_id):
    """Give open actions to someone else (an owner has left, say). `chosen` is a list of
    (action, version the page showed); any one changed since is an EditConflict and
    nothing is reassigned. Both owners are told, one message each."""
    if not may_reassign(user):
        raise ActionError("Only an administrator can reassign actions.")
    problems = {}
    if not chosen:
        problems["action_ids"] = "Select the actions to reassign"
    new_owner = _active_user(new_owner_id, problems, field="new_owner_id")
    if new_owner_id is None:
        problems["new_owner_id"] = "Select who the actions go to"
    elif new_owner is not None and any(a.owner_id == new_owner.id for a, _ in chosen):
        problems["new_owner_id"] = "Select someone other than the current owner"
    _refuse(problems)
    previous = {}
    for action, seen in chosen:
        claim(action, seen, Action.status == OPEN)
        previous.setdefault(action.owner, []).append(action)
        record("action", action.id, "reassigned", {"owner_id": action.owner_id},
               {"owner_id": new_owner.id}, actor=user)
        action.owner = new_owner
    references = ", ".join(sorted({a.case.reference for a, _ in chosen}))
    notify(new_owner, f"{len(chosen)} action{'s' if len(chosen) > 1 else ''} reassigned to you",
           f"{user.name} gave you actions on case {references}.", "/actions/")
    for owner, actions in previous.items():
        if owner is not None and owner.active:
            notify(owner, f"{len(actions)} of your actions reassigned",
                   f"{user.name} gave them to {new_owner.name}.", "/actions/")
