"""The action plan answering an inspection, in the reference document's shape:
recommendations, each with outcome measures (a baseline, dated targets and a figure each
quarter) and the actions taken on it, with dated progress updates.

An outcome measure's figure is either computed (`measure_key` and its scope: a measure of
audit_app/measures, judged against the targets table, audit_app/models/targets.py, which
the dashboard uses too) or entered by hand each quarter for data that lives elsewhere
(`EnteredFigure`, judged against the measure's own `PlanTarget`s).
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.plan.progress import JUDGEMENTS
from audit_app.timeutil import utcnow

ACTION_STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "ongoing": "Ongoing",
    "delayed": "Delayed",
    "completed": "Completed",
}


def _in(column, values):
    return f"{column} IN ('" + "', '".join(values) + "')"


class _Edited:
    """Who made a plan record and when; its row version (audit_app/versioning.py)."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(default=1)


class Recommendation(_Edited, db.Model):
    __tablename__ = "plan_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(Text)  # the recommendation itself
    source: Mapped[str] = mapped_column(String(200))  # e.g. "ILACS November 2019"
    findings: Mapped[str] = mapped_column(Text)  # what inspectors found

    measures = relationship("OutcomeMeasure", back_populates="recommendation",
                            order_by="OutcomeMeasure.id")
    actions = relationship("PlanAction", back_populates="recommendation",
                           order_by="PlanAction.id")


class OutcomeMeasure(_Edited, db.Model):
    __tablename__ = "plan_measures"
    __table_args__ = (
        CheckConstraint("(measure_key IS NULL AND scope_kind IS NULL AND scope_ref IS NULL) "
                        "OR (measure_key IS NOT NULL AND scope_kind IS NOT NULL "
                        "AND scope_ref IS NOT NULL)", name="computed_with_scope"),
        CheckConstraint("baseline_value IS NOT NULL OR baseline_text IS NOT NULL",
                        name="has_baseline"),
        CheckConstraint("baseline_value >= 0 AND baseline_value <= 1",
                        name="baseline_a_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("plan_recommendations.id"),
                                                   index=True)
    description: Mapped[str] = mapped_column(Text)
    # A computed figure: a catalogue key (audit_app/measures/catalogue.py) and the scope it
    # is counted for, as targets keep it (audit_app/models/targets.py). NULL: entered by hand.
    measure_key: Mapped[str | None] = mapped_column(String(80))
    scope_kind: Mapped[str | None] = mapped_column(String(10))
    scope_ref: Mapped[str | None] = mapped_column(String(40))
    baseline_value: Mapped[float | None]
    baseline_text: Mapped[str | None] = mapped_column(Text)
    baseline_on: Mapped[date] = mapped_column(Date)

    recommendation = relationship("Recommendation", back_populates="measures")

    @property
    def computed(self):
        return self.measure_key is not None


class PlanTarget(_Edited, db.Model):
    """A dated target of a measure entered by hand (a computed measure's targets are in the
    targets table). A target in words only has no rate and is shown, never judged."""

    __tablename__ = "plan_targets"
    __table_args__ = (
        UniqueConstraint("measure_id", "applies_from", name="uq_plan_targets_measure_from"),
        CheckConstraint("rate > 0 AND rate < 1", name="rate_between_0_and_1"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("plan_measures.id"), index=True)
    rate: Mapped[float | None]
    applies_from: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(String(300))  # what the target says


class EnteredFigure(_Edited, db.Model):
    """A quarter's figure for a measure whose data lives elsewhere: a value (with its
    numerator and denominator when known), or for an outcome in words, the progress the
    plan's editors judged."""

    __tablename__ = "plan_figures"
    __table_args__ = (
        UniqueConstraint("measure_id", "quarter", name="uq_plan_figures_measure_quarter"),
        CheckConstraint("(value IS NULL AND judgement IS NOT NULL) "
                        "OR (value IS NOT NULL AND judgement IS NULL)",
                        name="value_or_judgement"),
        CheckConstraint("value >= 0 AND value <= 1", name="value_a_fraction"),
        CheckConstraint("(numerator IS NULL AND denominator IS NULL) OR (value IS NOT NULL "
                        "AND numerator >= 0 AND denominator >= 1 AND numerator <= denominator)",
                        name="counts_whole"),
        CheckConstraint(_in("judgement", JUDGEMENTS), name="known_judgement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("plan_measures.id"), index=True)
    quarter: Mapped[str] = mapped_column(String(7))  # a Quarter code, "2022-Q2"
    value: Mapped[float | None]
    numerator: Mapped[int | None]
    denominator: Mapped[int | None]
    judgement: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)  # the position in words

    measure = relationship("OutcomeMeasure")


class PlanAction(_Edited, db.Model):
    """What the council will do on a recommendation. Its status is its latest progress
    update's (not started before the first)."""

    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("plan_recommendations.id"),
                                                   index=True)
    reference: Mapped[str] = mapped_column(String(10), unique=True)  # "1a"
    text: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(String(300))
    timescale: Mapped[str] = mapped_column(String(200))  # "March 2022", "Ongoing"

    recommendation = relationship("Recommendation", back_populates="actions")


class ProgressUpdate(_Edited, db.Model):
    __tablename__ = "plan_updates"
    __table_args__ = (
        CheckConstraint(_in("status", ACTION_STATUSES), name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id"), index=True)
    written_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # the action's status as of this update

    action = relationship("PlanAction")
