"""Safeguarding escalations: a child who may be at immediate risk.

Kept apart from learning actions. The case's team managers and head of service are told at
once; one of them must acknowledge within one working day, and until then QA sees it as
outstanding (overdue once the day has passed).
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Case, Escalation
from audit_app.notify import notify
from audit_app.team_managers import managers_of
from audit_app.timeutil import local, stored, utcnow
from audit_app.workdays import next_working_day


class EscalationError(Exception):
    pass


def acknowledge_deadline(raised_at):
    """The same UK time on the next working day after the UK day it was raised."""
    raised = local(raised_at)
    return stored(next_working_day(raised.date()), raised.time())


def recipients(case):
    """Who is told and may acknowledge: the team's managers and the head of its service,
    active users only (a deactivated manager could neither read nor acknowledge it)."""
    team = case.team
    people = list(managers_of(team.id))
    head = team.service.head
    if head is not None and head.active and head not in people:
        people.append(head)
    return people


def raise_escalation(audit, user, concern, now=None):
    if audit.auditor_id != user.id:
        raise EscalationError("Only the auditor of this case can raise an escalation from it.")
    concern = (concern or "").strip()
    if not concern:
        raise EscalationError("Describe why the child may be at immediate risk")
    now = now or utcnow()
    escalation = Escalation(
        audit_id=audit.id, case_id=audit.case_id, concern=concern, raised_by_id=user.id,
        raised_at=now, acknowledge_by=acknowledge_deadline(now),
    )
    db.session.add(escalation)
    db.session.flush()
    record("escalation", escalation.id, "raised", None,
           {"audit_id": audit.id, "case": audit.case.reference}, actor=user)
    for person in recipients(audit.case):
        notify(person, f"URGENT: safeguarding concern on case {audit.case.reference}",
               f"{user.name} raised a concern that the child may be at immediate risk: "
               f"{concern}\n\nAcknowledge it within one working day.",
               f"/audits/escalations/{escalation.id}")
    return escalation


def acknowledge(escalation, user, note, now=None):
    if escalation.acknowledged_at is not None:
        raise EscalationError("This escalation has already been acknowledged.")
    note = (note or "").strip()
    if not note:
        raise EscalationError("Say what has been done to keep the child safe")
    escalation.acknowledged_at = now or utcnow()
    escalation.acknowledged_by_id = user.id
    escalation.acknowledgement = note
    record("escalation", escalation.id, "acknowledged", None, {"note": note}, actor=user)
    notify(escalation.raised_by, f"Escalation on case {escalation.case.reference} acknowledged",
           f"{user.name} acknowledged it: {note}", f"/audits/escalations/{escalation.id}")


def is_overdue(escalation, now=None):
    return escalation.acknowledged_at is None and (now or utcnow()) > escalation.acknowledge_by


def outstanding(team_ids=None):
    """Unacknowledged escalations, oldest first; only these teams when given."""
    query = (
        select(Escalation)
        .where(Escalation.acknowledged_at.is_(None))
        .options(selectinload(Escalation.case))
    )
    if team_ids is not None:
        query = query.join(Case).where(Case.team_id.in_(team_ids))
    return db.session.scalars(query.order_by(Escalation.raised_at)).all()
