"""Who may see an action. Every action page and list asks `visible` (SQL) or `can_view`.

Quality assurance (moderators), admins, leaders and practice leads see every action. Anyone
else sees the actions they own or raised, the actions from audits they wrote, and the
actions on the cases of the teams they manage or head, or whose social worker they are. So
an auditor with no other role sees only the actions from their own audits (and any they
own). A proposed action is a recommendation in an audit not yet submitted: like the draft
itself, only its auditor, admins and moderators see it.
"""

from sqlalchemy import and_, exists, or_, select, true

from audit_app.audits.access import headed_teams
from audit_app.extensions import db
from audit_app.models import Action, Audit, Case
from audit_app.models.actions import PROPOSED
from audit_app.team_managers import managed_teams

SEE_ALL_ROLES = ("admin", "moderator", "leader", "practice_lead")


def sees_all(user):
    return user.has_role(*SEE_ALL_ROLES)


def visible(user):
    """SQL: the action (Action in the FROM) is one `user` may see."""
    if user.has_role("admin", "moderator"):
        return true()
    own_audit = Action.audit_id.in_(select(Audit.id).where(Audit.auditor_id == user.id))
    not_a_draft = or_(Action.status != PROPOSED, own_audit)
    if sees_all(user):
        return not_a_draft
    return and_(not_a_draft, or_(
        Action.owner_id == user.id,
        Action.raised_by_id == user.id,
        own_audit,
        Action.case_id.in_(select(Case.id).where(or_(
            Case.team_id.in_(managed_teams(user)),
            Case.team_id.in_(headed_teams(user)),
            Case.social_worker_id == user.id,
        ))),
    ))


def can_view(user, action):
    return bool(db.session.scalar(select(exists().where(Action.id == action.id,
                                                        visible(user)))))
