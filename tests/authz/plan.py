"""Placeholder values for the action plan rows of the authorization matrix: one
recommendation with a measure entered by hand, its target and figure, and an action with a
progress update."""

from datetime import date

from audit_app.extensions import db
from audit_app.models import (
    EnteredFigure,
    OutcomeMeasure,
    PlanAction,
    PlanTarget,
    ProgressUpdate,
    Recommendation,
)


def placeholders(users):
    recommendation = db.session.scalar(db.select(Recommendation).order_by(Recommendation.id))
    if recommendation is None:
        recommendation = Recommendation(number=1, title="Improve assessments.",
                                        source="ILACS November 2019",
                                        findings="Some assessments lacked analysis.")
        measure = OutcomeMeasure(recommendation=recommendation,
                                 description="Assessments completed within 45 days",
                                 baseline_value=0.74, baseline_on=date(2022, 3, 31))
        action = PlanAction(recommendation=recommendation, reference="1a",
                            text="Deliver training.", lead="Principal Social Worker",
                            timescale="March 2023")
        db.session.add_all([recommendation, measure, action])
        db.session.flush()
        db.session.add_all([
            PlanTarget(measure_id=measure.id, rate=0.9, applies_from=date(2022, 9, 1),
                       text="90% within 45 days"),
            EnteredFigure(measure=measure, quarter="2022-Q2", value=0.56, source="LCS"),
            ProgressUpdate(action=action, written_on=date(2023, 1, 31), text="Under way.",
                           status="in_progress")])
        db.session.commit()  # the matrix's requests run in their own sessions
    measure = db.session.scalar(db.select(OutcomeMeasure).where(
        OutcomeMeasure.recommendation_id == recommendation.id).order_by(OutcomeMeasure.id))
    action = db.session.scalar(db.select(PlanAction).where(
        PlanAction.recommendation_id == recommendation.id).order_by(PlanAction.id))
    return {
        "plan_recommendation_id": recommendation.id,
        "plan_measure_id": measure.id,
        "plan_target_id": db.session.scalar(db.select(PlanTarget.id).where(
            PlanTarget.measure_id == measure.id)),
        "plan_figure_id": db.session.scalar(db.select(EnteredFigure.id).where(
            EnteredFigure.measure_id == measure.id)),
        "plan_action_id": action.id,
        "plan_update_id": db.session.scalar(db.select(ProgressUpdate.id).where(
            ProgressUpdate.action_id == action.id)),
    }
