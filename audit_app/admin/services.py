"""Changing users, teams and services, each change recorded in the event log."""

from sqlalchemy import select

from audit_app.eventlog import changes, record, snapshot
from audit_app.extensions import db
from audit_app.models import Service, Team, User

USER_FIELDS = ("email", "name", "roles", "team_id", "active")
TEAM_FIELDS = ("name", "service_id", "manager_id", "active")
SERVICE_FIELDS = ("name", "head_id")


class DuplicateError(ValueError):
    """A unique name or email is already taken. `field` names the form field."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def _taken(model, column, value, exclude_id=None):
    query = select(model.id).where(column == value)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def _apply(obj, fields, values):
    for name in fields:
        if name in values:
            setattr(obj, name, values[name])


def _update(obj, entity_type, fields, values, actor):
    """Apply values to obj and record only what changed."""
    before = snapshot(obj, fields)
    _apply(obj, fields, values)
    before, after = changes(before, snapshot(obj, fields))
    if after:
        action = "deactivated" if after.get("active") is False else "updated"
        record(entity_type, obj.id, action, before=before, after=after, actor=actor)
    return obj


def _require_unique_name(model, values, exclude_id, label):
    if "name" in values:
        values["name"] = values["name"].strip()
        if _taken(model, model.name, values["name"], exclude_id=exclude_id):
            raise DuplicateError("name", f"A {label} called {values['name']} already exists")


def _create(model, entity_type, fields, values, actor):
    obj = model(**values)
    db.session.add(obj)
    db.session.flush()
    record(entity_type, obj.id, "created", after=snapshot(obj, fields), actor=actor)
    return obj


def create_user(*, email, name, roles, password, team_id=None, active=True, actor=None):
    email = User.normalise_email(email)
    if _taken(User, User.email, email):
        raise DuplicateError("email", f"A user with the email address {email} already exists")
    user = User(email=email, name=name.strip(), team_id=team_id, active=active)
    user.roles = roles
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user", user.id, "created", after=snapshot(user, USER_FIELDS), actor=actor)
    return user


def update_user(user, values, actor=None):
    values = dict(values)
    if "email" in values:
        values["email"] = User.normalise_email(values["email"])
        if _taken(User, User.email, values["email"], exclude_id=user.id):
            raise DuplicateError(
                "email", f"A user with the email address {values['email']} already exists"
            )
    was_active = user.active
    _update(user, "user", USER_FIELDS, values, actor)
    if was_active and not user.active:
        user.end_sessions()  # signed out now, and not back in if reactivated later
    return user


def create_team(actor=None, **values):
    _require_unique_name(Team, values, None, "team")
    return _create(Team, "team", TEAM_FIELDS, values, actor)


def update_team(team, values, actor=None):
    values = dict(values)
    _require_unique_name(Team, values, team.id, "team")
    return _update(team, "team", TEAM_FIELDS, values, actor)


def create_service(actor=None, **values):
    _require_unique_name(Service, values, None, "service")
    return _create(Service, "service", SERVICE_FIELDS, values, actor)


def update_service(service, values, actor=None):
    values = dict(values)
    _require_unique_name(Service, values, service.id, "service")
    return _update(service, "service", SERVICE_FIELDS, values, actor)
