"""Checking a sampled case's actions: what the practice lead found, and what it does to the
action through the actions workflow (audit_app/actions/workflow.py).

- A completed action: followed up or partly followed up verifies it (partly may raise a
  follow-up action); not followed up reopens it with a new due date and the reason.
- An open action: not yet due while its due date has not passed; once overdue, not followed
  up (it stays open, and overdue, for its owner).

Each check needs what was seen on the child's record and the impact for the child, except
"not yet due". Checking takes the action's row version the page showed, so of two people
(or tabs) checking the same action one gets the conflict page.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from audit_app.actions import workflow as actions
from audit_app.dip_samples import access
from audit_app.dip_samples.rounds import DipSampleError, listed_actions_query
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Action, DipSampleCase, DipSampleCheck
from audit_app.models.actions import ACTION_STATUSES, COMPLETED, OPEN
from audit_app.models.dip_samples import (
    FOLLOWED_UP,
    JUDGED,
    NOT_FOLLOWED_UP,
    NOT_YET_DUE,
    OUTCOMES,
    PARTLY,
)
from audit_app.timeutil import today as uk_today
from audit_app.timeutil import utcnow
from audit_app.versioning import EditConflict, bump, claim


def outcomes_for(action, day):
    """What a check of this action may find, in the order the form offers them."""
    if action.status == COMPLETED:
        return (FOLLOWED_UP, PARTLY, NOT_FOLLOWED_UP)
    if action.status == OPEN:
        return (NOT_FOLLOWED_UP,) if action.overdue_on(day) else (NOT_YET_DUE,)
    return ()


def reopens(action, outcome):
    """Not followed up reopens a completed action (an open one stays open)."""
    return outcome == NOT_FOLLOWED_UP and action.status == COMPLETED


def is_listed(sampled, action):
    return bool(db.session.scalar(select(
        listed_actions_query(sampled).where(Action.id == action.id).exists())))


@dataclass(frozen=True)
class Finding:
    """What the practice lead typed for one action."""

    outcome: str | None
    evidence: str | None = None
    impact: str | None = None
    due_on: date | None = None  # not followed up: the new due date
    reason: str | None = None  # not followed up: what still needs doing
    follow_up: str | None = None  # partly: a follow-up action, if any
    follow_up_due_on: date | None = None


def _text(value, label, message, field, problems):
    text, problem = actions.clean_text(value, label, message)
    if problem:
        problems[field] = problem
    return text


def finding_problems(action, finding, today):
    """{field: message} for what the rules refuse, in form order."""
    problems = {}
    allowed = outcomes_for(action, today)
    if not allowed:
        problems["outcome"] = (f"This action is {ACTION_STATUSES[action.status].lower()}, so "
                               "there is nothing to check")
    elif finding.outcome not in allowed:
        problems["outcome"] = "Select what you found"
    if finding.outcome in JUDGED:
        _text(finding.evidence, "What you saw", "Say what you saw on the child's record",
              "evidence", problems)
        _text(finding.impact, "The impact", "Describe the impact for the child", "impact",
              problems)
    if reopens(action, finding.outcome):
        problems.update(actions.due_date_problem(finding.due_on, today))
        _text(finding.reason, "What still needs doing", "Say what still needs to be done",
              "reason", problems)
    if finding.outcome == PARTLY and (finding.follow_up or "").strip():
        _text(finding.follow_up, "The follow-up action", "", "follow_up", problems)
        if finding.follow_up_due_on is not None:
            problems.update(actions.due_date_problem(finding.follow_up_due_on, today,
                                                     field="follow_up_due_on"))
    return problems


def record_check(sampled, action, user, seen, finding, today=None):
    """Record what the round's practice lead found for `action` on `sampled` and act on it.
    `seen`: the action's version the page showed."""
    today = today or uk_today()
    if not access.may_check(user, sampled, action) or not is_listed(sampled, action):
        raise DipSampleError("Only the round's practice lead can check this action, and "
                             "nobody checks an action they completed themselves.")
    if str(seen) != str(action.row_version):  # a stale page: the conflict, not its choices
        raise EditConflict()
    problems = finding_problems(action, finding, today)
    if problems:
        raise DipSampleError(problems)
    # Swapping the case out takes turns with this: a case swapped out meanwhile is a conflict.
    if not bump(sampled, DipSampleCase.removed_at.is_(None)):
        raise EditConflict()
    outcome = finding.outcome
    clean = {name: actions.clean_text(getattr(finding, name), "", "")[0]
             for name in ("evidence", "impact", "reason", "follow_up")}
    if outcome in actions.VERIFICATIONS:
        actions.verify(action, user, seen, outcome)
    elif reopens(action, outcome):
        actions.reopen(action, user, seen, finding.due_on, clean["reason"], today=today)
    else:  # found on an open action: it stays as it is, and its history says so
        claim(action, seen, Action.status == OPEN)
        record("action", action.id, "dip_sample_checked", None, {"outcome": outcome},
               note=OUTCOMES[outcome], actor=user)
    check = DipSampleCheck(sampled_case=sampled, action=action, outcome=outcome,
                           evidence=clean["evidence"] if outcome in JUDGED else None,
                           impact=clean["impact"] if outcome in JUDGED else None,
                           checked_on=today, checked_at=utcnow(), checked_by_id=user.id)
    db.session.add(check)
    db.session.flush()
    if outcome == PARTLY and clean["follow_up"]:
        check.follow_up = actions.raise_follow_up(action, user, clean["follow_up"],
                                                  due_on=finding.follow_up_due_on, today=today)
        db.session.flush()
    record("dip_sample_check", check.id, "recorded", None, {
        "round_id": sampled.round_id, "case_reference": sampled.case.reference,
        "action_id": action.id, "outcome": outcome, "evidence": check.evidence,
        "impact": check.impact, "follow_up_id": check.follow_up_id}, actor=user)
    return check
