"""Targets for measures: data an admin edits, never constants in code."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.timeutil import utcnow

# What a target applies to: the whole council, or one service, team, template or cohort.
# `scope_ref` is "" for the whole council, the record's id for a service, team or template
# (so a rename keeps the target), and the cohort's key for a cohort.
SCOPE_KINDS = ("all", "service", "team", "template", "cohort")


class Target(db.Model):
    """A target rate for a measure and scope, in force from a date until a later target for
    the same measure and scope. A figure is judged against the target in force on the last
    day of its period (audit_app/measures/targets.py)."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("measure", "scope_kind", "scope_ref", "applies_from",
                         name="uq_targets_measure_scope_from"),
        CheckConstraint("scope_kind IN ('" + "', '".join(SCOPE_KINDS) + "')",
                        name="known_scope_kind"),
        # The status rule tests against a rate strictly between 0% and 100%.
        CheckConstraint("rate > 0 AND rate < 1", name="rate_between_0_and_1"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(80), index=True)
    scope_kind: Mapped[str] = mapped_column(String(10), default="all")
    scope_ref: Mapped[str] = mapped_column(String(40), default="")
    rate: Mapped[float]
    applies_from: Mapped[date] = mapped_column(Date)
    # Where the target comes from, e.g. "ILACS action plan, recommendation 2".
    source: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(default=1)

    created_by = relationship("User")
