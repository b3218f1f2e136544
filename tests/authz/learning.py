"""Placeholder values for the learning and training rows of the authorization matrix: one
entry, in the quarter of the matrix's plan figure."""

from datetime import date

from audit_app.extensions import db
from audit_app.models import LearningEntry


def placeholders(users):
    entry = db.session.scalar(db.select(LearningEntry).order_by(LearningEntry.id))
    if entry is None:
        entry = LearningEntry(quarter="2022-Q2", theme="Contingency planning", kind="briefing",
                              title="Briefing on contingency plans", audience="Team managers",
                              given_on=date(2022, 8, 3))
        db.session.add(entry)
        db.session.commit()  # the matrix's requests run in their own sessions
    return {"learning_entry_id": entry.id}
