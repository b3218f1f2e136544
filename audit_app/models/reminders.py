"""Reminder digests: what `flask --app wsgi send-reminders` sent, one row per person, kind
and UK day.

The row is the claim: a run inserts it before sending, and the unique key (recipient,
kind, day) lets only one run win, so a digest goes once a day however many runs overlap
(audit_app/reminders.py). A failed send is kept as "failed" for the next run that day.
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db

OWNER, TEAM = "owner", "team"
DIGEST_KINDS = {OWNER: "Your actions due soon or overdue",
                TEAM: "Your team's overdue actions"}
SENDING, SENT, FAILED = "sending", "sent", "failed"
DIGEST_STATUSES = (SENDING, SENT, FAILED)


def _in(column, values):
    return f"{column} IN ('" + "', '".join(values) + "')"


class ReminderDigest(db.Model):
    __tablename__ = "reminder_digests"
    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "sent_on", name="uq_reminder_digests_daily"),
        CheckConstraint(_in("kind", DIGEST_KINDS), name="known_kind"),
        CheckConstraint(_in("status", DIGEST_STATUSES), name="known_status"),
        CheckConstraint("status != 'sent' OR (sent_at IS NOT NULL AND subject IS NOT NULL)",
                        name="sent_recorded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    # The UK day of the run: one digest of each kind per person per day.
    sent_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10))
    claimed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=1)
    # What was sent: the subject and the actions listed (ids), once sent.
    subject: Mapped[str | None] = mapped_column(String(200))
    action_ids: Mapped[list | None] = mapped_column(JSON)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))

    recipient = relationship("User")
