"""Builders for actions, through the real rules: recommendations added to an audit, opened by
the same function submission uses. Each adds and flushes; callers commit."""

from datetime import date, time
from itertools import count

from audit_app.actions.workflow import open_recommendations
from audit_app.audits import workflow as audit_workflow
from audit_app.extensions import db
from audit_app.models import AuditTemplate
from audit_app.timeutil import stored
from tests import factories
from tests.moderation_factories import make_user, programme_for

_serial = count(1)
RAISED_ON = date(2026, 11, 2)  # a Monday


def action_template():
    """One small template for every action test (the demo loads the built-in ones)."""
    template = db.session.scalar(db.select(AuditTemplate).where(
        AuditTemplate.slug == "action-tests"))
    return template or factories.make_template(slug="action-tests", name="Action tests")


def open_actions(auditor, count=1, reference=None, team_name="Crewe CIN/CP",
                 raised_on=RAISED_ON, owner=None, due_on=None, template=None):
    """`count` open actions from one submitted audit by `auditor` of a new case on the team,
    raised on `raised_on`; owned by the team's manager unless `owner` is given."""
    case = factories.make_case(reference or f"LCS-A{next(_serial):05d}", team_name=team_name)
    audit = factories.make_audit(programme_for(template or action_template()), case, auditor)
    actions = [
        audit_workflow.add_recommendation(
            audit, auditor, f"Action {number} for case {case.reference}",
            owner.id if owner else None, due_on, "medium")
        for number in range(1, count + 1)
    ]
    audit.status = "submitted"
    audit.submitted_at = stored(raised_on, time(10))
    audit.team_id = case.team_id  # as submission sets it (audits.workflow.submit)
    open_recommendations(audit, auditor, raised_on)
    db.session.flush()
    return actions


def open_action(auditor, **kwargs):
    return open_actions(auditor, **kwargs)[0]


def manager_of(team_name, name="Other Manager", roles=("manager",)):
    """A new user with the manager role on the team (so they manage it)."""
    return make_user(name, roles=roles, team_name=team_name)
