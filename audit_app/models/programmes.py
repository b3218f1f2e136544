"""Audit programmes: a template, a period, a due date, and cases allocated to auditors."""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.timeutil import utcnow


class Programme(db.Model):
    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("period_end >= period_start", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    template_id: Mapped[int] = mapped_column(ForeignKey("audit_templates.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    row_version: Mapped[int] = mapped_column(default=1)

    template = relationship("AuditTemplate")
    created_by = relationship("User")
    audits = relationship("Audit", back_populates="programme", order_by="Audit.id")
    draws = relationship("ProgrammeDraw", back_populates="programme", order_by="ProgrammeDraw.id")


class ProgrammeDraw(db.Model):
    """A random draw of cases: everything needed to reproduce it is stored."""

    __tablename__ = "programme_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    # NumPy promises the same stream from a seed only within a version: kept with the seed.
    numpy_version: Mapped[str | None] = mapped_column(String(20))
    # team_ids, cohorts, open_on (ISO date): the filter that made the sampling frame.
    filters: Mapped[dict] = mapped_column(JSON)
    requested: Mapped[int]
    frame_size: Mapped[int]
    skipped_recent: Mapped[int] = mapped_column(default=0)
    include_recent: Mapped[bool] = mapped_column(default=False)
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    programme = relationship("Programme", back_populates="draws")
    drawn_by = relationship("User")
