"""Actions: what someone must do for a child after an audit, a moderation or a dip sample,
tracked until it is done and checked.

Lifecycle (the rules are in audit_app/actions/workflow.py):

    proposed (a recommendation in a draft audit)
      -> open (the audit is submitted; or raised from a moderation or a dip sample)
      -> completed (date done and evidence recorded)
      -> verified_followed_up | verified_partly (a dip sample found it on the child's record)
    completed -> open again when a dip sample finds it not followed up (new due date, reason)
    open -> cancelled (with a reason)

Overdue is never stored: `overdue` and `overdue_sql` below define it, in Python and in SQL,
from the due date and the UK day ("today" from audit_app/timeutil.py).
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.timeutil import utcnow
from audit_app.workdays import add_working_days

PROPOSED, OPEN, COMPLETED, CANCELLED = "proposed", "open", "completed", "cancelled"
VERIFIED_FOLLOWED_UP, VERIFIED_PARTLY = "verified_followed_up", "verified_partly"
ACTION_STATUSES = {
    PROPOSED: "Proposed",
    OPEN: "Open",
    COMPLETED: "Completed",
    VERIFIED_FOLLOWED_UP: "Verified: followed up",
    VERIFIED_PARTLY: "Verified: partly followed up",
    CANCELLED: "Cancelled",
}
VERIFIED = (VERIFIED_FOLLOWED_UP, VERIFIED_PARTLY)
# Done by the owner: a completion date and evidence are recorded.
DONE = (COMPLETED, *VERIFIED)
PRIORITIES = {"high": "High", "medium": "Medium", "low": "Low"}

FROM_AUDIT, FROM_MODERATION, FROM_DIP_SAMPLE = "audit", "moderation", "dip_sample"
SOURCES = {
    FROM_AUDIT: "Audit recommendation",
    FROM_MODERATION: "Moderation",
    FROM_DIP_SAMPLE: "Dip sample",
}

# "Due soon" on the owner's home page: due within this many working days.
DUE_SOON_WORKING_DAYS = 5


def _in(column, values):
    return f"{column} IN ('" + "', '".join(values) + "')"


# -- Overdue and due soon: ONE rule each, in Python and in SQL --------------------------------

def overdue(status, due_on, day):
    """An open action is overdue from the day after its due date (UK days)."""
    return status == OPEN and due_on is not None and due_on < day


def overdue_sql(status, due_on, day):
    """`overdue` for the database."""
    return and_(status == OPEN, due_on < day)


def due_soon(status, due_on, day):
    """An open action due today or within the next DUE_SOON_WORKING_DAYS working days."""
    return (status == OPEN and due_on is not None
            and day <= due_on <= add_working_days(day, DUE_SOON_WORKING_DAYS))


def due_soon_sql(status, due_on, day):
    """`due_soon` for the database."""
    return and_(status == OPEN,
                due_on.between(day, add_working_days(day, DUE_SOON_WORKING_DAYS)))


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(_in("status", ACTION_STATUSES), name="known_status"),
        CheckConstraint(_in("priority", PRIORITIES), name="known_priority"),
        CheckConstraint(_in("source", SOURCES), name="known_source"),
        # Each source links back to where it was raised.
        CheckConstraint("source != 'moderation' OR moderation_id IS NOT NULL",
                        name="moderation_linked"),
        CheckConstraint("source != 'dip_sample' OR follow_up_of_id IS NOT NULL",
                        name="dip_sample_linked"),
        CheckConstraint("status = 'proposed' OR (raised_on IS NOT NULL AND due_on IS NOT NULL)",
                        name="raised_with_due_date"),
        CheckConstraint(
            "status NOT IN ('completed', 'verified_followed_up', 'verified_partly') OR "
            "(completed_on IS NOT NULL AND completed_by_id IS NOT NULL AND evidence IS NOT NULL)",
            name="done_with_evidence"),
        CheckConstraint("status NOT IN ('verified_followed_up', 'verified_partly') OR "
                        "verified_by_id IS NOT NULL", name="verified_by_someone"),
        CheckConstraint("status != 'cancelled' OR cancel_reason IS NOT NULL",
                        name="cancelled_with_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(12), default=FROM_AUDIT)
    # Every action goes back to an audit of its case: the audit that recommended it, the
    # audit moderated, or (for a dip sample's follow-up) the earlier action's audit.
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    moderation_id: Mapped[int | None] = mapped_column(ForeignKey("moderations.id"), index=True)
    # A dip sample's follow-up: the action that was found partly or not followed up.
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    priority: Mapped[str] = mapped_column(String(10), default="medium")
    status: Mapped[str] = mapped_column(String(24), default=PROPOSED, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The UK day it opened (the audit's submission day for a recommendation).
    raised_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The UK day the owner says it was done, and how it is evidenced on the child's record.
    completed_on: Mapped[date | None] = mapped_column(Date, index=True)
    evidence: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when a dip sample found it not followed up and it opened again.
    reopened_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    row_version: Mapped[int] = mapped_column(default=1)

    audit = relationship("Audit", back_populates="actions")
    moderation = relationship("Moderation")
    follow_up_of = relationship("Action", remote_side=[id])
    case = relationship("Case")
    owner = relationship("User", foreign_keys=[owner_id])
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])
    verified_by = relationship("User", foreign_keys=[verified_by_id])
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])

    @hybrid_method
    def overdue_on(self, day):
        return overdue(self.status, self.due_on, day)

    @overdue_on.inplace.expression
    @classmethod
    def _overdue_on_sql(cls, day):
        return overdue_sql(cls.status, cls.due_on, day)

    @hybrid_method
    def due_soon_on(self, day):
        return due_soon(self.status, self.due_on, day)

    @due_soon_on.inplace.expression
    @classmethod
    def _due_soon_on_sql(cls, day):
        return due_soon_sql(cls.status, cls.due_on, day)

    @property
    def status_label(self):
        return ACTION_STATUSES[self.status]

    @property
    def source_label(self):
        return SOURCES[self.source]

    def __repr__(self):
        return f"<Action {self.id} {self.status}>"
