"""Audits of one case against a template version, their answers, and what follows from them."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from audit_app.extensions import db
from audit_app.timeutil import local_date, utcnow

ALLOCATED, IN_PROGRESS, SUBMITTED, RETURNED = "allocated", "in_progress", "submitted", "returned"
AUDIT_STATUSES = {
    ALLOCATED: "Allocated",
    IN_PROGRESS: "In progress",
    SUBMITTED: "Submitted",
    RETURNED: "Returned",
}
# The auditor may still change the audit.
EDITABLE = (ALLOCATED, IN_PROGRESS, RETURNED)
IMPORTED = "imported_from IS NOT NULL"


class Audit(db.Model):
    __tablename__ = "audits"
    __table_args__ = (
        UniqueConstraint("programme_id", "case_id", name="uq_audits_programme_case"),
        CheckConstraint(
            "status IN ('" + "', '".join(AUDIT_STATUSES) + "')", name="known_status"
        ),
        # The audits a figure counts: submitted ones, by audit date (measures/audit_date.py).
        Index("ix_audits_status_audited_on", "status", "audited_on"),
        # An audit done in the tool belongs to a programme; an imported one to none, and it
        # is submitted for good (audit_app/results_import).
        CheckConstraint(
            "(imported_from IS NULL AND programme_id IS NOT NULL) OR (imported_from IS NOT "
            f"NULL AND programme_id IS NULL AND status = '{SUBMITTED}')",
            name="in_programme_or_imported"),
        # One imported audit per case, template version, auditor and day: two imports of
        # one file at the same moment cannot both add it.
        Index("uq_audits_imported", "case_id", "template_version_id", "auditor_id",
              "audited_on", unique=True,
              sqlite_where=text(IMPORTED), postgresql_where=text(IMPORTED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for an imported audit.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    template_version_id: Mapped[int] = mapped_column(ForeignKey("template_versions.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("programme_draws.id"))
    status: Mapped[str] = mapped_column(String(12), default=ALLOCATED, index=True)
    due_on: Mapped[date] = mapped_column(Date)
    # Set when the auditor manages the case's team: shown as a warning.
    conflict_of_interest: Mapped[bool] = mapped_column(default=False)
    allocated_at: Mapped[datetime] = mapped_column(default=utcnow)
    allocated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    # The audit's date, which its figures are counted by: the UK day it was submitted. Kept
    # in step with submitted_at (below), so the database can group and filter by day.
    audited_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The team the case was in on the audit's date, set at submission: team and service
    # figures count the audit there even after the case moves (audit_app/measures/audit_date.py).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    returned_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(Text)
    overall_grade: Mapped[str | None] = mapped_column(String(60))
    # 0 = best grade on the version's scale; lets the database count "good or better".
    overall_rank: Mapped[int | None]
    strengths: Mapped[str | None] = mapped_column(Text)
    areas_for_development: Mapped[str | None] = mapped_column(Text)
    row_version: Mapped[int] = mapped_column(default=1)
    # An audit imported from a results file: the file's name, and when it was imported.
    imported_from: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime | None]

    programme = relationship("Programme", back_populates="audits")
    case = relationship("Case")
    auditor = relationship("User", foreign_keys=[auditor_id])
    allocated_by = relationship("User", foreign_keys=[allocated_by_id])
    template_version = relationship("TemplateVersion")
    team = relationship("Team")
    draw = relationship("ProgrammeDraw")
    answers = relationship("Answer", back_populates="audit", cascade="all, delete-orphan")
    actions = relationship("Action", back_populates="audit", order_by="Action.id")
    escalations = relationship("Escalation", back_populates="audit", order_by="Escalation.id")
    responses = relationship("AuditResponse", back_populates="audit", order_by="AuditResponse.id")

    @property
    def is_editable(self):
        return self.status in EDITABLE

    @property
    def is_imported(self):
        return self.imported_from is not None

    @validates("submitted_at")
    def _set_audited_on(self, _key, submitted_at):
        self.audited_on = local_date(submitted_at)
        return submitted_at


# The answers the measures read (audit_app/measures/units.py), each set in an index that
# holds all they need, so a period's figures read its audits' entries and never the table.
GRADED = "grade_rank IS NOT NULL"
ANSWERED_YES_NO = "value IN ('yes', 'no', 'partly')"


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("audit_id", "question_id", name="uq_answers_question"),
        Index("ix_answers_graded", "audit_id", "question_id", "grade_rank",
              sqlite_where=text(GRADED), postgresql_where=text(GRADED)),
        Index("ix_answers_yes_no", "audit_id", "question_id", "value",
              sqlite_where=text(ANSWERED_YES_NO), postgresql_where=text(ANSWERED_YES_NO)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("template_questions.id"), index=True)
    # Grade label, yes/no code, text, ISO date or number, as the question's kind says.
    value: Mapped[str | None] = mapped_column(Text)
    # For graded answers: 0 = best grade on the scale.
    grade_rank: Mapped[int | None]
    evidence: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    audit = relationship("Audit", back_populates="answers")
    question = relationship("TemplateQuestion")


class Escalation(db.Model):
    """A child who may be at immediate risk: kept apart from learning actions."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    concern: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    # End of the next working day after it was raised.
    acknowledge_by: Mapped[datetime]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledgement: Mapped[str | None] = mapped_column(Text)

    audit = relationship("Audit", back_populates="escalations")
    case = relationship("Case")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])


class AuditResponse(db.Model):
    """The team manager's or practitioner's written response to a submitted audit."""

    __tablename__ = "audit_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    audit = relationship("Audit", back_populates="responses")
    author = relationship("User")
