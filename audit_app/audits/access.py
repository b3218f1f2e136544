"""Who may see and change an audit. Every audit route asks these before doing anything.

Auditing is independent: until an audit is submitted only its auditor, QA (moderators) and
admins read it. From submission the case's team (its managers, the head of its service,
the social worker) and everyone who reads all audits (practice leads, leaders) do too. A
moderator never reads an audit they are moderating blind until they submit.

An imported audit (audit_app/results_import) is read like any submitted audit, and nobody
changes, returns, escalates or responds to it: `imported_refusal` says so.
"""

from sqlalchemy import and_, exists, or_, select, true

from audit_app import blind_moderation
from audit_app.extensions import db
from audit_app.models import Audit, Case, Service, Team
from audit_app.models.audits import SUBMITTED
from audit_app.team_managers import managed_teams, manages

DRAFT_ROLES = ("moderator", "admin")
READ_ALL_ROLES = (*DRAFT_ROLES, "practice_lead", "leader")


def headed_teams(user):
    """SQL select of the ids of the teams in the services `user` heads."""
    return select(Team.id).join(Service).where(Service.head_id == user.id)


def headed_team_ids(user):
    return set(db.session.scalars(headed_teams(user)))


def _case_team(user):
    """SQL: the audit's case is on a team `user` manages or heads, or is theirs as its
    social worker."""
    return Audit.case_id.in_(select(Case.id).where(or_(
        Case.team_id.in_(managed_teams(user)),
        Case.team_id.in_(headed_teams(user)),
        Case.social_worker_id == user.id,
    )))


def readable(user):
    """SQL: the audit (Audit in the FROM) is one `user` may read. The one rule for the
    audit pages and every list of audits."""
    if user.has_role(*DRAFT_ROLES):
        others = true()
    elif user.has_role(*READ_ALL_ROLES):
        others = Audit.status == SUBMITTED
    else:
        others = and_(Audit.status == SUBMITTED, _case_team(user))
    not_blind = Audit.id.not_in(blind_moderation.hidden_audit_ids(user.id))
    return or_(Audit.auditor_id == user.id, and_(others, not_blind))


def can_view(user, audit):
    return bool(db.session.scalar(select(exists().where(Audit.id == audit.id,
                                                        readable(user)))))


def visible_audits_query(user):
    """Audits the user may read, for lists."""
    return select(Audit).join(Case).where(readable(user))


def imported_refusal(audit):
    """Why nobody may change `audit`, when it was imported; else None."""
    if not audit.is_imported:
        return None
    return (f"This audit was imported from {audit.imported_from}, so it cannot be changed, "
            "returned, escalated or responded to.")


def can_edit(user, audit):
    return audit.auditor_id == user.id and audit.is_editable


def can_return(user, audit):
    return (audit.status == SUBMITTED and not audit.is_imported
            and user.has_role("moderator", "admin"))


def can_respond(user, audit):
    """The case's team managers and its social worker answer a submitted audit."""
    if audit.status != SUBMITTED or audit.is_imported:
        return False
    return manages(user, audit.case.team_id) or audit.case.social_worker_id == user.id


def can_acknowledge(user, escalation):
    """The case's team managers and the head of its service acknowledge an escalation."""
    team_id = escalation.case.team_id
    return manages(user, team_id) or team_id in headed_team_ids(user)
