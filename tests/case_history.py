"""Years of a service's history for the data-protection tests, through the real workflow.

`build(users)` loads the demo activity (60 cases; audits in every state; a blind moderation
round; actions in every state, one raised from a moderation and one a follow-up) and adds,
on the first moderated audit's case: a challenge and its ruling, a safeguarding escalation
and its acknowledgement, and a written response. Text added here contains KESTREL, so a
test can look for it; one recommendation starts with "=" like a spreadsheet formula.
"""

from dataclasses import dataclass

from sqlalchemy import select

from audit_app.audits import escalations
from audit_app.demo_activity import demo_users, seed_activity
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import (
    Action,
    Audit,
    AuditResponse,
    AuditTemplate,
    Case,
    Moderation,
)
from audit_app.moderation import moderate

KESTREL = "Kestrel"
FORMULA = "=HYPERLINK(\"http://example.com\",\"Kestrel\")"


@dataclass
class History:
    case: Case  # the case with everything
    audit: Audit
    moderation: Moderation


def build(users):
    template = db.session.scalar(select(AuditTemplate).where(
        AuditTemplate.slug == "whole-case-file"))
    seed_activity(template, demo_users())
    moderation = db.session.scalar(select(Moderation).where(
        Moderation.status == "submitted").order_by(Moderation.id))
    audit = moderation.audit
    auditor, leader = audit.auditor, users["leader"]
    overall = next(g for g in moderation.grades if g.item == "overall")
    proposed = next(label for label in audit.template_version.scale
                    if label != overall.final_grade)
    challenge = moderate.raise_challenge(overall, auditor, proposed,
                                         f"{KESTREL}: the plan was reviewed on time.")
    moderate.rule(challenge, leader, "rejected", f"{KESTREL} ruling: evidence not on file.")
    escalation = escalations.raise_escalation(
        audit, auditor, f"{KESTREL}: no visit for ten weeks and new bruising reported.")
    escalations.acknowledge(escalation, users["manager"], f"{KESTREL}: visited today.")
    response = AuditResponse(audit_id=audit.id, author_id=users["manager"].id,
                             body=f"{KESTREL}: we accept the findings.")
    db.session.add(response)
    db.session.flush()
    record("audit", audit.id, "response_added", None, {"response": response.body})
    action = db.session.scalar(select(Action).where(Action.audit_id == audit.id))
    if action is not None:
        action.description = FORMULA
    db.session.commit()
    return History(case=audit.case, audit=audit, moderation=moderation)
