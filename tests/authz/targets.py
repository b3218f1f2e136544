"""Placeholder values for the targets rows of the authorization matrix: one target."""

from datetime import date

from audit_app.extensions import db
from audit_app.models import Target


def placeholders(users):
    target = db.session.scalar(db.select(Target).order_by(Target.id))
    if target is None:
        target = Target(measure="agreement", scope_kind="all", scope_ref="", rate=0.9,
                        applies_from=date(2022, 9, 1), source="ILACS action plan")
        db.session.add(target)
        db.session.commit()  # the matrix's requests run in their own sessions
    return {"target_id": target.id}
