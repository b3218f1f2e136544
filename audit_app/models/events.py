"""The append-only event log: who changed what, when, from what to what."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.timeutil import utcnow


class Event(db.Model):
    """One recorded change. Rows are never deleted, nor updated but for one exception the
    database triggers allow: the retention rule may blank before, after and note, or put a
    random token where they name a case, stamping redacted_at later than before, leaving
    who, when, what kind and which record (migration 0012)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(2000))
    redacted_at: Mapped[datetime | None]

    actor = relationship("User")
