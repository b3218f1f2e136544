"""Placeholder values for the audit programme rows of the authorization matrix.

Keys are prefixed so they cannot collide with other areas' placeholders.
"""

from audit_app.extensions import db
from tests.factories import make_audit, make_case, make_programme, make_template


def placeholders(users):
    template = make_template(slug="authz-programmes", name="Authz programmes template")
    programme = make_programme(template, name="Authz programme")
    case = make_case(reference="AUTHZ-PROG-1", team_name="Macclesfield CIN/CP")
    audit = make_audit(programme, case, users["auditor"])  # allocated: it may be removed
    db.session.commit()  # the matrix's requests run in their own sessions
    return {"prog_id": programme.id, "prog_audit_id": audit.id}
