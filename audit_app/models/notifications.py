"""Notifications: shown on the recipient's home page and queued for email."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.timeutil import utcnow

EMAIL_STATUSES = ("queued", "sending", "sent")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("email_status IN ('" + "', '".join(EMAIL_STATUSES) + "')",
                        name="known_email_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Email (audit_app/notify.py): queued, then "sending" while one send-email run has
    # claimed it, then sent (emailed_at set); a failed send is queued again with its error.
    email_status: Mapped[str] = mapped_column(String(10), default="queued",
                                              server_default="queued", index=True)
    email_claimed_at: Mapped[datetime | None]
    email_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    email_error: Mapped[str | None] = mapped_column(String(500))
    emailed_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]

    recipient = relationship("User")


class Setting(db.Model):
    """Admin settings that change behaviour without a deployment."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")
