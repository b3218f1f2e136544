"""Action plan pages: the plan for a quarter and one recommendation (leaders, quality
assurance officers and admins read them), and the forms that add and change the plan's
records (quality assurance officers and admins).

Views check who may open a page and that a record belongs where its address says; the rules
about what a record may hold are in audit_app/plan/records.py. Adding is once per form
(audit_app/once.py); changing carries the version the form was opened at
(audit_app/versioning.py), and a change someone saved meanwhile is shown, not overwritten.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from audit_app import once
from audit_app.admin import targets as measure_targets
from audit_app.authz import roles_required
from audit_app.blind_moderation import hidden_count
from audit_app.dip_samples.forms import QuarterForm
from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.figures import percent
from audit_app.measures.periods import Quarter, last_complete_quarter, quarters_between
from audit_app.models import (
    EnteredFigure,
    OutcomeMeasure,
    PlanAction,
    ProgressUpdate,
    Recommendation,
    Target,
)
from audit_app.models.plan import ACTION_STATUSES
from audit_app.plan import forms, position, records
from audit_app.plan.progress import RULE
from audit_app.templating import format_date
from audit_app.timeutil import today
from audit_app.versioning import EditConflict, claim

bp = Blueprint("plan", __name__)

READ_ROLES = ("leader", "moderator", "admin")
EDIT_ROLES = ("moderator", "admin")


# -- Reading -----------------------------------------------------------------------------------

def _quarter_form():
    """The quarter chosen in the query string, from the plan's first baseline to today's
    quarter (the last complete one unless another is chosen)."""
    first = db.session.scalar(select(func.min(OutcomeMeasure.baseline_on)))
    now = Quarter.containing(today())
    earliest = min(Quarter.containing(first), now) if first else now
    form = QuarterForm(list(reversed(quarters_between(earliest, now))), request.args)
    return form, form.chosen(last_complete_quarter(today()))


def _may_edit():
    return current_user.has_role(*EDIT_ROLES)


def _words():
    """What the plan's templates name codes with."""
    return {"percent": percent, "status_labels": ACTION_STATUSES,
            "figure_titles": {m.key: m.title for m in catalogue.MEASURES},
            "quarter_labels": lambda code: Quarter.parse(code).label}


@bp.route("/")
@roles_required(*READ_ROLES)
def plan():
    form, quarter = _quarter_form()
    return render_template("plan/plan.html", form=form, quarter=quarter, rule=RULE,
                           recommendations=position.plan_position(
                               quarter, reader_id=current_user.id),
                           left_out=hidden_count(current_user.id), may_edit=_may_edit(),
                           **_words())


@bp.route("/recommendations/<int:recommendation_id>")
@roles_required(*READ_ROLES)
def recommendation(recommendation_id):
    form, quarter = _quarter_form()
    found = position.plan_position(quarter, recommendation_id, reader_id=current_user.id)
    if not found:
        abort(404)
    (recommendation_position,) = found
    return render_template(
        "plan/recommendation.html", form=form, quarter=quarter, rule=RULE,
        position=recommendation_position,
        history=position.entered_history(recommendation_position.measures),
        left_out=hidden_count(current_user.id), may_edit=_may_edit(), **_words())


# -- Adding and changing: the pattern every form follows ----------------------------------------

def _refused(form, error):
    """Put the rules' refusals on the form's fields; nothing is kept."""
    db.session.rollback()
    for field, message in error.problems.items():
        form[field].errors = [*form[field].errors, message]


def _shown_value(field):
    """A field's value as the conflict table shows it."""
    if field.type in ("SelectField", "RadioField"):
        return {c.value: c.label for c in field.choices}.get(field.data, field.data or "")
    if field.type == "GovDateField":
        return format_date(field.data)
    if field.type == "PercentField":
        return f"{field._value()}%" if field._value() else ""
    return " ".join(str(field.data if field.data is not None else "").split())


def _shown(form):
    return {field.label.text: _shown_value(field) for field in form
            if field.type not in ("CSRFTokenField", "VersionField", "FormTokenField",
                                  "SubmitField")}


def _page(form, **page):
    return render_template("plan/edit.html", form=form, **page)


def _values(form):
    return {name: field.data for name, field in form._fields.items()}


def _add(form, save, done, message, **page):
    """A form that adds a record: acted on once however often it is posted. `done` is
    where to go next: a path, or a function of the saved record giving one."""
    if form.validate_on_submit():
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, page["back"])) is not None:
            return repeat
        try:
            row = save(_values(form))
        except records.PlanError as error:
            _refused(form, error)
        else:
            where = done(row) if callable(done) else done
            once.led_to(token, where)
            db.session.commit()
            flash(message)
            return redirect(where)
    return _page(form, **page)


def _change(row, form, saved_form, save, done, message, **page):
    """A form that changes `row`, from the version it was opened at. `saved_form()` is the
    form filled from the row as saved, for the conflict table."""
    if request.method == "GET":
        form.version.data = row.row_version
    conflict = None
    if form.validate_on_submit():
        try:
            claim(row, form.version.data)
            save(_values(form))
        except EditConflict:
            db.session.rollback()
            theirs, mine = _shown(saved_form()), _shown(form)
            conflict = [(label, theirs[label], mine[label]) for label in theirs
                        if theirs[label] != mine[label]]
            form.version.raw_data = [str(row.row_version)]  # saving again keeps yours
        except records.PlanError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(message)
            return redirect(done)
    return _page(form, conflict=conflict, **page)


def _filled(form_class, row, *args, **values):
    """A form showing the row as saved (not what was posted)."""
    form = form_class(*args, formdata=None, obj=row)
    for name, value in values.items():
        form[name].data = value
    return form


def _recommendation_url(recommendation_id, anchor=None):
    return url_for("plan.recommendation", recommendation_id=recommendation_id,
                   _anchor=anchor)


# -- Recommendations ---------------------------------------------------------------------------

@bp.route("/recommendations/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new_recommendation():
    form = forms.RecommendationForm()
    if request.method == "GET":
        form.number.data = (db.session.scalar(select(func.max(Recommendation.number))) or 0) + 1

    return _add(form, lambda values: records.create_recommendation(values, actor=current_user),
                lambda recommendation: _recommendation_url(recommendation.id),
                "Recommendation added.", heading="Add a recommendation",
                back=url_for("plan.plan"), back_text="Back to the action plan")


@bp.route("/recommendations/<int:recommendation_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit_recommendation(recommendation_id):
    recommendation = db.get_or_404(Recommendation, recommendation_id)
    form = forms.RecommendationForm(obj=recommendation)
    done = _recommendation_url(recommendation.id)
    return _change(
        recommendation, form, lambda: _filled(forms.RecommendationForm, recommendation),
        lambda values: records.update_recommendation(recommendation, values,
                                                     actor=current_user),
        done, "Recommendation saved.", heading=f"Change recommendation {recommendation.number}",
        noun="recommendation", back=done, back_text="Back to the recommendation")


# -- Outcome measures --------------------------------------------------------------------------

def _measure_form(*args, **kwargs):
    return forms.MeasureForm(records.measure_choices(), measure_targets.scope_choices(), *args,
                             **kwargs)


def _figure_choice(measure):
    return measure.measure_key if measure.computed else records.ENTERED


def _scope_choice(measure):
    return f"{measure.scope_kind}:{measure.scope_ref}" if measure.computed else "all:"


@bp.route("/recommendations/<int:recommendation_id>/measures/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new_measure(recommendation_id):
    recommendation = db.get_or_404(Recommendation, recommendation_id)
    form = _measure_form()
    done = _recommendation_url(recommendation.id)
    return _add(form, lambda values: records.create_measure(recommendation, values,
                                                            actor=current_user),
                done, "Outcome measure added.", heading="Add an outcome measure",
                caption=f"Recommendation {recommendation.number}", back=done,
                back_text="Back to the recommendation")


@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit_measure(measure_id):
    measure = db.get_or_404(OutcomeMeasure, measure_id)
    form = _measure_form(obj=measure)
    if request.method == "GET":
        form.figure.data, form.applies_to.data = _figure_choice(measure), _scope_choice(measure)
    done = _recommendation_url(measure.recommendation_id, f"measure-{measure.id}")
    return _change(
        measure, form,
        lambda: _filled(_measure_form, measure, figure=_figure_choice(measure),
                        applies_to=_scope_choice(measure)),
        lambda values: records.update_measure(measure, values, actor=current_user),
        done, "Outcome measure saved.", heading="Change an outcome measure",
        caption=f"Recommendation {measure.recommendation.number}", noun="outcome measure",
        back=done, back_text="Back to the recommendation")


# -- Targets -----------------------------------------------------------------------------------

def _target_page(measure, form):
    """What the target form says about where the target is kept."""
    if measure.computed:
        intro = ("This figure is computed from audits, so its targets are the council's "
                 "targets for it, kept with the targets every page and the measures command "
                 "judge it against.")
    else:
        form.rate.description = ("For example, 90 for 90%. More than 0 and less than 100. "
                                 "Leave blank for a target in words only, which is shown but "
                                 "not judged.")
        intro = None
    done = _recommendation_url(measure.recommendation_id, f"measure-{measure.id}")
    return done, {"caption": f"Recommendation {measure.recommendation.number}", "intro": intro,
                  "back": done, "back_text": "Back to the recommendation"}


def _target_values(target):
    """The target form's words: a targets-table row keeps them as its source."""
    return {"text": target.source if isinstance(target, Target) else target.text}


@bp.route("/measures/<int:measure_id>/targets/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new_target(measure_id):
    measure = db.get_or_404(OutcomeMeasure, measure_id)
    form = forms.TargetForm()
    done, page = _target_page(measure, form)
    return _add(form, lambda values: records.create_target(measure, values, actor=current_user),
                done, "Target added.", heading="Add a target", **page)


@bp.route("/measures/<int:measure_id>/targets/<int:target_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit_target(measure_id, target_id):
    measure = db.get_or_404(OutcomeMeasure, measure_id)
    target = records.target_of(measure, target_id)
    if target is None:
        abort(404)
    form = forms.TargetForm(obj=target)
    if request.method == "GET":
        form.text.data = _target_values(target)["text"]
    done, page = _target_page(measure, form)
    return _change(
        target, form, lambda: _filled(forms.TargetForm, target, **_target_values(target)),
        lambda values: records.update_target(measure, target, values, actor=current_user),
        done, "Target saved.", heading="Change a target", noun="target", **page)


# -- Figures entered by hand -------------------------------------------------------------------

def _figure_form(measure, figure=None, **kwargs):
    """The form, offering the quarters from the baseline's (or the figure's) to today's."""
    latest = records.latest_quarter()
    first = min(Quarter.containing(measure.baseline_on), latest)
    if figure is not None:
        first = min(first, Quarter.parse(figure.quarter))
    return forms.FigureForm(list(reversed(quarters_between(first, latest))), **kwargs)


def _entered_measure_or_404(measure_id):
    measure = db.get_or_404(OutcomeMeasure, measure_id)
    if measure.computed:
        abort(404)  # its figures are computed from audits
    return measure


def _figure_page(measure):
    done = _recommendation_url(measure.recommendation_id, f"measure-{measure.id}")
    return done, {"caption": f"Recommendation {measure.recommendation.number}",
                  "intro": measure.description, "back": done,
                  "back_text": "Back to the recommendation"}


@bp.route("/measures/<int:measure_id>/figures/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new_figure(measure_id):
    measure = _entered_measure_or_404(measure_id)
    form = _figure_form(measure)
    if request.method == "GET":
        default = last_complete_quarter(today()).code
        form.quarter.data = default if default in {c.value for c in form.quarter.choices} \
            else None
    done, page = _figure_page(measure)
    return _add(form, lambda values: records.create_figure(measure, values, actor=current_user),
                done, "Figure added.", heading="Add a quarter's figure", **page)


def _figure_fields(figure):
    return {"value": figure.value if figure.denominator is None else None}


@bp.route("/figures/<int:figure_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit_figure(figure_id):
    figure = db.get_or_404(EnteredFigure, figure_id)
    measure = figure.measure
    form = _figure_form(measure, figure, obj=figure)
    if request.method == "GET":
        form.value.data = _figure_fields(figure)["value"]
    done, page = _figure_page(measure)
    return _change(
        figure, form, lambda: _filled(
            lambda **kw: _figure_form(measure, figure, **kw), figure, **_figure_fields(figure)),
        lambda values: records.update_figure(figure, values, actor=current_user),
        done, "Figure saved.", heading="Change a quarter's figure", noun="figure", **page)


# -- Actions and progress updates --------------------------------------------------------------

def _action_page(recommendation, anchor=None):
    done = _recommendation_url(recommendation.id, anchor)
    return done, {"caption": f"Recommendation {recommendation.number}", "back": done,
                  "back_text": "Back to the recommendation"}


@bp.route("/recommendations/<int:recommendation_id>/actions/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new_action(recommendation_id):
    recommendation = db.get_or_404(Recommendation, recommendation_id)
    form = forms.ActionForm()
    done, page = _action_page(recommendation, "actions")
    return _add(form, lambda values: records.create_action(recommendation, values,
                                                           actor=current_user),
                done, "Action added.", heading="Add an action", **page)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit_action(action_id):
    action = db.get_or_404(PlanAction, action_id)
    form = forms.ActionForm(obj=action)
    done, page = _action_page(action.recommendation, f"action-{action.id}")
    return _change(
        action, form, lambda: _filled(forms.ActionForm, action),
        lambda values: records.update_action(action, values, actor=current_user),
        done, "Action saved.", heading=f"Change action {action.reference}", noun="action",
        **page)


@bp.route("/actions/<int:action_id>/updates/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new_update(action_id):
    action = db.get_or_404(PlanAction, action_id)
    form = forms.UpdateForm()
    if request.method == "GET":
        form.written_on.data = today()
    done, page = _action_page(action.recommendation, f"action-{action.id}")
    return _add(form, lambda values: records.create_update(action, values, actor=current_user),
                done, "Progress update added.",
                heading=f"Add a progress update to action {action.reference}",
                intro=action.text, **page)


@bp.route("/updates/<int:update_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit_update(update_id):
    update = db.get_or_404(ProgressUpdate, update_id)
    action = update.action
    form = forms.UpdateForm(obj=update)
    done, page = _action_page(action.recommendation, f"action-{action.id}")
    return _change(
        update, form, lambda: _filled(forms.UpdateForm, update),
        lambda values: records.update_update(update, values, actor=current_user),
        done, "Progress update saved.",
        heading=f"Change a progress update to action {action.reference}", noun="progress update",
        intro=action.text, **page)


from audit_app.plan import learning_routes  # noqa: E402,F401  (its routes are on this blueprint)
