from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from audit_app import blind_moderation, downloads, inputs, once, retention, subject_access
from audit_app.admin import bp, services
from audit_app.admin.forms import (
    ActionSettingsForm,
    EventFilterForm,
    NewUserForm,
    RetentionSettingsForm,
    ServiceForm,
    SettingsForm,
    SignInSettingsForm,
    SubjectAccessForm,
    TeamForm,
    UserForm,
)
from audit_app.auth import policy
from audit_app.authz import roles_required
from audit_app.extensions import db
from audit_app.models import Case, Event, Service, Team, User
from audit_app.settings import get_setting, set_setting, setting_version
from audit_app.versioning import EditConflict, claim

PAGE_SIZE = 50


def _teams():
    return db.session.scalars(select(Team).order_by(Team.name)).all()


def _active_users():
    return db.session.scalars(select(User).where(User.active).order_by(User.name)).all()


def _int_or_none(value):
    return int(value) if value else None


def _user_values(form):
    return {
        "email": form.email.data,
        "name": form.name.data.strip(),
        "roles": set(form.roles.data),
        "team_id": _int_or_none(form.team_id.data),
        "active": form.active.data,
    }


def _conflict_rows(form, current):
    """(label, saved value, your value) for each field someone else changed."""
    rows = []
    for name, saved in current.items():
        field = form[name]
        mine = field.data
        if isinstance(saved, set):
            mine = set(mine or [])
        elif isinstance(saved, int) and not isinstance(saved, bool):
            mine = _int_or_none(mine)
        if mine != saved:
            rows.append((field.label.text, saved, mine))
    return rows


def _save(form, obj, values, update, template, **context):
    """Apply an edit unless someone else saved first; the conflict page shows both versions."""
    try:
        claim(obj, form.version.data)
        update(obj, values, actor=current_user)
    except EditConflict:
        db.session.rollback()
        current = {k: getattr(obj, k) for k in values}
        form.version.raw_data = [str(obj.row_version)]  # saving again keeps yours, knowingly
        return render_template(
            template, form=form, conflict=_conflict_rows(form, current), **context
        )
    except services.DuplicateError as error:
        db.session.rollback()
        form[error.field].errors.append(str(error))
        return render_template(template, form=form, **context)
    db.session.commit()
    return None


@bp.route("/users")
@roles_required("admin")
def users():
    pagination = db.paginate(
        select(User).order_by(User.active.desc(), User.name),
        page=inputs.page_number(PAGE_SIZE), per_page=PAGE_SIZE,
    )
    return render_template("admin/users.html", pagination=pagination)


def _create(form, create, done, done_url, template, **context):
    """A new user, team or service from a valid post, once however often the form is sent
    (a double click makes one, and the second click lands where the first went)."""
    if form.validate_on_submit():
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, done_url)) is not None:
            return repeat
        try:
            record = create()
        except services.DuplicateError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            once.led_to(token, done_url)
            db.session.commit()
            flash(done(record))
            return redirect(done_url)
    return render_template(template, form=form, **context)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    form = NewUserForm(_teams())
    return _create(form, lambda: services.create_user(
        **_user_values(form), password=form.password.data, actor=current_user),
        lambda user: f"User {user.email} created.", url_for("admin.users"),
        "admin/user_form.html", user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = UserForm(_teams(), obj=user)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.team_id.data = str(user.team_id or "")
        form.version.data = user.row_version
    if form.validate_on_submit():
        if user.id == current_user.id and ("admin" not in form.roles.data or not form.active.data):
            form.roles.errors.append("You cannot remove your own admin role or deactivate yourself")
        else:
            response = _save(
                form, user, _user_values(form), services.update_user,
                "admin/user_form.html", user=user,
            )
            if response is not None:
                return response
            flash(f"User {user.email} saved.")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/teams")
@roles_required("admin")
def teams():
    services_ = db.session.scalars(select(Service).order_by(Service.name)).all()
    teams_ = db.session.scalars(
        select(Team).order_by(Team.name).options(db.joinedload(Team.manager))
    ).all()
    return render_template("admin/teams.html", services=services_, teams=teams_)


def _team_values(form):
    return {
        "name": form.name.data,
        "service_id": int(form.service_id.data),
        "manager_id": _int_or_none(form.manager_id.data),
        "active": form.active.data,
    }


def _team_form(**kwargs):
    services_ = db.session.scalars(select(Service).order_by(Service.name)).all()
    return TeamForm(services_, _active_users(), **kwargs)


@bp.route("/teams/new", methods=["GET", "POST"])
@roles_required("admin")
def new_team():
    form = _team_form()
    return _create(form, lambda: services.create_team(actor=current_user, **_team_values(form)),
                   lambda team: f"Team {team.name} created.", url_for("admin.teams"),
                   "admin/team_form.html", team=None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_team(team_id):
    team = db.get_or_404(Team, team_id)
    form = _team_form(obj=team)
    if request.method == "GET":
        form.service_id.data = str(team.service_id)
        form.manager_id.data = str(team.manager_id or "")
        form.version.data = team.row_version
    if form.validate_on_submit():
        response = _save(
            form, team, _team_values(form), services.update_team,
            "admin/team_form.html", team=team,
        )
        if response is not None:
            return response
        flash(f"Team {team.name} saved.")
        return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=team)


def _service_values(form):
    return {"name": form.name.data, "head_id": _int_or_none(form.head_id.data)}


@bp.route("/services/new", methods=["GET", "POST"])
@roles_required("admin")
def new_service():
    form = ServiceForm(_active_users())
    return _create(form, lambda: services.create_service(actor=current_user,
                                                         **_service_values(form)),
                   lambda service: f"Service {service.name} created.", url_for("admin.teams"),
                   "admin/service_form.html", service=None)


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_service(service_id):
    service = db.get_or_404(Service, service_id)
    form = ServiceForm(_active_users(), obj=service)
    if request.method == "GET":
        form.head_id.data = str(service.head_id or "")
        form.version.data = service.row_version
    if form.validate_on_submit():
        response = _save(
            form, service, _service_values(form), services.update_service,
            "admin/service_form.html", service=service,
        )
        if response is not None:
            return response
        flash(f"Service {service.name} saved.")
        return redirect(url_for("admin.teams"))
    return render_template("admin/service_form.html", form=form, service=service)


@bp.route("/events")
@roles_required("admin")
def events():
    form = EventFilterForm(request.args)
    query = (
        select(Event).options(db.joinedload(Event.actor))
        .where(~blind_moderation.events_hidden_from(current_user, Event))
        .order_by(Event.id.desc())
    )
    if form.entity_type.data:
        query = query.where(Event.entity_type == form.entity_type.data.strip().lower())
    if form.action.data:
        query = query.where(Event.action == form.action.data.strip().lower())
    if form.actor.data:
        query = query.join(Event.actor).where(
            User.email == User.normalise_email(form.actor.data)
        )
    pagination = db.paginate(query, page=inputs.page_number(PAGE_SIZE), per_page=PAGE_SIZE,
                             error_out=False)
    return render_template("admin/events.html", form=form, pagination=pagination)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings():
    form = SettingsForm()
    if request.method == "GET":
        form.conflict_of_interest.data = get_setting("conflict_of_interest")
        form.version.data = setting_version("conflict_of_interest")
    conflict = None
    if form.validate_on_submit():
        try:
            set_setting("conflict_of_interest", form.conflict_of_interest.data,
                        form.version.data, actor=current_user)
        except EditConflict:
            db.session.rollback()
            saved = get_setting("conflict_of_interest")
            conflict = _conflict_rows(form, {"conflict_of_interest": saved})
            form.version.raw_data = [str(setting_version("conflict_of_interest"))]
        else:
            db.session.commit()
            flash("Settings saved.")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, conflict=conflict)


def _settings_page(form, template, problems=lambda form: (), **context):
    """Show and save a form of several settings (`form.keys`), each with the version the
    page showed; someone else's save since shows the conflict panel, nothing saved."""
    if request.method == "GET":
        for key in form.keys:
            form[key].data = get_setting(key)
            form[f"{key}_version"].data = setting_version(key)
    conflict = None
    if form.validate_on_submit():
        for field, message in problems(form):
            form[field].errors.append(message)
    if form.is_submitted() and not form.errors:
        try:
            for key in form.keys:
                set_setting(key, form[key].data or "", form[f"{key}_version"].data,
                            actor=current_user)
        except EditConflict:
            db.session.rollback()
            conflict = _conflict_rows(form, {key: get_setting(key) for key in form.keys})
            for key in form.keys:
                form[f"{key}_version"].raw_data = [str(setting_version(key))]
        else:
            db.session.commit()
            flash("Settings saved.")
            return redirect(request.path)
    return render_template(template, form=form, conflict=conflict, **context)


def _break_glass_candidates():
    return [u for u in _active_users() if policy.can_be_break_glass(u)]


@bp.route("/settings/sign-in", methods=["GET", "POST"])
@roles_required("admin")
def sign_in_settings():
    def problems(form):
        chosen = form.break_glass_admin.data
        break_glass = db.session.get(User, int(chosen)) if chosen else None
        return policy.sign_in_settings_problems(form.local_passwords.data, break_glass)

    form = SignInSettingsForm(_break_glass_candidates())
    return _settings_page(form, "admin/sign_in_settings.html", problems,
                          sso=policy.sso_configured())


@bp.route("/settings/retention", methods=["GET", "POST"])
@roles_required("admin")
def retention_settings():
    return _settings_page(RetentionSettingsForm(), "admin/retention_settings.html",
                          due=len(retention.due_cases()))


@bp.route("/settings/actions", methods=["GET", "POST"])
@roles_required("admin")
def action_settings():
    return _settings_page(ActionSettingsForm(), "admin/action_settings.html")


@bp.route("/subject-access", methods=["GET", "POST"])
@roles_required("admin")
def subject_access_export():
    """One case's records as a ZIP, for a subject access request (logged)."""
    form = SubjectAccessForm()
    if form.validate_on_submit():
        reference = form.reference.data.strip()
        case = db.session.scalar(select(Case).where(Case.has_reference(reference)))
        if case is None:
            form.reference.errors.append(f"No case has the reference {reference}")
        else:
            files = subject_access.case_export(case, current_user)
            db.session.commit()
            return downloads.zip_response(f"subject-access-case-{case.id}.zip", files)
    return render_template("admin/subject_access.html", form=form)
