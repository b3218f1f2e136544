"""Adding and changing the action plan's records: what each may hold, and an event for
every change.

The same rules serve the plan's pages and the reference plan that seed-demo loads
(audit_app/plan/seed.py). A refusal is a `PlanError` whose `problems` map form fields to
messages. Updates change a record whose row version the caller has claimed
(audit_app/versioning.py); the unique constraints answer two people adding the same thing
at once, as a form error.

A computed measure's targets are the targets table's rows for its measure and scope, the
ones the measures command and the admins' targets page judge figures against, so a figure
has one target wherever it is shown: adding or changing one here goes through
audit_app/admin/targets.py's rules.
"""

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from audit_app.admin import targets as measure_targets
from audit_app.eventlog import changes, record, snapshot
from audit_app.extensions import db
from audit_app.inputs import DB_INT_MAX
from audit_app.measures.periods import Quarter
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
from audit_app.plan.progress import JUDGEMENTS
from audit_app.timeutil import today

FIRST_DAY, LAST_DAY = measure_targets.FIRST_DAY, measure_targets.LAST_DAY
REFERENCE = re.compile(r"[0-9]{1,3}[a-z]{0,2}")
ENTERED = "entered"  # the measure form's choice for figures entered by hand


class PlanError(ValueError):
    """Changes the rules refuse: `problems` maps form fields to messages, in form order."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(next(iter(problems.values())))


def _text(value):
    """Text as kept: surrounding spaces trimmed, None for nothing."""
    value = (value or "").strip()
    return value or None


def _one_line(value):
    return " ".join((value or "").split()) or None


class _Checks:
    """Problems found so far, in the order the form shows the fields."""

    def __init__(self):
        self.problems = {}

    def refuse(self, field, message):
        self.problems.setdefault(field, message)

    def text(self, values, field, limit, missing, what):
        value = values.get(field)
        if not value:
            self.refuse(field, missing)
        elif len(value) > limit:
            self.refuse(field, f"{what} must be {limit:,} characters or fewer")

    def optional_text(self, values, field, limit, what):
        if values.get(field) and len(values[field]) > limit:
            self.refuse(field, f"{what} must be {limit:,} characters or fewer")

    def day(self, values, field, missing, what):
        day = values.get(field)
        if day is None:
            self.refuse(field, missing)
        elif not FIRST_DAY <= day <= LAST_DAY:
            self.refuse(field, f"{what} must be between 2000 and 2099")

    def done(self):
        if self.problems:
            raise PlanError(self.problems)


def _saved(duplicate):
    """Write now, so that the same thing added a moment ago by someone else is a form error
    from the unique constraint (`duplicate`: field, message) rather than a failed commit.
    The caller rolls the request back."""
    try:
        db.session.flush()
    except IntegrityError:
        if duplicate is None:
            raise
        raise PlanError(dict([duplicate])) from None


def _create(model, entity, fields, values, actor, duplicate):
    row = model(**values, created_by_id=actor.id if actor is not None else None)
    db.session.add(row)
    _saved(duplicate)
    record(entity, row.id, "created", after=snapshot(row, fields), actor=actor)
    return row


def _update(row, entity, fields, values, actor, duplicate):
    before = snapshot(row, fields)
    for name in fields:
        if name in values:
            setattr(row, name, values[name])
    _saved(duplicate)
    before, after = changes(before, snapshot(row, fields))
    if after:
        record(entity, row.id, "updated", before=before, after=after, actor=actor)
    return row


# -- Recommendations ---------------------------------------------------------------------------

RECOMMENDATION_FIELDS = ("number", "title", "source", "findings")
NUMBER_TAKEN = ("number", "There is already a recommendation with this number")


def _recommendation(values, exclude_id=None):
    values = {"number": values.get("number"), "title": _text(values.get("title")),
              "source": _one_line(values.get("source")), "findings": _text(values.get("findings"))}
    checks = _Checks()
    number = values["number"]
    if number is None:
        checks.refuse("number", "Enter the recommendation's number")
    elif not 1 <= number <= 999:
        checks.refuse("number", "Number must be a whole number from 1 to 999")
    elif db.session.scalar(select(Recommendation.id).where(
            Recommendation.number == number, Recommendation.id != (exclude_id or 0))):
        checks.refuse(*NUMBER_TAKEN)
    checks.text(values, "title", 2000, "Enter the recommendation", "The recommendation")
    checks.text(values, "source", 200, "Enter where the recommendation comes from", "Source")
    checks.text(values, "findings", 20000, "Enter what inspectors found",
                "What inspectors found")
    checks.done()
    return values


def create_recommendation(values, actor=None):
    return _create(Recommendation, "plan_recommendation", RECOMMENDATION_FIELDS,
                   _recommendation(values), actor, NUMBER_TAKEN)


def update_recommendation(recommendation, values, actor=None):
    return _update(recommendation, "plan_recommendation", RECOMMENDATION_FIELDS,
                   _recommendation(values, recommendation.id), actor, NUMBER_TAKEN)


# -- Outcome measures --------------------------------------------------------------------------

MEASURE_FIELDS = ("description", "measure_key", "scope_kind", "scope_ref", "baseline_value",
                  "baseline_text", "baseline_on")


def measure_choices():
    """(value, label) of where a measure's figure comes from: entered by hand, or one of the
    measures that targets can be set for."""
    return [(ENTERED, "Entered by hand each quarter"), *measure_targets.judged_measures()]


def _measure(values, measure=None):
    figure = values.get("figure") or ""
    kind, _, ref = (values.get("applies_to") or "").partition(":")
    computed = figure != ENTERED
    values = {
        "description": _text(values.get("description")),
        "measure_key": figure if computed else None,
        "scope_kind": kind if computed else None,
        "scope_ref": ref if computed else None,
        "baseline_value": values.get("baseline_value"),
        "baseline_text": _text(values.get("baseline_text")),
        "baseline_on": values.get("baseline_on"),
    }
    checks = _Checks()
    checks.text(values, "description", 2000, "Enter the outcome measure", "The outcome measure")
    if figure not in dict(measure_choices()):
        checks.refuse("figure", "Select where the figure comes from")
    elif computed and f"{kind}:{ref}" not in dict(measure_targets.scope_choices()):
        checks.refuse("applies_to", "Select what the computed figure is counted for")
    elif computed and measure is not None and _has_entered(measure):
        checks.refuse("figure", "This measure has figures or targets entered by hand, so its "
                                "figure cannot be computed: add a new measure instead")
    value = values["baseline_value"]
    if value is not None and not 0 <= value <= 1:
        checks.refuse("baseline_value", "Baseline must be from 0% to 100%")
    if value is None and not values["baseline_text"]:
        checks.refuse("baseline_value", "Enter the baseline as a percentage, in words, or both")
    checks.optional_text(values, "baseline_text", 4000, "The baseline in words")
    checks.day(values, "baseline_on", "Enter the date of the baseline", "The baseline date")
    checks.done()
    return values


def _has_entered(measure):
    return db.session.scalar(select(PlanTarget.id).where(PlanTarget.measure_id == measure.id)
                             .union_all(select(EnteredFigure.id).where(
                                 EnteredFigure.measure_id == measure.id)).limit(1)) is not None


def create_measure(recommendation, values, actor=None):
    values = {**_measure(values), "recommendation_id": recommendation.id}
    return _create(OutcomeMeasure, "plan_measure", ("recommendation_id", *MEASURE_FIELDS),
                   values, actor, None)


def update_measure(measure, values, actor=None):
    return _update(measure, "plan_measure", MEASURE_FIELDS, _measure(values, measure), actor,
                   None)


# -- Targets -----------------------------------------------------------------------------------

TARGET_FIELDS = ("rate", "applies_from", "text")
TARGET_TAKEN = ("applies_from", "This measure already has a target from that date: change "
                                "that one instead")


def targets_of(measure):
    """The targets a measure is judged against (one query): a computed measure's in the
    targets table, for its scope, and the whole council's dated before its scope's own
    first one (audit_app/measures/targets.py uses the most specific target in force)."""
    if not measure.computed:
        return db.session.scalars(select(PlanTarget).where(PlanTarget.measure_id == measure.id)
                                  .order_by(PlanTarget.applies_from)).all()
    rows = db.session.scalars(select(Target).where(Target.measure == measure.measure_key)
                              .order_by(Target.applies_from)).all()
    return effective_targets(measure, rows)


def effective_targets(measure, rows):
    """Of a computed measure's targets-table rows (oldest first), those it is judged against."""
    own = [t for t in rows if (t.scope_kind, t.scope_ref) == (measure.scope_kind,
                                                              measure.scope_ref)]
    if measure.scope_kind == "all":
        return own
    council = [t for t in rows if (t.scope_kind, t.scope_ref) == ("all", "")]
    first = own[0].applies_from if own else None
    return [t for t in council if first is None or t.applies_from < first] + own


def _target(values, computed):
    values = {"rate": values.get("rate"), "applies_from": values.get("applies_from"),
              "text": _one_line(values.get("text"))}
    checks = _Checks()
    rate = values["rate"]
    if rate is None and computed:
        checks.refuse("rate", "Enter the target, like 90 for 90%")
    elif rate is not None and not 0 < rate < 1:
        checks.refuse("rate", "Target must be more than 0% and less than 100%")
    checks.day(values, "applies_from", "Enter the date the target applies from",
               "The date it applies from")
    checks.text(values, "text", measure_targets.SOURCE_LENGTH, "Enter what the target says",
                "What the target says")
    checks.done()
    return values


def _measures_target(call):
    """A targets-table change, its refusals put on the plan's target form."""
    try:
        return call()
    except measure_targets.TargetError as error:
        field = {"source": "text"}.get(error.field, error.field)
        raise PlanError({field if field in TARGET_FIELDS else "rate": str(error)}) from None


def create_target(measure, values, actor=None):
    values = _target(values, measure.computed)
    if measure.computed:
        return _measures_target(lambda: measure_targets.create_target(
            actor=actor, measure=measure.measure_key, scope_kind=measure.scope_kind,
            scope_ref=measure.scope_ref, rate=values["rate"],
            applies_from=values["applies_from"], source=values["text"]))
    return _create(PlanTarget, "plan_target", ("measure_id", *TARGET_FIELDS),
                   {**values, "measure_id": measure.id}, actor, TARGET_TAKEN)


def update_target(measure, target, values, actor=None):
    values = _target(values, measure.computed)
    if measure.computed:
        return _measures_target(lambda: measure_targets.update_target(target, {
            "measure": target.measure, "scope_kind": target.scope_kind,
            "scope_ref": target.scope_ref, "rate": values["rate"],
            "applies_from": values["applies_from"], "source": values["text"]}, actor=actor))
    return _update(target, "plan_target", TARGET_FIELDS, values, actor, TARGET_TAKEN)


def target_of(measure, target_id):
    """A target of this measure by its id, or None: for a computed measure, a targets-table
    row it is judged against; else one of its own."""
    return next((t for t in targets_of(measure) if t.id == target_id), None)


# -- Figures entered by hand -------------------------------------------------------------------

FIGURE_FIELDS = ("quarter", "value", "numerator", "denominator", "judgement", "source", "note")
QUARTER_TAKEN = ("quarter", "This measure already has a figure for that quarter: change that "
                            "one instead")
# How far a percentage typed beside its numerator and denominator may be from theirs.
ROUNDING = 0.005


def latest_quarter():
    """The latest quarter a figure may be entered for: the one under way."""
    return Quarter.containing(today())


def _figure(values):
    values = {name: values.get(name) for name in FIGURE_FIELDS}
    values["judgement"] = values["judgement"] or None
    values["source"] = _one_line(values["source"])
    values["note"] = _text(values["note"])
    checks = _Checks()
    try:
        quarter = Quarter.parse(values["quarter"])
    except ValueError:
        checks.refuse("quarter", "Select the quarter the figure is for")
    else:
        if quarter > latest_quarter():
            checks.refuse("quarter", "The quarter must not be in the future")
    value, numerator, denominator = values["value"], values["numerator"], values["denominator"]
    counted = numerator is not None or denominator is not None
    if value is not None and not 0 <= value <= 1:
        checks.refuse("value", "Figure must be from 0% to 100%")
    if counted and (numerator is None or denominator is None):
        checks.refuse("numerator" if numerator is None else "denominator",
                      "Enter both the number counted and the number it is out of, or neither")
    elif counted and not 1 <= denominator <= DB_INT_MAX:
        checks.refuse("denominator", f"The number it is out of must be from 1 to "
                                     f"{DB_INT_MAX:,}")
    elif counted and not 0 <= numerator <= denominator:
        checks.refuse("numerator", "The number counted must be from 0 to the number it is "
                                   "out of")
    elif counted:
        if value is not None and abs(value - numerator / denominator) > ROUNDING:
            checks.refuse("value", f"Figure does not match {numerator} of {denominator}: leave "
                                   "it blank to work it out from them")
        value = values["value"] = numerator / denominator
    if value is None and values["judgement"] is None:
        checks.refuse("value", "Enter the figure, or for an outcome in words, choose its "
                               "progress")
    elif value is not None and values["judgement"] is not None:
        checks.refuse("judgement", "Leave progress unchosen when there is a figure: the rule "
                                   "works it out")
    elif values["judgement"] is not None and values["judgement"] not in JUDGEMENTS:
        checks.refuse("judgement", "Progress must be one of the options shown")
    checks.text(values, "source", 300, "Enter where the figure comes from", "Source")
    checks.optional_text(values, "note", 4000, "The position in words")
    checks.done()
    return values


def create_figure(measure, values, actor=None):
    if measure.computed:
        raise PlanError({"value": "This measure's figures are computed from audits"})
    return _create(EnteredFigure, "plan_figure", ("measure_id", *FIGURE_FIELDS),
                   {**_figure(values), "measure_id": measure.id}, actor, QUARTER_TAKEN)


def update_figure(figure, values, actor=None):
    return _update(figure, "plan_figure", FIGURE_FIELDS, _figure(values), actor, QUARTER_TAKEN)


# -- Actions and progress updates --------------------------------------------------------------

ACTION_FIELDS = ("reference", "text", "lead", "timescale")
REFERENCE_TAKEN = ("reference", "There is already an action with this reference")


def _action(values, exclude_id=None):
    values = {"reference": (values.get("reference") or "").strip().lower(),
              "text": _text(values.get("text")), "lead": _one_line(values.get("lead")),
              "timescale": _one_line(values.get("timescale"))}
    checks = _Checks()
    if not values["reference"]:
        checks.refuse("reference", "Enter the action's reference, like 1a")
    elif not REFERENCE.fullmatch(values["reference"]):
        checks.refuse("reference", "Reference must be the recommendation's number and up to two "
                                   "letters, like 1a")
    elif db.session.scalar(select(PlanAction.id).where(
            PlanAction.reference == values["reference"], PlanAction.id != (exclude_id or 0))):
        checks.refuse(*REFERENCE_TAKEN)
    checks.text(values, "text", 4000, "Enter what we will do", "What we will do")
    checks.text(values, "lead", 300, "Enter the lead person", "Lead person")
    checks.text(values, "timescale", 200, "Enter the timescale", "Timescale")
    checks.done()
    return values


def create_action(recommendation, values, actor=None):
    return _create(PlanAction, "plan_action", ("recommendation_id", *ACTION_FIELDS),
                   {**_action(values), "recommendation_id": recommendation.id}, actor,
                   REFERENCE_TAKEN)


def update_action(action, values, actor=None):
    return _update(action, "plan_action", ACTION_FIELDS, _action(values, action.id), actor,
                   REFERENCE_TAKEN)


UPDATE_FIELDS = ("written_on", "text", "status")


def _progress_update(values):
    values = {"written_on": values.get("written_on"), "text": _text(values.get("text")),
              "status": values.get("status") or None}
    checks = _Checks()
    checks.day(values, "written_on", "Enter the date of the update", "The date of the update")
    if values["written_on"] is not None and values["written_on"] > today():
        checks.refuse("written_on", "The date of the update must be today or in the past")
    checks.text(values, "text", 8000, "Enter the progress to date", "Progress to date")
    if values["status"] not in ACTION_STATUSES:
        checks.refuse("status", "Select the action's status")
    checks.done()
    return values


def create_update(action, values, actor=None):
    return _create(ProgressUpdate, "plan_update", ("action_id", *UPDATE_FIELDS),
                   {**_progress_update(values), "action_id": action.id}, actor, None)


def update_update(update, values, actor=None):
    return _update(update, "plan_update", UPDATE_FIELDS, _progress_update(values), actor, None)
