"""Learning and training given in response to audit themes: what the principal social
worker records each quarter for the quarterly headline report (the reference action plan's
action 8a: "a quarterly briefing report to ensure learning and training is reflective of
audit findings")."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from audit_app.extensions import db
from audit_app.timeutil import utcnow

# What was given, as stored (code) and shown (label).
KINDS = {
    "briefing": "Briefing",
    "training": "Training",
    "practice_guidance": "Practice guidance",
}


class LearningEntry(db.Model):
    __tablename__ = "learning_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('" + "', '".join(KINDS) + "')", name="known_kind"),
        Index("ix_learning_entries_quarter", "quarter", "given_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The reporting quarter whose report it belongs in: a Quarter code, "2022-Q2".
    quarter: Mapped[str] = mapped_column(String(7))
    theme: Mapped[str] = mapped_column(String(300))  # the audit theme it answers
    kind: Mapped[str] = mapped_column(String(20))  # a KINDS code
    title: Mapped[str] = mapped_column(String(300))  # what was given, e.g. a masterclass
    audience: Mapped[str] = mapped_column(String(300))
    given_on: Mapped[date] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(500))  # slides, guidance, recording
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(default=1)

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)
