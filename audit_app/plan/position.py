"""Where the action plan stands in a reporting quarter: each recommendation with its outcome
measures' figures and progress, and its actions with their progress to date.

Computed figures come from audit_app/measures (`compute`), never counted here. The number
of queries does not depend on the amount of data: seven for the plan's records, three for
the names of scopes, and one `compute` (its own fixed handful) for each scope the plan's
computed measures are counted for.
"""

from dataclasses import dataclass, field, replace

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.measures import catalogue, explained
from audit_app.measures.compute import compute
from audit_app.measures.figures import Figure, percent
from audit_app.measures.periods import Quarter
from audit_app.measures.scope import Named, Scope
from audit_app.models import (
    EnteredFigure,
    OutcomeMeasure,
    PlanAction,
    PlanTarget,
    ProgressUpdate,
    Recommendation,
    Target,
)
from audit_app.models.plan import ACTION_STATUSES
from audit_app.plan import progress as rule
from audit_app.plan.records import effective_targets

NOT_STARTED = "not_started"
ACTION_TAGS = {"not_started": "govuk-tag--grey", "in_progress": "govuk-tag--blue",
               "ongoing": "govuk-tag--light-blue", "delayed": "govuk-tag--orange",
               "completed": "govuk-tag--green"}
# How a Scope narrows to a target's scope kind (audit_app/models/targets.py).
_SCOPE_FIELDS = {"service": "service_id", "team": "team_id", "template": "template_id"}


@dataclass(frozen=True)
class MeasurePosition:
    measure: OutcomeMeasure
    scope_name: str | None  # what a computed figure is counted for
    targets: list  # Target or PlanTarget rows, oldest first
    figure: Figure | None  # counted from cases: computed, or entered with its counts
    entered: EnteredFigure | None  # the quarter's hand-entered figure
    progress: rule.Progress

    @property
    def figure_text(self):
        """The quarter's figure in words."""
        if self.figure is not None:
            return self.figure.summary()
        if self.entered is not None and self.entered.value is not None:
            return percent(self.entered.value)
        if self.entered is not None:
            return "No figure: described in words"
        return "No figure yet" if not self.measure.computed else "No data (0 of 0)"


@dataclass(frozen=True)
class ActionPosition:
    action: PlanAction
    updates: list  # ProgressUpdate, newest first

    @property
    def status(self):
        return self.updates[0].status if self.updates else NOT_STARTED

    @property
    def status_label(self):
        return ACTION_STATUSES[self.status]

    @property
    def tag_class(self):
        return ACTION_TAGS[self.status]


@dataclass(frozen=True)
class RecommendationPosition:
    recommendation: Recommendation
    measures: list = field(default_factory=list)  # MeasurePosition
    actions: list = field(default_factory=list)  # ActionPosition


def action_order(action):
    """1a, 1b, ..., 2a, ..., 10a: by the recommendation's number, then the letters."""
    digits = "".join(c for c in action.reference if c.isdigit())
    return (int(digits or 0), action.reference[len(digits):], action.id)


def _scope(kind, ref):
    if kind == "cohort":
        return Scope(cohort=ref)
    if kind in _SCOPE_FIELDS:
        return Scope(**{_SCOPE_FIELDS[kind]: int(ref)})
    return Scope()


def computed_figures(quarter, measures, reader_id=None, known=None):
    """{(measure key, scope kind, scope ref): Figure} for the computed measures, one
    `compute` for each scope they are counted for; without the audits `reader_id` is
    moderating blind, when given (audit_app/blind_moderation.py). `known`: figures of the
    same quarter and reader a caller has counted already, keyed alike, not counted again."""
    figures = dict(known or {})
    by_scope = {}
    for measure in measures:
        key = (measure.measure_key, measure.scope_kind, measure.scope_ref)
        if measure.computed and measure.measure_key in catalogue.BY_KEY and key not in figures:
            by_scope.setdefault((measure.scope_kind, measure.scope_ref), set()).add(
                measure.measure_key)
    for (kind, ref), keys in sorted(by_scope.items()):
        scope = replace(_scope(kind, ref), reader_id=reader_id)
        results = compute(quarter, scope, named=Named(kind, ref),
                          measures=[catalogue.BY_KEY[key] for key in sorted(keys)])
        figures.update({(result.measure.key, kind, ref): result.figure for result in results})
    return figures


def _dated(target):
    text = target.source if isinstance(target, Target) else target.text
    return rule.DatedTarget(rate=target.rate, applies_from=target.applies_from, text=text)


def _judged(measure, targets, quarter, figure=None, entered=None):
    """The measure's progress in `quarter`: from its computed `figure`, or from the figure
    `entered` by hand (with its counts when it has them)."""
    value = judged = None
    if entered is not None and entered.denominator:
        figure = Figure.from_counts(entered.numerator, entered.denominator)
    elif entered is not None:
        value, judged = entered.value, entered.judgement
    progress = rule.judge(quarter.end, rule.Baseline(measure.baseline_value, measure.baseline_on),
                          [_dated(t) for t in targets], figure=figure, value=value,
                          judged=judged)
    return figure, progress


def _measure_position(measure, quarter, targets, figures, entered, scope_names):
    computed = None
    if measure.computed:
        computed = figures.get((measure.measure_key, measure.scope_kind, measure.scope_ref))
    figure, progress = _judged(measure, targets, quarter, computed, entered)
    return MeasurePosition(
        measure=measure,
        scope_name=(scope_names.get((measure.scope_kind, measure.scope_ref), "A scope no "
                                    "longer kept") if measure.computed else None),
        targets=targets, figure=figure, entered=entered, progress=progress)


def plan_position(quarter, recommendation_id=None, reader_id=None, known=None):
    """Every recommendation (or the one with this id) as it stands in `quarter`, by number;
    its computed figures without the audits `reader_id` is moderating blind, when given, and
    taken from `known` where they are there (computed_figures)."""
    query = select(Recommendation).order_by(Recommendation.number)
    if recommendation_id is not None:
        query = query.where(Recommendation.id == recommendation_id)
    recommendations = db.session.scalars(query).all()
    ids = [r.id for r in recommendations]
    if not ids:
        return []
    measures = db.session.scalars(select(OutcomeMeasure).where(
        OutcomeMeasure.recommendation_id.in_(ids)).order_by(OutcomeMeasure.id)).all()
    entered_ids = [m.id for m in measures if not m.computed]
    own_targets, figures_entered = {}, {}
    for target in db.session.scalars(select(PlanTarget).where(
            PlanTarget.measure_id.in_(entered_ids)).order_by(PlanTarget.applies_from)):
        own_targets.setdefault(target.measure_id, []).append(target)
    for entered in db.session.scalars(select(EnteredFigure).where(
            EnteredFigure.measure_id.in_(entered_ids), EnteredFigure.quarter == quarter.code)):
        figures_entered[entered.measure_id] = entered
    keys = sorted({m.measure_key for m in measures if m.computed})
    table_targets = db.session.scalars(select(Target).where(Target.measure.in_(keys))
                                       .order_by(Target.applies_from, Target.id)).all()
    scope_names = explained.scope_names()
    figures = computed_figures(quarter, measures, reader_id, known)

    actions = db.session.scalars(select(PlanAction).where(
        PlanAction.recommendation_id.in_(ids))).all()
    updates = {}
    for update in db.session.scalars(select(ProgressUpdate).where(
            ProgressUpdate.action_id.in_([a.id for a in actions]))
            .order_by(ProgressUpdate.written_on.desc(), ProgressUpdate.id.desc())):
        updates.setdefault(update.action_id, []).append(update)

    positions = {r.id: RecommendationPosition(r) for r in recommendations}
    for measure in measures:
        if measure.computed:
            targets = effective_targets(
                measure, [t for t in table_targets if t.measure == measure.measure_key])
        else:
            targets = own_targets.get(measure.id, [])
        positions[measure.recommendation_id].measures.append(_measure_position(
            measure, quarter, targets, figures, figures_entered.get(measure.id), scope_names))
    for action in sorted(actions, key=action_order):
        positions[action.recommendation_id].actions.append(
            ActionPosition(action, updates.get(action.id, [])))
    return list(positions.values())


def entered_history(measure_positions):
    """{measure id: [(figure, Figure or None, Progress)]}: every figure entered by hand for
    these measures, newest quarter first, each judged in its own quarter (one query)."""
    by_id = {p.measure.id: p for p in measure_positions if not p.measure.computed}
    history = {}
    for entered in db.session.scalars(select(EnteredFigure).where(
            EnteredFigure.measure_id.in_(list(by_id))).order_by(EnteredFigure.quarter.desc())):
        shown = by_id[entered.measure_id]
        counted, progress = _judged(shown.measure, shown.targets,
                                    Quarter.parse(entered.quarter), entered=entered)
        history.setdefault(entered.measure_id, []).append((entered, counted, progress))
    return history
