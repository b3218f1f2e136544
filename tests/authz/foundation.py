"""Placeholder values for the foundation rows of the authorization matrix."""

from audit_app.extensions import db
from audit_app.models import Service, Team


def placeholders(users):
    return {
        "user_id": users["auditor"].id,
        "team_id": db.session.scalar(db.select(Team.id).order_by(Team.id)),
        "service_id": db.session.scalar(db.select(Service.id).order_by(Service.id)),
    }
