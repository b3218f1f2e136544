"""Changing users, teams and services, each change recorded in the event log."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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


def _flush(field, message):
    """Write now: a name or email someone took a moment ago (a double click on Create, two
    admins at once) is then a DuplicateError from the unique index, not a failed commit."""
    try:
        db.session.flush()
    except IntegrityError:
        raise DuplicateError(field, message) from None


def _taken(model, column, value, exclude_id=None):
    query = select(model.id).where(column == value)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def _apply(obj, fields, values):
    for name in fields:
        if name in values:
            setattr(obj, name, values[name])


def _update(obj, entity_type, fields, values, actor, duplicate):
    """Apply values to obj and record only what changed."""
    before = snapshot(obj, fields)
    _apply(obj, fields, values)
    _flush(*duplicate)
    before, after = changes(before, snapshot(obj, fields))
    if after:
        action = "deactivated" if after.get("active") is False else "updated"
        record(entity_type, obj.id, action, before=before, after=after, actor=actor)
    return obj


def _require_unique_name(model, values, exclude_id, label):
    """Refuse a name in use now; returns the DuplicateError for one taken a moment later."""
    if "name" in values:
        values["name"] = values["name"].strip()
    duplicate = ("name", f"A {label} called {values.get('name')} already exists")
    if "name" in values and _taken(model, model.name, values["name"], exclude_id=exclude_id):
        raise DuplicateError(*duplicate)
    return duplicate


def _create(model, entity_type, fields, values, actor, duplicate):
    obj = model(**values)
    db.session.add(obj)
    _flush(*duplicate)
    record(entity_type, obj.id, "created", after=snapshot(obj, fields), actor=actor)
    return obj


def create_user(*, email, name, roles, password=None, team_id=None, active=True, actor=None):
    email = User.normalise_email(email)
    duplicate = ("email", f"A user with the email address {email} already exists")
    if _taken(User, User.email, email):
        raise DuplicateError(*duplicate)
    user = User(email=email, name=name.strip(), team_id=team_id, active=active)
    user.roles = roles
    if password is not None:  # None: signs in with single sign-on only
        user.set_password(password)
    db.session.add(user)
    _flush(*duplicate)
    record("user", user.id, "created", after=snapshot(user, USER_FIELDS), actor=actor)
    return user


def update_user(user, values, actor=None):
    values = dict(values)
    email = User.normalise_email(values.get("email", user.email))
    duplicate = ("email", f"A user with the email address {email} already exists")
    if "email" in values:
        values["email"] = email
        if _taken(User, User.email, email, exclude_id=user.id):
            raise DuplicateError(*duplicate)
    was_active = user.active
    _update(user, "user", USER_FIELDS, values, actor, duplicate)
    if was_active and not user.active:
        user.end_sessions()  # signed out now, and not back in if reactivated later
    return user


def create_team(actor=None, **values):
    duplicate = _require_unique_name(Team, values, None, "team")
    return _create(Team, "team", TEAM_FIELDS, values, actor, duplicate)


def update_team(team, values, actor=None):
    values = dict(values)
    duplicate = _require_unique_name(Team, values, team.id, "team")
    return _update(team, "team", TEAM_FIELDS, values, actor, duplicate)


def create_service(actor=None, **values):
    duplicate = _require_unique_name(Service, values, None, "service")
    return _create(Service, "service", SERVICE_FIELDS, values, actor, duplicate)


def update_service(service, values, actor=None):
    values = dict(values)
    duplicate = _require_unique_name(Service, values, service.id, "service")
    return _update(service, "service", SERVICE_FIELDS, values, actor, duplicate)
