"""Sign-in rules: lockout after repeated failures, without revealing which part was wrong."""

from flask import current_app
from sqlalchemy import select

from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import User
from audit_app.timeutil import utcnow


def find_user(email):
    return db.session.scalar(select(User).where(User.email == User.normalise_email(email)))


def is_locked(user, now):
    return user.locked_until is not None and user.locked_until > now


def authenticate(email, password, now=None):
    """Return the user if the email and password are right and the account usable, else None.

    Failures are counted per account; the fifth in a row locks it for the lockout period,
    during which even the right password is refused. The caller commits.
    """
    now = now or utcnow()
    user = find_user(email)
    if user is None:
        return None
    if is_locked(user, now):
        return None
    if not user.check_password(password) or not user.active:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= current_app.config["MAX_FAILED_LOGINS"]:
            user.locked_until = now + current_app.config["LOCKOUT_PERIOD"]
            user.failed_logins = 0
            record("user", user.id, "locked", note="Too many failed sign-in attempts", actor=user)
        return None
    user.failed_logins = 0
    user.locked_until = None
    return user
