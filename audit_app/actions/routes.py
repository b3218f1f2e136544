"""Action pages: the lists, an action with its history, and each step of its lifecycle.

The views only check who may open a page and hand what was typed to the workflow, which
holds the rules and writes the events."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from audit_app import inputs, once
from audit_app.actions import access, bp, figures, lists, workflow
from audit_app.actions.forms import (
    AllActionsForm,
    CancelForm,
    CompleteForm,
    DueDateForm,
    NewActionForm,
    ReassignForm,
    ShowingForm,
)
from audit_app.actions.history import history
from audit_app.audits import access as audit_access
from audit_app.authz import roles_required
from audit_app.dip_samples import figures as dip_figures
from audit_app.extensions import db
from audit_app.forms import error_summary
from audit_app.measures.periods import Quarter
from audit_app.models import Action, AuditTemplate, Moderation, Service, Team, User
from audit_app.models.actions import ACTION_STATUSES, CANCELLED, COMPLETED, OPEN
from audit_app.moderation.moderate import can_see
from audit_app.team_managers import managed_team_ids
from audit_app.templating import format_date
from audit_app.timeutil import today
from audit_app.versioning import EditConflict


def _refused(form, error):
    """Put the workflow's refusals on the form's fields (or flash one about no field)."""
    db.session.rollback()
    for field, message in error.problems.items():
        if field in form:
            form[field].errors = [*form[field].errors, message]
        else:
            flash(message)


def _short_list(query_for, heading, intro, show_owner=True):
    form = ShowingForm(request.args)
    showing = form.showing()
    pagination = lists.page(query_for(current_user, showing, today()),
                            inputs.page_number(lists.PAGE_SIZE))
    return render_template("actions/list.html", form=form, pagination=pagination,
                           today=today(), showing=showing, showing_label=lists.SHOWING[showing],
                           heading=heading, intro=intro, show_owner=show_owner,
                           empty="There are no actions to show.")


@bp.route("/")
@login_required
def my_actions():
    return _short_list(lists.owned, "My actions", "Actions you own.", show_owner=False)


@bp.route("/team")
@login_required
def team_actions():
    if not managed_team_ids(current_user):
        abort(403)
    return _short_list(lists.of_managed_teams, "Your team's actions",
                       "Actions on the cases of the teams you manage.")


@bp.route("/raised")
@roles_required("auditor")
def raised_actions():
    return _short_list(lists.from_audits_by, "Actions from your audits",
                       "Actions raised from the audits you wrote, so you can track them to "
                       "completion.")


@bp.route("/all")
@roles_required(*access.SEE_ALL_ROLES)
def all_actions():
    day = today()
    form = AllActionsForm(
        db.session.scalars(select(Team).order_by(Team.name)).all(),
        db.session.scalars(select(Service).order_by(Service.name)).all(),
        lists.owners(),
        db.session.scalars(select(AuditTemplate).order_by(AuditTemplate.name)).all(),
        lists.quarters_raised(day),
        request.args,
    )
    filters = form.filters()
    pagination = lists.page(lists.filtered(filters, day), inputs.page_number(lists.PAGE_SIZE))
    quarter = form.figures_quarter(Quarter.containing(day))
    scope = lists.scope(filters)
    return render_template("actions/all.html", form=form, pagination=pagination, today=day,
                           quarter=quarter, scoped=bool(scope),
                           figures=figures.for_quarter(quarter, day, scope),
                           followed_up=dip_figures.confirmed_followed_up(quarter, scope))


def _action_or_403(action_id):
    action = db.get_or_404(Action, action_id)
    if not access.can_view(current_user, action):
        abort(403)
    return action


@bp.route("/<int:action_id>")
@login_required
def view_action(action_id):
    action = _action_or_403(action_id)
    user = current_user
    return render_template(
        "actions/action.html", action=action, today=today(), history=history(action),
        follow_ups=lists.follow_ups(action),
        may_see_audit=audit_access.can_view(user, action.audit),
        may_complete=workflow.may_complete(user, action),
        may_cancel=workflow.may_cancel(user, action),
        may_change_due_date=workflow.may_change_due_date(user, action),
        may_see_moderation=action.moderation is not None
        and can_see(user, action.moderation.sample),
    )


def _step(action_id, allowed):
    """The action for a lifecycle page: 403 unless `allowed` (the step's rule of who); an
    action no longer open is shown on its own page (a post from an older page goes on to
    the workflow, which finds it changed and gives the conflict page)."""
    action = _action_or_403(action_id)
    if not allowed(current_user, action):
        abort(403)
    if action.status != OPEN and request.method == "GET":
        flash(f"This action is {ACTION_STATUSES[action.status].lower()}, so it cannot be "
              "changed here.")
        return action, redirect(url_for("actions.view_action", action_id=action.id))
    return action, None


def _conflict(action_id, form, intended, rows_for):
    """After an EditConflict: the action as saved now, and (label, theirs, yours) rows for
    what differs from what this form would have saved."""
    db.session.rollback()
    action = db.session.get(Action, action_id)
    form.version.raw_data = [str(action.row_version)]
    rows = [("Status", ACTION_STATUSES[action.status], ACTION_STATUSES[intended]),
            *rows_for(action)]
    return action, [(label, theirs, mine) for label, theirs, mine in rows
                    if (theirs or None) != (mine or None)]


def _step_page(template, action, form, conflict, title):
    return render_template(template, action=action, form=form, conflict=conflict,
                           page_errors=error_summary(form), today=today(), title=title,
                           still_open=action.status == OPEN)


@bp.route("/<int:action_id>/complete", methods=["GET", "POST"])
@login_required
def complete_action(action_id):
    action, elsewhere = _step(action_id, workflow.completes)
    if elsewhere:
        return elsewhere
    form = CompleteForm()
    if request.method == "GET":
        form.version.data = action.row_version
    conflict = None
    if form.validate_on_submit():
        try:
            workflow.complete(action, current_user, form.version.data, form.completed_on.data,
                              form.evidence.data)
        except workflow.ActionError as error:
            _refused(form, error)
        except EditConflict:
            action, conflict = _conflict(action_id, form, COMPLETED, lambda saved: [
                ("Date done", format_date(saved.completed_on),
                 format_date(form.completed_on.data)),
                ("Evidence", saved.evidence, (form.evidence.data or "").strip())])
        else:
            db.session.commit()
            flash("Action completed.")
            return redirect(url_for("actions.view_action", action_id=action.id))
    return _step_page("actions/complete.html", action, form, conflict, "Complete action")


@bp.route("/<int:action_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_action(action_id):
    action, elsewhere = _step(action_id, workflow.cancels)
    if elsewhere:
        return elsewhere
    form = CancelForm()
    if request.method == "GET":
        form.version.data = action.row_version
    conflict = None
    if form.validate_on_submit():
        try:
            workflow.cancel(action, current_user, form.version.data, form.reason.data)
        except workflow.ActionError as error:
            _refused(form, error)
        except EditConflict:
            action, conflict = _conflict(action_id, form, CANCELLED, lambda saved: [
                ("Reason for cancelling", saved.cancel_reason, (form.reason.data or "").strip())])
        else:
            db.session.commit()
            flash("Action cancelled.")
            return redirect(url_for("actions.view_action", action_id=action.id))
    return _step_page("actions/cancel.html", action, form, conflict, "Cancel action")


@bp.route("/<int:action_id>/due-date", methods=["GET", "POST"])
@login_required
def change_due_date(action_id):
    action, elsewhere = _step(action_id, lambda user, _action: workflow.moves_due_dates(user))
    if elsewhere:
        return elsewhere
    form = DueDateForm()
    if request.method == "GET":
        form.version.data = action.row_version
    conflict = None
    if form.validate_on_submit():
        try:
            workflow.change_due_date(action, current_user, form.version.data, form.due_on.data,
                                     form.reason.data)
        except workflow.ActionError as error:
            _refused(form, error)
        except EditConflict:
            action, conflict = _conflict(action_id, form, OPEN, lambda saved: [
                ("Due date", format_date(saved.due_on), format_date(form.due_on.data))])
        else:
            db.session.commit()
            flash("Due date changed.")
            return redirect(url_for("actions.view_action", action_id=action.id))
    return _step_page("actions/due_date.html", action, form, conflict, "Change the due date")


def _active_people():
    return db.session.scalars(select(User).where(User.active).order_by(User.name)).all()


@bp.route("/moderations/<int:moderation_id>/new", methods=["GET", "POST"])
@login_required
def raise_from_moderation(moderation_id):
    moderation = db.get_or_404(Moderation, moderation_id)
    if not workflow.may_raise_from_moderation(current_user, moderation):
        abort(403)
    if moderation.is_imported:  # it has no page of its own; its audit's page shows it
        flash(f"This moderation was imported from {moderation.imported_from}, so actions "
              "cannot be added to it.")
        return redirect(url_for("audits.view_audit", audit_id=moderation.audit_id))
    form = NewActionForm(_active_people())
    back = url_for("moderation.moderate", sample_id=moderation.sample_id)
    if form.validate_on_submit():
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, back)) is not None:
            return repeat
        try:
            action = workflow.raise_from_moderation(
                moderation, current_user, form.description.data, form.owner(), form.due_on.data,
                form.priority.data)
        except workflow.ActionError as error:
            _refused(form, error)
        else:
            here = url_for("actions.view_action", action_id=action.id)
            once.led_to(token, here)
            db.session.commit()
            flash("Action added.")
            return redirect(here)
    return render_template("actions/new.html", moderation=moderation, form=form, back=back,
                           default_owner=workflow.default_owner(moderation.audit.case),
                           page_errors=error_summary(form))


NOBODY = "none"  # ?owner=none: the open actions with no owner


def _open_actions_of(owner):
    if owner == NOBODY:
        return db.session.scalars(lists.unowned("open", today())).all()
    return db.session.scalars(lists.owned(owner, "open", today())).all() if owner else []


@bp.route("/reassign", methods=["GET", "POST"])
@roles_required("admin")
def reassign():
    """Give one person's open actions to someone else (they are leaving, say), or give
    owners to open actions that have none."""
    owners = lists.owners()
    if request.args.get("owner") == NOBODY:
        current = NOBODY
    else:
        from_id = inputs.whole_number(request.args.get("owner"))
        current = next((u for u in owners if u.id == from_id), None)
    actions = _open_actions_of(current)
    form = ReassignForm(actions, [u for u in _active_people() if u is not current])
    if request.method == "GET":
        form.action_ids.data = [str(a.id) for a in actions]
        form.show_versions(actions)
    conflict = False
    if current is not None and form.validate_on_submit():
        seen = form.seen_versions()
        chosen = [(a, seen.get(a.id)) for a in actions if str(a.id) in (form.action_ids.data or [])]
        try:
            workflow.reassign(chosen, current_user, form.new_owner())
        except workflow.ActionError as error:
            _refused(form, error)
        except EditConflict:
            db.session.rollback()
            conflict = True
            actions = _open_actions_of(current)
            form.offer(actions)
            form.show_versions(actions)
        else:
            db.session.commit()
            was = "with no owner" if current == NOBODY else f"from {current.name}"
            flash(f"{len(chosen)} action{'s' if len(chosen) > 1 else ''} {was} reassigned.")
            return redirect(url_for("actions.reassign",
                                    owner=NOBODY if current == NOBODY else current.id))
    return render_template("actions/reassign.html", form=form, owners=owners, current=current,
                           nobody=NOBODY, actions=actions, conflict=conflict,
                           page_errors=error_summary(form), today=today(),
                           open_counts=lists.open_counts(owners),
                           unowned_count=0 if current else lists.count(
                               lists.unowned("open", today())))
