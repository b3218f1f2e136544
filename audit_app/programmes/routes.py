from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from audit_app import inputs, once
from audit_app.authz import roles_required
from audit_app.extensions import db
from audit_app.models import Audit, Case, Programme, ProgrammeDraw, Team
from audit_app.programmes import bp, sampling, services
from audit_app.programmes.forms import AllocateForm, DrawForm, ProgrammeForm
from audit_app.programmes.services import MANAGE_ROLES, READ_ROLES, ProgrammeError
from audit_app.settings import get_setting
from audit_app.templating import format_date
from audit_app.versioning import EditConflict, claim

PAGE_SIZE = 50


def _programme_values(form):
    return {
        "name": form.name.data,
        "template_id": int(form.template_id.data),
        "period_start": form.period_start.data,
        "period_end": form.period_end.data,
        "due_on": form.due_on.data,
    }


def _show_errors(form, error):
    for field, message in error.errors.items():
        form[field].errors.append(message)


def _teams():
    return db.session.scalars(select(Team).order_by(Team.name)).all()


@bp.route("/")
@roles_required(*READ_ROLES)
def list_programmes():
    pagination = db.paginate(
        select(Programme)
        .options(joinedload(Programme.template))
        .order_by(Programme.period_start.desc(), Programme.id.desc()),
        page=inputs.page_number(PAGE_SIZE), per_page=PAGE_SIZE, error_out=False,
    )
    counts = services.allocation_counts([p.id for p in pagination.items])
    return render_template(
        "programmes/list.html", pagination=pagination, counts=counts,
        can_manage=current_user.has_role(*MANAGE_ROLES),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def new_programme():
    templates = services.templates_with_published_version()
    form = ProgrammeForm(templates)
    if form.validate_on_submit():
        token = form.form_token.data
        repeat = once.repeated(token, current_user, url_for("programmes.list_programmes"))
        if repeat is not None:
            return repeat
        try:
            programme = services.create_programme(actor=current_user, **_programme_values(form))
        except ProgrammeError as error:
            db.session.rollback()
            _show_errors(form, error)
        else:
            here = url_for("programmes.programme", programme_id=programme.id)
            once.led_to(token, here)
            db.session.commit()
            flash(f"Programme {programme.name} created.")
            return redirect(here)
    return render_template(
        "programmes/programme_form.html", form=form, programme=None, templates=templates
    )


@bp.route("/<int:programme_id>")
@roles_required(*READ_ROLES)
def programme(programme_id):
    programme = db.get_or_404(
        Programme, programme_id, options=[joinedload(Programme.template),
                                          joinedload(Programme.created_by)]
    )
    audits = db.session.scalars(
        select(Audit)
        .where(Audit.programme_id == programme.id)
        .options(
            joinedload(Audit.case).joinedload(Case.team),
            joinedload(Audit.auditor),
        )
        .order_by(Audit.id)
    ).all()
    draws = db.session.scalars(
        select(ProgrammeDraw)
        .where(ProgrammeDraw.programme_id == programme.id)
        .options(selectinload(ProgrammeDraw.drawn_by))
        .order_by(ProgrammeDraw.id)
    ).all()
    team_names = dict(db.session.execute(select(Team.id, Team.name)).all())
    return render_template(
        "programmes/programme.html",
        programme=programme,
        audits=audits,
        draws=draws,
        draw_numbers={d.id: n for n, d in enumerate(draws, start=1)},
        filters_in_words={d.id: services.describe_filters(d.filters, team_names) for d in draws},
        can_manage=current_user.has_role(*MANAGE_ROLES),
        can_remove=services.can_remove,
    )


def _conflict_rows(form, programme, templates):
    """(label, saved value, your value) for each field someone else changed."""
    names = {t.id: t.name for t in templates} | {programme.template_id: programme.template.name}
    mine = _programme_values(form)
    rows = []
    for name in services.PROGRAMME_FIELDS:
        saved = getattr(programme, name)
        if saved == mine[name]:
            continue
        if name == "template_id":
            shown = names.get(saved, saved), names.get(mine[name], mine[name])
        elif name == "name":
            shown = saved, mine[name]
        else:
            shown = format_date(saved), format_date(mine[name])
        rows.append((form[name].label.text, *shown))
    return rows


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def edit_programme(programme_id):
    programme = db.get_or_404(Programme, programme_id)
    templates = services.templates_with_published_version()
    form = ProgrammeForm(templates, obj=programme)
    if request.method == "GET":
        form.template_id.data = str(programme.template_id)
        form.version.data = programme.row_version
    context = {"programme": programme, "templates": templates}
    if form.validate_on_submit():
        try:
            claim(programme, form.version.data)
            services.update_programme(programme, _programme_values(form), actor=current_user)
        except EditConflict:
            db.session.rollback()
            form.version.raw_data = [str(programme.row_version)]  # saving again keeps yours
            return render_template(
                "programmes/programme_form.html", form=form,
                conflict=_conflict_rows(form, programme, templates), **context,
            )
        except ProgrammeError as error:
            db.session.rollback()
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(f"Programme {programme.name} saved.")
            return redirect(url_for("programmes.programme", programme_id=programme.id))
    return render_template("programmes/programme_form.html", form=form, **context)


@bp.route("/<int:programme_id>/allocate", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def allocate(programme_id):
    programme = db.get_or_404(Programme, programme_id)
    form = AllocateForm(services.auditors())
    if form.validate_on_submit():
        try:
            allocation = services.allocate_by_hand(
                programme, form.case_reference.data, int(form.auditor_id.data),
                actor=current_user,
            )
        except ProgrammeError as error:
            db.session.rollback()
            _show_errors(form, error)
        else:
            db.session.commit()
            case, auditor = allocation.case, allocation.auditor
            message = f"Case {case.reference} allocated to {auditor.name}."
            if allocation.conflict:
                message += (f" Conflict of interest: {services.conflict_message(auditor, case)}."
                            " The allocation is flagged.")
            if case.closed_on:
                message += f" This case was closed on {format_date(case.closed_on)}."
            flash(message)
            return redirect(url_for("programmes.programme", programme_id=programme.id))
    return render_template(
        "programmes/allocate.html", form=form, programme=programme,
        policy=get_setting("conflict_of_interest"),
    )


def _draw_filter(form):
    return services.DrawFilter(
        team_ids=tuple(form.team_ids.data or ()),
        cohorts=tuple(form.cohorts.data or ()),
        open_on=form.open_on.data,
    )


def _drawn_message(outcome):
    draw = outcome.draw
    drawn = len(outcome.allocations)
    message = f"{drawn} {'case' if drawn == 1 else 'cases'} drawn with seed {draw.seed}"
    if outcome.whole_frame and draw.requested > draw.frame_size:
        message += (f": only {draw.frame_size} matched the filter, so all of them were drawn "
                    f"(you asked for {draw.requested})")
    message += "."
    if draw.skipped_recent:
        message += f" {services.skipped_sentence(draw.skipped_recent)}."
    conflicts = sum(a.conflict for a in outcome.allocations)
    if conflicts:
        message += (f" {conflicts} {'allocation is' if conflicts == 1 else 'allocations are'}"
                    " flagged as a conflict of interest.")
    return message


@bp.route("/<int:programme_id>/draw", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def draw(programme_id):
    programme = db.get_or_404(Programme, programme_id)
    form = DrawForm(_teams(), services.auditors())
    if form.validate_on_submit():
        seed = form.seed.data if form.seed.data is not None else sampling.fresh_seed()
        here = url_for("programmes.programme", programme_id=programme_id, _anchor="draws")
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, here)) is not None:
            return repeat
        try:
            outcome = services.draw_cases(
                programme, flt=_draw_filter(form), requested=form.requested.data, seed=seed,
                auditor_ids=form.auditor_ids.data, include_recent=form.include_recent.data,
                actor=current_user,
            )
        except ProgrammeError as error:
            db.session.rollback()
            _show_errors(form, error)
            # Keep the seed, so correcting the form and drawing again draws the same cases.
            form.seed.raw_data = [str(seed)]
        else:
            once.led_to(token, here)
            db.session.commit()
            flash(_drawn_message(outcome))
            return redirect(here)
    return render_template(
        "programmes/draw.html", form=form, programme=programme,
        policy=get_setting("conflict_of_interest"),
    )


@bp.route("/<int:programme_id>/allocations/<int:audit_id>/remove", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def remove_allocation(programme_id, audit_id):
    programme = db.get_or_404(Programme, programme_id)
    audit = db.session.get(Audit, audit_id, with_for_update=request.method == "POST")
    if audit is None or audit.programme_id != programme.id:
        abort(404)
    if request.method == "POST":
        reference = audit.case.reference
        try:
            services.remove_allocation(audit, actor=current_user)
        except ProgrammeError as error:
            db.session.rollback()
            flash(str(error))
        else:
            db.session.commit()
            flash(f"Case {reference} removed from this programme.")
        return redirect(url_for("programmes.programme", programme_id=programme.id))
    return render_template(
        "programmes/remove_allocation.html", programme=programme, audit=audit,
        removable=services.can_remove(audit),
    )
