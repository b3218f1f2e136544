"""Placeholder values for the case register rows of the authorization matrix."""

from audit_app.extensions import db
from tests.factories import make_case


def placeholders(users):
    own = make_case(reference="AUTHZ-1001", team_name="Crewe CIN/CP")  # the demo manager's
    other = make_case(reference="AUTHZ-1002", team_name="Macclesfield CIN/CP")
    db.session.commit()  # the matrix's requests run in their own sessions
    return {"case_id": own.id, "other_team_case_id": other.id}
