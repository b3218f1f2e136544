"""Who may do what with dip samples. Practice leads run them; quality assurance officers,
admins and leaders read them, and their coverage.

Only a round's own practice lead draws it, swaps its cases and records its checks, and
nobody checks an action they completed themselves (audit_app/actions/workflow.py `checks`).
"""

from audit_app.actions import workflow as actions

RUN_ROLE = "practice_lead"
READ_ROLES = (RUN_ROLE, "moderator", "admin", "leader")


def may_start(user):
    return user.active and user.has_role(RUN_ROLE)


def runs(user, round_):
    """The round's practice lead, while they are one."""
    return round_.practice_lead_id == user.id and may_start(user)


def may_draw(user, round_):
    return runs(user, round_) and not round_.drawn


def may_swap(user, sampled):
    return runs(user, sampled.round) and sampled.round.drawn and sampled.removed_at is None


def may_check(user, sampled, action):
    """The round's practice lead, unless they completed the action themselves."""
    return (runs(user, sampled.round) and sampled.removed_at is None
            and actions.checks(user, action))
