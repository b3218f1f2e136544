"""Dip samples: a practice lead checks a few cases a month to see whether earlier audit
actions were really followed up (the reference action plan, recommendation 8d).

A round belongs to one practice lead and one month. Its frame is the cases with actions due
or completed in a chosen window, optionally one team or service; a reproducible random draw
picks `size` of them (the seed is stored with the NumPy version). The practice lead may swap
a case by hand, with a reason. For each sampled case, each action from the case's earlier
audits gets a check: followed up, partly, not followed up or not yet due. The rules are in
audit_app/dip_samples/rounds.py and checks.py.
"""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.timeutil import utcnow

DEFAULT_SIZE = 8  # "Practice Leads will dip sample eight cases per month"
MAX_SIZE = 50

RANDOM, BY_HAND = "random", "by_hand"
CASE_REASONS = {RANDOM: "Drawn at random", BY_HAND: "Picked by hand"}

FOLLOWED_UP, PARTLY, NOT_FOLLOWED_UP, NOT_YET_DUE = (
    "followed_up", "partly", "not_followed_up", "not_yet_due")
OUTCOMES = {
    FOLLOWED_UP: "Followed up",
    PARTLY: "Partly followed up",
    NOT_FOLLOWED_UP: "Not followed up",
    NOT_YET_DUE: "Not yet due",
}
# Outcomes that judge the action: the denominator of "confirmed followed up".
JUDGED = (FOLLOWED_UP, PARTLY, NOT_FOLLOWED_UP)


def _in(column, values):
    return f"{column} IN ('" + "', '".join(values) + "')"


class DipSampleRound(db.Model):
    __tablename__ = "dip_sample_rounds"
    __table_args__ = (
        CheckConstraint(f"size BETWEEN 1 AND {MAX_SIZE}", name="size_in_range"),
        CheckConstraint("window_end >= window_start", name="window_in_order"),
        CheckConstraint("team_id IS NULL OR service_id IS NULL", name="team_or_service"),
        CheckConstraint("drawn_at IS NULL OR (seed IS NOT NULL AND numpy_version IS NOT NULL "
                        "AND frame_size IS NOT NULL)", name="draw_recorded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_lead_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The first day of the month the round counts towards (the plan is per month).
    month: Mapped[date] = mapped_column(Date, index=True)
    size: Mapped[int] = mapped_column(default=DEFAULT_SIZE)
    # The frame: cases with actions due or completed in this window (UK days, both ends).
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    # A compliance template checked on the same visit: each sampled case gets an audit of
    # it, allocated to the practice lead, in the programme made for the round.
    compliance_template_id: Mapped[int | None] = mapped_column(ForeignKey("audit_templates.id"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    # The draw: everything needed to repeat it (the frame's case ids are in the event log).
    seed: Mapped[int | None] = mapped_column(BigInteger)
    numpy_version: Mapped[str | None] = mapped_column(String(20))
    frame_size: Mapped[int | None]
    drawn_at: Mapped[datetime | None]
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(default=1)

    practice_lead = relationship("User", foreign_keys=[practice_lead_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    drawn_by = relationship("User", foreign_keys=[drawn_by_id])
    team = relationship("Team")
    service = relationship("Service")
    compliance_template = relationship("AuditTemplate")
    programme = relationship("Programme")
    cases = relationship("DipSampleCase", back_populates="round",
                         order_by="DipSampleCase.position")

    @property
    def drawn(self):
        return self.drawn_at is not None


class DipSampleCase(db.Model):
    """A case in a round's sample. A case swapped out is kept (removed_at set), and the one
    picked by hand in its place says which it replaced and why."""

    __tablename__ = "dip_sample_cases"
    __table_args__ = (
        UniqueConstraint("round_id", "case_id", name="uq_dip_sample_cases_round_case"),
        CheckConstraint(_in("reason", CASE_REASONS), name="known_reason"),
        CheckConstraint("reason != 'by_hand' OR (swap_reason IS NOT NULL AND "
                        "replaces_id IS NOT NULL)", name="swap_explained"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("dip_sample_rounds.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int]
    reason: Mapped[str] = mapped_column(String(10), default=RANDOM)
    swap_reason: Mapped[str | None] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("dip_sample_cases.id"))
    # Actions raised before this moment are the ones to check ("earlier audits").
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The round's compliance audit of this case, when the round has a compliance template.
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"))
    row_version: Mapped[int] = mapped_column(default=1)

    round = relationship("DipSampleRound", back_populates="cases")
    case = relationship("Case")
    replaces = relationship("DipSampleCase", remote_side=[id])
    removed_by = relationship("User")
    audit = relationship("Audit")
    checks = relationship("DipSampleCheck", back_populates="sampled_case",
                          order_by="DipSampleCheck.id")

    @property
    def reason_label(self):
        return CASE_REASONS[self.reason]


class DipSampleCheck(db.Model):
    """What the practice lead found for one action of a sampled case."""

    __tablename__ = "dip_sample_checks"
    __table_args__ = (
        UniqueConstraint("sampled_case_id", "action_id", name="uq_dip_sample_checks_action"),
        CheckConstraint(_in("outcome", OUTCOMES), name="known_outcome"),
        CheckConstraint("outcome = 'not_yet_due' OR (evidence IS NOT NULL AND impact IS NOT "
                        "NULL)", name="judged_with_evidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sampled_case_id: Mapped[int] = mapped_column(ForeignKey("dip_sample_cases.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    # What was seen on the child's record, and the difference it made for the child.
    evidence: Mapped[str | None] = mapped_column(Text)
    impact: Mapped[str | None] = mapped_column(Text)
    # The UK day of the check: figures count checks by it.
    checked_on: Mapped[date] = mapped_column(Date, index=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # A follow-up action raised from this check (partly followed up).
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))

    sampled_case = relationship("DipSampleCase", back_populates="checks")
    action = relationship("Action", foreign_keys=[action_id])
    follow_up = relationship("Action", foreign_keys=[follow_up_id])
    checked_by = relationship("User")

    @property
    def outcome_label(self):
        return OUTCOMES[self.outcome]
