"""Moderation round pages: list, create, view, draw, redraw, pick an audit by hand."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit_app import blind_moderation, inputs, once
from audit_app.authz import roles_required
from audit_app.extensions import db
from audit_app.forms import error_summary
from audit_app.models import (
    Audit,
    AuditTemplate,
    Case,
    ModerationRound,
    ModerationSample,
    Team,
    User,
)
from audit_app.models.moderation import MODES, ROUND_KINDS, SAMPLING_METHODS
from audit_app.moderation import bp, moderate, rounds
from audit_app.moderation.round_forms import (
    METHOD_HINTS,
    MODE_HINTS,
    DrawForm,
    PickForm,
    RedrawForm,
    RoundForm,
)
from audit_app.versioning import EditConflict

VIEW_ROLES = ("moderator", "admin", "leader")
CHANGE_ROLES = ("moderator", "admin")
PAGE_SIZE = 50
CONFLICT = ("Someone else changed this round after you opened the page. Check the sample "
            "below before trying again.")


def _round_or_404(round_id):
    round_ = db.session.get(ModerationRound, round_id)
    if round_ is None:
        abort(404)
    return round_



STATUS_CLASSES = {"Not started": "govuk-tag--grey", "In progress": "govuk-tag--light-blue",
                  "Submitted": "govuk-tag--green"}


def _labels():
    return {"kinds": ROUND_KINDS, "modes": MODES, "methods": SAMPLING_METHODS,
            "status_classes": STATUS_CLASSES}


@bp.route("/rounds")
@roles_required(*VIEW_ROLES)
def list_rounds():
    pagination = db.paginate(
        select(ModerationRound).order_by(ModerationRound.period_start.desc(),
                                         ModerationRound.id.desc()),
        page=inputs.page_number(PAGE_SIZE), per_page=PAGE_SIZE, error_out=False,
    )
    return render_template(
        "moderation/rounds.html", pagination=pagination, progress=rounds.progress_by_round(),
        can_create=current_user.has_role(*CHANGE_ROLES), **_labels(),
    )


def _round_form():
    templates = db.session.scalars(select(AuditTemplate).order_by(AuditTemplate.name)).all()
    teams = db.session.scalars(select(Team).where(Team.active).order_by(Team.name)).all()
    people = db.session.scalars(select(User).where(User.active).order_by(User.name)).all()
    auditors = [u for u in people if u.has_role("auditor")]
    return RoundForm(rounds.moderator_candidates(), templates, teams, auditors)


@bp.route("/rounds/new", methods=["GET", "POST"])
@roles_required(*CHANGE_ROLES)
def new_round():
    form = _round_form()
    if form.validate_on_submit():
        token = form.form_token.data
        repeat = once.repeated(token, current_user, url_for("moderation.list_rounds"))
        if repeat is not None:
            return repeat
        moderators = db.session.scalars(
            select(User).where(User.id.in_([int(i) for i in form.moderator_ids.data]))).all()
        try:
            round_ = rounds.create_round(
                name=form.name.data, period_start=form.period_start.data,
                period_end=form.period_end.data, kind=form.kind.data, mode=form.mode.data,
                quota=form.quota.data, method=form.method.data, moderators=moderators,
                template_id=form.template_id.data or None, team_ids=form.team_ids.data,
                auditor_ids=form.auditor_ids.data,
                include_moderated=form.include_moderated.data, actor=current_user,
            )
        except rounds.RoundError as error:
            db.session.rollback()
            form[error.field or "name"].errors.append(str(error))
        else:
            here = url_for("moderation.view_round", round_id=round_.id)
            once.led_to(token, here)
            db.session.commit()
            flash(f"Round {round_.name} created. Draw its sample when the period's audits "
                  "are in.")
            return redirect(here)
    return render_template(
        "moderation/round_form.html", form=form, page_errors=error_summary(form),
        mode_hints=MODE_HINTS,
        method_hint_items=[{"hint": {"text": METHOD_HINTS[m]}} for m in SAMPLING_METHODS],
    )


def _samples(round_):
    return db.session.scalars(
        select(ModerationSample)
        .where(ModerationSample.round_id == round_.id)
        .options(
            selectinload(ModerationSample.audit).selectinload(Audit.case)
            .selectinload(Case.team),
            selectinload(ModerationSample.audit).selectinload(Audit.auditor),
            selectinload(ModerationSample.audit).selectinload(Audit.template_version),
            selectinload(ModerationSample.moderator),
            selectinload(ModerationSample.moderation),
        )
        .order_by(ModerationSample.position)
    ).all()


def _can_open(sample, hidden):
    """Link to the moderation page only for those it lets in. Everyone who reaches a round
    page may read a submitted moderation, except of an audit they are moderating blind in
    another sample, so only those and unsubmitted ones need the full check."""
    if (moderate.is_submitted(sample.moderation)
            and not blind_moderation.hidden_elsewhere(hidden, sample)):
        return True
    return moderate.can_see(current_user, sample, hidden)


def _round_page(round_, draw_form=None, pick_form=None, page_errors=()):
    drawn = round_.drawn_at is not None
    samples = _samples(round_)
    hidden = blind_moderation.hidden_samples(current_user)
    rows = [{"sample": s,
             "reason": s.reason_label_for(blind_moderation.hidden_elsewhere(hidden, s)),
             "status": rounds.moderation_status(s), "link": _can_open(s, hidden)}
            for s in samples]
    can_change = current_user.has_role(*CHANGE_ROLES)
    if draw_form is None and not drawn and can_change:
        draw_form = DrawForm(formdata=None, version=round_.row_version)
    can_pick = can_change and rounds.can_pick(round_)
    if pick_form is None and can_pick:
        pick_form = PickForm(formdata=None)
    draw_event = rounds.last_draw_event(round_) if drawn else None
    return render_template(
        "moderation/round.html", round=round_, rows=rows,
        moderated=sum(1 for r in rows if r["status"] == "Submitted"),
        frame=None if drawn else rounds.frame_for(round_),
        excluded=(draw_event.after or {}).get("excluded") if draw_event else None,
        filters=rounds.filter_labels(round_), draw_form=draw_form, pick_form=pick_form,
        can_pick=can_pick, can_redraw=drawn and current_user.has_role("admin"),
        page_errors=list(page_errors), **_labels(),
    )


@bp.route("/rounds/<int:round_id>")
@roles_required(*VIEW_ROLES)
def view_round(round_id):
    return _round_page(_round_or_404(round_id))


def _drawn_message(samples, unassigned, round_):
    flash(f"{len(samples)} audits drawn from a frame of {round_.frame_size}.")
    if unassigned:
        flash(f"{len(unassigned)} of the audits have no moderator: everyone moderating this "
              "round wrote them.")


@bp.route("/rounds/<int:round_id>/draw", methods=["POST"])
@roles_required(*CHANGE_ROLES)
def draw_round(round_id):
    round_ = _round_or_404(round_id)
    form = DrawForm()
    if not form.validate_on_submit():
        return _round_page(round_, draw_form=form, page_errors=error_summary(form))
    try:
        samples, unassigned = rounds.draw(round_, current_user, seed=form.seed.data,
                                          version=form.version.data)
    except (rounds.RoundError, EditConflict) as error:
        db.session.rollback()
        message = CONFLICT if isinstance(error, EditConflict) else str(error)
        return _round_page(round_, draw_form=form,
                           page_errors=[{"text": message, "href": "#sample"}])
    db.session.commit()
    _drawn_message(samples, unassigned, round_)
    return redirect(url_for("moderation.view_round", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/redraw", methods=["GET", "POST"])
@roles_required("admin")
def redraw_round(round_id):
    round_ = _round_or_404(round_id)
    if round_.drawn_at is None:
        flash("This round has not been drawn yet, so there is nothing to redraw.")
        return redirect(url_for("moderation.view_round", round_id=round_.id))
    started = rounds.started_count(round_)
    form = RedrawForm()
    if request.method == "GET":
        form.version.data = round_.row_version
    errors = []
    if not started and form.validate_on_submit():
        try:
            samples, unassigned = rounds.redraw(round_, current_user, form.reason.data,
                                                seed=form.seed.data, version=form.version.data)
        except (rounds.RoundError, EditConflict) as error:
            db.session.rollback()
            message = CONFLICT if isinstance(error, EditConflict) else str(error)
            errors = [{"text": message, "href": "#reason"}]
        else:
            db.session.commit()
            _drawn_message(samples, unassigned, round_)
            return redirect(url_for("moderation.view_round", round_id=round_.id))
    return render_template("moderation/round_redraw.html", round=round_, form=form,
                           started=started, page_errors=errors or error_summary(form), **_labels())


@bp.route("/rounds/<int:round_id>/pick", methods=["POST"])
@roles_required(*CHANGE_ROLES)
def pick_audit(round_id):
    round_ = _round_or_404(round_id)
    if not rounds.can_pick(round_):
        flash("Audits can only be picked by hand in a targeted round, after its draw.")
        return redirect(url_for("moderation.view_round", round_id=round_.id))
    form = PickForm()
    if form.validate_on_submit():
        try:
            sample = rounds.pick(round_, current_user, form.reference.data)
        except (rounds.RoundError, EditConflict) as error:
            db.session.rollback()
            form.reference.errors.append(
                CONFLICT if isinstance(error, EditConflict) else str(error))
        else:
            db.session.commit()
            flash(f"Case {sample.audit.case.reference} added to the sample"
                  + ("." if sample.moderator_id else ", with no moderator: everyone "
                     "moderating this round wrote its audit."))
            return redirect(url_for("moderation.view_round", round_id=round_.id))
    return _round_page(round_, pick_form=form, page_errors=error_summary(form))
