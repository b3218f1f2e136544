"""Records for the audit rows: a draft audit with a recommendation and an escalation,
and a submitted audit, both on a Crewe CIN/CP case audited by the demo auditor."""

from audit_app.audits import escalations, workflow
from audit_app.extensions import db
from tests import factories


def placeholders(users):
    programme = factories.make_programme(factories.make_template(slug="authz-audits"))
    draft = factories.make_audit(programme, factories.make_case("AUTHZ-A1"), users["auditor"])
    action = workflow.add_recommendation(draft, users["auditor"], "Review the plan", None,
                                         None, "medium")
    escalation = escalations.raise_escalation(draft, users["auditor"], "Risk of harm")
    submitted = factories.make_audit(programme, factories.make_case("AUTHZ-A2"),
                                     users["auditor"])
    from tests.test_audit_workflow import complete

    complete(submitted, users["auditor"])
    workflow.submit(submitted, users["auditor"], submitted.row_version)
    db.session.commit()
    return {
        "audit_id": draft.id,
        "action_id": action.id,
        "escalation_id": escalation.id,
        "submitted_audit_id": submitted.id,
    }
