"""Who may see and change an audit. Every audit route asks these before doing anything."""

from sqlalchemy import or_, select

from audit_app import blind_moderation
from audit_app.extensions import db
from audit_app.models import (
    Audit,
    Case,
    Service,
    Team,
)
from audit_app.models.audits import SUBMITTED

READ_ALL_ROLES = ("moderator", "practice_lead", "leader", "admin")


def managed_team_ids(user):
    """Teams a user manages: the team they belong to as a manager, and teams naming them."""
    ids = set(db.session.scalars(select(Team.id).where(Team.manager_id == user.id)))
    if user.has_role("manager") and user.team_id:
        ids.add(user.team_id)
    return ids


def headed_team_ids(user):
    return set(
        db.session.scalars(select(Team.id).join(Service).where(Service.head_id == user.id))
    )


def can_view(user, audit):
    if audit.auditor_id != user.id and blind_moderation.hides(user, audit.id):
        return False
    if audit.auditor_id == user.id or user.has_role(*READ_ALL_ROLES):
        return True
    if audit.case.team_id in managed_team_ids(user) | headed_team_ids(user):
        return True
    return audit.status == SUBMITTED and audit.case.social_worker_id == user.id


def can_edit(user, audit):
    return audit.auditor_id == user.id and audit.is_editable


def can_return(user, audit):
    return audit.status == SUBMITTED and user.has_role("moderator", "admin")


def can_respond(user, audit):
    """The case's team manager and its social worker answer a submitted audit."""
    if audit.status != SUBMITTED:
        return False
    return (
        audit.case.team_id in managed_team_ids(user) or audit.case.social_worker_id == user.id
    )


def can_acknowledge(user, escalation):
    team_id = escalation.case.team_id
    return team_id in managed_team_ids(user) | headed_team_ids(user)


def visible_audits_query(user):
    """Audits the user may read, for lists."""
    query = select(Audit).join(Case)
    if user.has_role(*READ_ALL_ROLES):
        return query
    teams = managed_team_ids(user) | headed_team_ids(user)
    return query.where(
        or_(
            Audit.auditor_id == user.id,
            Case.team_id.in_(teams) if teams else False,
            (Case.social_worker_id == user.id) & (Audit.status == SUBMITTED),
        )
    )
