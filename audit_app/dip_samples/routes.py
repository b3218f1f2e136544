"""Dip-sample pages: the rounds, starting and drawing one, swapping a case, a sampled case's
actions and checking each, coverage against the plan, and the plan itself.

The views check who may open a page and hand what was typed to rounds.py and checks.py,
which hold the rules and write the events."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from audit_app import inputs, once
from audit_app.actions.workflow import ActionError
from audit_app.audits import access as audit_access
from audit_app.authz import roles_required
from audit_app.dip_samples import access, bp, checks, figures, rounds
from audit_app.dip_samples.forms import (
    CheckForm,
    DrawForm,
    PlanForm,
    QuarterForm,
    RoundForm,
    SwapForm,
)
from audit_app.extensions import db
from audit_app.forms import error_summary
from audit_app.measures.periods import Quarter, quarters_between
from audit_app.models import (
    Action,
    Audit,
    Case,
    DipSampleCase,
    DipSampleCheck,
    DipSampleRound,
    Service,
    Team,
)
from audit_app.models.actions import ACTION_STATUSES
from audit_app.settings import get_setting, set_setting, setting_version
from audit_app.timeutil import today
from audit_app.versioning import EditConflict

PAGE_SIZE = 50
DRAWN_ELSEWHERE = ("This dip sample was changed after you opened the page (drawn in another "
                   "tab, perhaps). Its cases are below.")



def _refused(form, error):
    """Put the rules' refusals on the form's fields (or flash one about no field)."""
    db.session.rollback()
    for field, message in error.problems.items():
        if field in form:
            form[field].errors = [*form[field].errors, message]
        else:
            flash(message)


def _round_or_404(round_id):
    return db.get_or_404(DipSampleRound, round_id)


def _sampled_or_404(sampled_id):
    return db.get_or_404(DipSampleCase, sampled_id)


@bp.route("/")
@roles_required(*access.READ_ROLES)
def list_rounds():
    pagination = db.paginate(
        select(DipSampleRound).options(joinedload(DipSampleRound.practice_lead),
                                       joinedload(DipSampleRound.team),
                                       joinedload(DipSampleRound.service))
        .order_by(DipSampleRound.month.desc(), DipSampleRound.id.desc()),
        page=inputs.page_number(PAGE_SIZE), per_page=PAGE_SIZE, error_out=False)
    return render_template("dip_samples/list.html", pagination=pagination,
                           progress=rounds.progress([r.id for r in pagination.items]),
                           may_start=access.may_start(current_user))


def _round_form():
    return RoundForm(
        rounds.months_offered(today()),
        db.session.scalars(select(Team).where(Team.active).order_by(Team.name)).all(),
        db.session.scalars(select(Service).order_by(Service.name)).all(),
        rounds.compliance_templates())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(access.RUN_ROLE)
def new_round():
    form = _round_form()
    if request.method == "GET":
        this_month = rounds.month_of(today())
        form.month.data = this_month.isoformat()
        form.window_start.data = rounds.add_months(this_month, -3)
        form.window_end.data = this_month - timedelta(days=1)
    if form.validate_on_submit():
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, url_for("dip_samples.list_rounds"))):
            return repeat
        try:
            problems = form.problems_of_choice()
            if problems:
                raise rounds.DipSampleError(problems)
            round_ = rounds.create_round(
                current_user, form.chosen_month(), form.size.data, form.window_start.data,
                form.window_end.data, form.chosen("team_id"), form.chosen("service_id"),
                form.chosen("compliance_template_id"), today=today())
        except rounds.DipSampleError as error:
            _refused(form, error)
        else:
            here = url_for("dip_samples.view_round", round_id=round_.id)
            once.led_to(token, here)
            db.session.commit()
            flash("Dip sample created. Check the frame, then draw the cases.")
            return redirect(here)
    return render_template("dip_samples/new.html", form=form, page_errors=error_summary(form))


def _round_page(round_, draw_form=None, page_errors=()):
    sampled = db.session.scalars(
        select(DipSampleCase).where(DipSampleCase.round_id == round_.id)
        .options(joinedload(DipSampleCase.case).joinedload(Case.team),
                 joinedload(DipSampleCase.replaces).joinedload(DipSampleCase.case),
                 joinedload(DipSampleCase.audit))
        .order_by(DipSampleCase.position, DipSampleCase.id)).all()
    started = set(db.session.scalars(
        select(DipSampleCheck.sampled_case_id).join(DipSampleCase)
        .where(DipSampleCase.round_id == round_.id)))
    if draw_form is None and access.may_draw(current_user, round_):
        draw_form = DrawForm(formdata=None, version=round_.row_version)
    return render_template(
        "dip_samples/round.html", round=round_, month=rounds.month_label(round_.month),
        live=[s for s in sampled if s.removed_at is None],
        removed=[s for s in sampled if s.removed_at is not None],
        done=rounds.done_case_ids(round_), started=started,
        complete=rounds.is_complete(round_),
        frame_now=None if round_.drawn else rounds.frame_size(round_),
        runs=access.runs(current_user, round_), draw_form=draw_form,
        page_errors=list(page_errors))


@bp.route("/<int:round_id>")
@roles_required(*access.READ_ROLES)
def view_round(round_id):
    return _round_page(_round_or_404(round_id))


@bp.route("/<int:round_id>/draw", methods=["POST"])
@login_required
def draw_round(round_id):
    round_ = _round_or_404(round_id)
    if not access.runs(current_user, round_):
        abort(403)
    form = DrawForm()
    if not form.validate_on_submit():
        return _round_page(round_, draw_form=form, page_errors=error_summary(form))
    try:
        sampled = rounds.draw(round_, current_user, form.version.data, form.seed.data)
    except rounds.DipSampleError as error:
        db.session.rollback()
        return _round_page(round_, draw_form=form, page_errors=[
            {"text": message, "href": "#seed"} for message in error.problems.values()])
    except EditConflict:
        db.session.rollback()
        return _round_page(round_, page_errors=[{"text": DRAWN_ELSEWHERE, "href": "#cases"}])
    db.session.commit()
    flash(f"{len(sampled)} case{'' if len(sampled) == 1 else 's'} drawn from a frame of "
          f"{round_.frame_size}.")
    return redirect(url_for("dip_samples.view_round", round_id=round_.id))


@bp.route("/cases/<int:sampled_id>/swap", methods=["GET", "POST"])
@login_required
def swap_case(sampled_id):
    sampled = _sampled_or_404(sampled_id)
    round_ = sampled.round
    if not access.runs(current_user, round_):
        abort(403)
    back = url_for("dip_samples.view_round", round_id=round_.id)
    if not access.may_swap(current_user, sampled):
        flash(f"Case {sampled.case.reference} is not in the sample now, so it cannot be "
              "swapped.")
        return redirect(back)
    form = SwapForm()
    if request.method == "GET":
        form.version.data = round_.row_version
    conflict = None
    if form.validate_on_submit():
        try:
            replacement = rounds.swap(sampled, current_user, form.version.data,
                                      form.reference.data, form.reason.data)
        except rounds.DipSampleError as error:
            _refused(form, error)
        except EditConflict:
            db.session.rollback()
            conflict = ("This dip sample changed after you opened the page. Nothing has been "
                        "swapped: go back to the dip sample to see it as it is now.")
            sampled = _sampled_or_404(sampled_id)
            form.version.raw_data = [str(sampled.round.row_version)]
        else:
            db.session.commit()
            flash(f"Case {sampled.case.reference} swapped for case "
                  f"{replacement.case.reference}.")
            return redirect(back)
    started = db.session.scalar(select(func.count()).where(
        DipSampleCheck.sampled_case_id == sampled.id))
    errors = error_summary(form) + ([{"text": conflict, "href": "#reference"}] if conflict else [])
    return render_template("dip_samples/swap.html", sampled=sampled, form=form, back=back,
                           started=started, page_errors=errors)


def _listed(sampled):
    return db.session.scalars(rounds.listed_actions_query(sampled).options(
        joinedload(Action.owner), joinedload(Action.completed_by))).all()


@bp.route("/cases/<int:sampled_id>")
@roles_required(*access.READ_ROLES)
def view_case(sampled_id):
    sampled = _sampled_or_404(sampled_id)
    day = today()
    found = {c.action_id: c for c in db.session.scalars(
        select(DipSampleCheck).where(DipSampleCheck.sampled_case_id == sampled.id)
        .options(joinedload(DipSampleCheck.checked_by), joinedload(DipSampleCheck.follow_up)))}
    rows = []
    for action in _listed(sampled):
        check = found.get(action.id)
        to_check = check is None and bool(checks.outcomes_for(action, day))
        rows.append({"action": action, "check": check, "to_check": to_check,
                     "may_check": to_check and access.may_check(current_user, sampled, action),
                     "own": to_check and action.completed_by_id == current_user.id})
    audit = db.session.get(Audit, sampled.audit_id) if sampled.audit_id else None
    return render_template("dip_samples/case.html", sampled=sampled, rows=rows, today=day,
                           month=rounds.month_label(sampled.round.month), audit=audit,
                           may_see_audit=audit is not None
                           and audit_access.can_view(current_user, audit),
                           runs=access.runs(current_user, sampled.round),
                           done=sampled.id in rounds.done_case_ids(sampled.round))


@bp.route("/cases/<int:sampled_id>/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def check_action(sampled_id, action_id):
    sampled = _sampled_or_404(sampled_id)
    action = db.get_or_404(Action, action_id)
    if not checks.is_listed(sampled, action):
        abort(404)
    if not access.may_check(current_user, sampled, action):
        abort(403)
    back = url_for("dip_samples.view_case", sampled_id=sampled.id)
    outcomes = checks.outcomes_for(action, today())
    already = db.session.scalar(select(func.count()).where(
        DipSampleCheck.sampled_case_id == sampled.id, DipSampleCheck.action_id == action.id))
    if request.method == "GET" and (already or not outcomes):
        flash("This action has been checked already." if already else
              f"This action is {ACTION_STATUSES[action.status].lower()}, so there is nothing "
              "to check.")
        return redirect(back)
    form = CheckForm(outcomes)
    if request.method == "GET":
        form.version.data = action.row_version
    conflict = None
    if form.validate_on_submit():
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, back)):
            return repeat
        finding = checks.Finding(
            outcome=form.outcome.data, evidence=form.evidence.data, impact=form.impact.data,
            due_on=form.due_on.data, reason=form.reason.data, follow_up=form.follow_up.data,
            follow_up_due_on=form.follow_up_due_on.data)
        reopening = checks.reopens(action, finding.outcome)
        try:
            check = checks.record_check(sampled, action, current_user, form.version.data,
                                        finding, today=today())
        except (rounds.DipSampleError, ActionError) as error:
            _refused(form, error)
        except EditConflict:
            db.session.rollback()
            action = db.session.get(Action, action_id)
            conflict = ACTION_STATUSES[action.status]
            form.version.raw_data = [str(action.row_version)]
        else:
            once.led_to(token, back)
            db.session.commit()
            flash(_saved_message(check, reopening))
            return redirect(back)
    return render_template("dip_samples/check.html", sampled=sampled, action=action, form=form,
                           conflict=conflict, back=back, today=today(),
                           completed=action.status == "completed", page_errors=error_summary(form))


def _saved_message(check, reopened):
    message = f"Check saved: {check.outcome_label.lower()}."
    if reopened:
        message += " The action is open again for its owner."
    if check.follow_up_id:
        message += " A follow-up action has been raised."
    return message


def _quarters():
    """The quarters from the first round's month to today's, newest first."""
    first = db.session.scalar(select(func.min(DipSampleRound.month)))
    now = Quarter.containing(today())
    return list(reversed(quarters_between(Quarter.containing(first) if first else now, now)))


@bp.route("/coverage")
@roles_required(*access.READ_ROLES)
def coverage():
    form = QuarterForm(_quarters(), request.args)
    quarter = form.chosen(Quarter.containing(today()))
    months = figures.quarter_months(quarter)
    return render_template(
        "dip_samples/coverage.html", form=form, quarter=quarter, plan=figures.plan(),
        months=[rounds.month_label(m) for m in months], rows=figures.coverage(months),
        followed_up=figures.confirmed_followed_up(quarter),
        may_change_plan=current_user.has_role("admin"))


@bp.route("/plan", methods=["GET", "POST"])
@roles_required("admin")
def plan_setting():
    form = PlanForm()
    if request.method == "GET":
        form.plan.data = figures.plan()
        form.version.data = setting_version("dip_sample_plan")
    conflict = None
    if form.validate_on_submit():
        try:
            set_setting("dip_sample_plan", str(form.plan.data), form.version.data,
                        actor=current_user)
        except EditConflict:
            db.session.rollback()
            conflict = [(form.plan.label.text, get_setting("dip_sample_plan"),
                         str(form.plan.data))]
            form.version.raw_data = [str(setting_version("dip_sample_plan"))]
        else:
            db.session.commit()
            flash("Dip sample plan saved.")
            return redirect(url_for("dip_samples.coverage"))
    return render_template("dip_samples/plan.html", form=form, conflict=conflict,
                           page_errors=error_summary(form))
