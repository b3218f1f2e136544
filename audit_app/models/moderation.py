"""Moderation: rounds that sample submitted audits, re-grades, feedback and challenges.

The auditor's grade is never overwritten. Each compared item (the overall judgement or a
domain question) keeps the auditor's grade, the moderator's grade, an agreed grade from a
discussion and a ruled grade from a challenge. The final grade and the comparison are never
stored: `final` and `compare_ranks` below define them, in Python and (beside each) in SQL.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    func,
    literal_column,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from audit_app.extensions import db
from audit_app.timeutil import local_date, utcnow

ROUND_KINDS = {
    "qa_quarterly": "Quality assurance officer (quarterly)",
    "independent": "Independent auditor",
    "senior_manager": "Senior manager",
}
MODES = {"blind": "Blind", "open": "Open"}
SAMPLING_METHODS = {
    "simple_random": "Simple random",
    "stratified_team": "Stratified by team",
    "stratified_auditor": "Stratified by auditor",
    "targeted": "Targeted (the best or worst grade, or picked by hand)",
    "targeted_then_random": "Targeted first, then random to fill the quota",
}
# Why an audit is in a sample (codes from moderation/sampling.py), in words. Targeted reasons
# name the grade at the top or bottom of the audit's own scale: see sample_reason_label.
SAMPLE_REASONS = {
    "random": "Random",
    "stratified_team": "Stratified by team",
    "stratified_auditor": "Stratified by auditor",
    "targeted_top": "Targeted: judged {top}",
    "targeted_bottom": "Targeted: judged {bottom}",
    "hand_picked": "Picked by hand",
}
TARGETED_REASONS = ("targeted_top", "targeted_bottom")


def sample_reason_label(reason, scale, hide_grade=False):
    """The words for a sample's reason code, on the audit's template scale (best first).

    hide_grade (a blind moderation not yet submitted): a targeted reason names both ends of
    the scale, so it does not tell the moderator the auditor's grade.
    """
    top, bottom = scale[0], scale[-1]
    if hide_grade and reason in TARGETED_REASONS:
        return f"Targeted: judged {top} or {bottom}"
    return SAMPLE_REASONS[reason].format(top=top, bottom=bottom)


AGREE, AUDITOR_HIGHER, AUDITOR_LOWER = "agree", "auditor_higher", "auditor_lower"
COMPARISONS = {
    AGREE: "Agree",
    AUDITOR_HIGHER: "Auditor higher (over-optimistic)",
    AUDITOR_LOWER: "Auditor lower",
}
OVERALL = "overall"


# -- The final grade: ONE rule, in Python and in SQL -----------------------------------------

def final(ruled, agreed, moderated):
    """The final grade of a compared item: the grade ruled on a challenge, else the grade
    agreed in a discussion, else the moderator's grade (labels, ranks or anything else given
    in that order). None when none is set."""
    for value in (ruled, agreed, moderated):
        if value is not None:
            return value
    return None


def final_sql(ruled, agreed, moderated):
    """`final` for the database."""
    return func.coalesce(ruled, agreed, moderated)


# -- The comparison: the auditor's grade against the final grade ------------------------------

def compare_ranks(auditor_rank, final_rank):
    """AGREE, AUDITOR_HIGHER (auditor's grade better: over-optimistic) or AUDITOR_LOWER.

    Ranks count from 0 for the best grade, so a smaller auditor rank is a higher grade.
    None when either grade is missing.
    """
    if auditor_rank is None or final_rank is None:
        return None
    if auditor_rank == final_rank:
        return AGREE
    return AUDITOR_HIGHER if auditor_rank < final_rank else AUDITOR_LOWER


def compare_ranks_sql(auditor_rank, final_rank):
    """`compare_ranks` for the database: NULL (no branch matches) when either rank is NULL.
    The codes are inlined, not bound, so the expression reads the same wherever it is used."""
    def code(value):
        return literal_column(f"'{value}'")

    return case(
        (auditor_rank == final_rank, code(AGREE)),
        (auditor_rank < final_rank, code(AUDITOR_HIGHER)),
        (auditor_rank > final_rank, code(AUDITOR_LOWER)),
    )

round_moderators = Table(
    "round_moderators",
    db.metadata,
    Column("round_id", ForeignKey("moderation_rounds.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


def _in(column, values):
    return f"{column} IN ('" + "', '".join(values) + "')"


class ModerationRound(db.Model):
    __tablename__ = "moderation_rounds"
    __table_args__ = (
        CheckConstraint(_in("kind", ROUND_KINDS), name="known_kind"),
        CheckConstraint(_in("mode", MODES), name="known_mode"),
        CheckConstraint(_in("method", SAMPLING_METHODS), name="known_method"),
        CheckConstraint("quota >= 1", name="quota_positive"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10), default="blind")
    quota: Mapped[int] = mapped_column(default=9)
    method: Mapped[str] = mapped_column(String(30), default="simple_random")
    # Frame filters: template_id, team_ids, auditor_ids (any may be absent).
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    include_moderated: Mapped[bool] = mapped_column(default=False)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    # NumPy promises the same stream from a seed only within a version: kept with the seed.
    numpy_version: Mapped[str | None] = mapped_column(String(20))
    frame_size: Mapped[int | None]
    drawn_at: Mapped[datetime | None]
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    row_version: Mapped[int] = mapped_column(default=1)

    moderators = relationship("User", secondary=round_moderators, order_by="User.name")
    samples = relationship(
        "ModerationSample", back_populates="round", order_by="ModerationSample.position",
        cascade="all, delete-orphan",
    )
    drawn_by = relationship("User", foreign_keys=[drawn_by_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class ModerationSample(db.Model):
    """One audit drawn into a round, why it was chosen, and who moderates it."""

    __tablename__ = "moderation_samples"
    __table_args__ = (
        UniqueConstraint("round_id", "audit_id", name="uq_samples_round_audit"),
        CheckConstraint(_in("reason", SAMPLE_REASONS), name="known_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("moderation_rounds.id"), index=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    position: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))  # a SAMPLE_REASONS code
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    round = relationship("ModerationRound", back_populates="samples")
    audit = relationship("Audit")
    moderator = relationship("User")
    moderation = relationship("Moderation", back_populates="sample", uselist=False)

    @property
    def reason_label(self):
        return self.reason_label_for()

    def reason_label_for(self, hidden_elsewhere=False):
        """Why the audit was chosen, in words, wherever it is shown. In a blind round a
        targeted reason would tell the moderator the auditor's grade before they grade, so
        it names both ends of the scale until the moderation is submitted; so it does in any
        round for a reader moderating the audit blind elsewhere (`hidden_elsewhere`)."""
        hidden = hidden_elsewhere or (self.round.mode == "blind" and not (
            self.moderation is not None and self.moderation.status == "submitted"))
        return sample_reason_label(self.reason, self.audit.template_version.scale, hidden)


IMPORTED = "imported_from IS NOT NULL"


class Moderation(db.Model):
    __tablename__ = "moderations"
    __table_args__ = (
        CheckConstraint(_in("status", ("in_progress", "submitted")), name="known_status"),
        # A moderation done in the tool moderates a round's sample; an imported one belongs
        # to no round (so counts towards no quota) and is submitted for good.
        CheckConstraint(
            "(imported_from IS NULL AND sample_id IS NOT NULL) OR (imported_from IS NOT NULL "
            "AND sample_id IS NULL AND status = 'submitted')",
            name="in_sample_or_imported"),
        # One imported moderation per audit, moderator and day (see uq_audits_imported).
        Index("uq_moderations_imported", "audit_id", "moderator_id", "submitted_on",
              unique=True, sqlite_where=text(IMPORTED), postgresql_where=text(IMPORTED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for an imported moderation.
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_samples.id"),
                                                  unique=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    feedback: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    # The UK day it was submitted, which the agreement report counts it by; kept in step
    # with submitted_at (below), so the database can group and filter by day.
    submitted_on: Mapped[date | None] = mapped_column(Date, index=True)
    acknowledged_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(default=1)
    # A moderation imported from a results file: the file's name, and when it was imported.
    imported_from: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime | None]

    sample = relationship("ModerationSample", back_populates="moderation")
    audit = relationship("Audit")
    moderator = relationship("User")
    grades = relationship(
        "ModerationGrade", back_populates="moderation", cascade="all, delete-orphan",
        order_by="ModerationGrade.position",
    )

    @property
    def is_imported(self):
        return self.imported_from is not None

    @validates("submitted_at")
    def _set_submitted_on(self, _key, submitted_at):
        self.submitted_on = local_date(submitted_at)
        return submitted_at


class ModerationGrade(db.Model):
    """One compared item: the overall judgement (item 'overall') or a domain question's key."""

    __tablename__ = "moderation_grades"
    __table_args__ = (
        UniqueConstraint("moderation_id", "item", name="uq_moderation_grades_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(ForeignKey("moderations.id"), index=True)
    position: Mapped[int]
    item: Mapped[str] = mapped_column(String(80))
    domain: Mapped[str | None] = mapped_column(String(40), index=True)
    label: Mapped[str] = mapped_column(Text)
    # Ranks: 0 is the best grade on the audit's template scale.
    auditor_grade: Mapped[str | None] = mapped_column(String(60))
    auditor_rank: Mapped[int | None]
    moderator_grade: Mapped[str | None] = mapped_column(String(60))
    moderator_rank: Mapped[int | None]
    agreed_grade: Mapped[str | None] = mapped_column(String(60))
    agreed_rank: Mapped[int | None]
    ruled_grade: Mapped[str | None] = mapped_column(String(60))
    ruled_rank: Mapped[int | None]

    moderation = relationship("Moderation", back_populates="grades")
    challenges = relationship("Challenge", back_populates="grade", order_by="Challenge.id")

    # Each of these reads the same on a row (Python) and in a query (SQL).
    @hybrid_property
    def final_grade(self):
        return final(self.ruled_grade, self.agreed_grade, self.moderator_grade)

    @final_grade.inplace.expression
    @classmethod
    def _final_grade_sql(cls):
        return final_sql(cls.ruled_grade, cls.agreed_grade, cls.moderator_grade)

    @hybrid_property
    def final_rank(self):
        return final(self.ruled_rank, self.agreed_rank, self.moderator_rank)

    @final_rank.inplace.expression
    @classmethod
    def _final_rank_sql(cls):
        return final_sql(cls.ruled_rank, cls.agreed_rank, cls.moderator_rank)

    @hybrid_property
    def comparison(self):
        return compare_ranks(self.auditor_rank, self.final_rank)

    @comparison.inplace.expression
    @classmethod
    def _comparison_sql(cls):
        return compare_ranks_sql(cls.auditor_rank, cls.final_rank)

    @property
    def final_basis(self):
        """Which grade is final: "ruled", "agreed", "moderator", or None before grading."""
        return final("ruled" if self.ruled_rank is not None else None,
                     "agreed" if self.agreed_rank is not None else None,
                     "moderator" if self.moderator_rank is not None else None)


class Challenge(db.Model):
    """An auditor's or team manager's challenge to a moderated grade, and its ruling."""

    __tablename__ = "challenges"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'rejected')",
                        name="known_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("moderation_grades.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reasons: Mapped[str] = mapped_column(Text)
    proposed_grade: Mapped[str] = mapped_column(String(60))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ruled_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(10))
    ruling: Mapped[str | None] = mapped_column(Text)

    grade = relationship("ModerationGrade", back_populates="challenges")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    ruled_by = relationship("User", foreign_keys=[ruled_by_id])
