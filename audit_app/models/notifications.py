"""Notifications: shown on the recipient's home page and queued for email."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.timeutil import utcnow


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by `flask send-email` once the message has gone to the mail server.
    emailed_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]

    recipient = relationship("User")


class Setting(db.Model):
    """Admin settings that change behaviour without a deployment."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")
