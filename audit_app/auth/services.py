"""Sign-in rules: lockout after repeated failures, without revealing which part was wrong
(by the message or by the time taken)."""

from functools import lru_cache

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from audit_app.auth.policy import password_sign_in_allowed
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import User
from audit_app.models.users import DEFAULT_PASSWORD_METHOD
from audit_app.timeutil import utcnow


def find_user(email):
    return db.session.scalar(select(User).where(User.email == User.normalise_email(email)))


def is_locked(user, now):
    return user.locked_until is not None and user.locked_until > now


@lru_cache(maxsize=4)
def _dummy_hash(method):
    return generate_password_hash("not anyone's password", method=method)


def password_matches(user, password):
    """Check the password against the user's hash, or against a dummy hash of the same cost
    when there is no such user (or no password): every attempt takes as long as any other,
    so the time taken does not tell whether an account exists."""
    if user is not None and user.password_hash:
        return check_password_hash(user.password_hash, password)
    method = current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_METHOD)
    check_password_hash(_dummy_hash(method), password)
    return False


def count_failure(user, now):
    """Count a failed attempt in the database (parallel attempts each count) and lock the
    account at the limit. Returns the count after this attempt."""
    failed = db.session.execute(
        update(User).where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if failed >= current_app.config["MAX_FAILED_LOGINS"]:
        locked = db.session.execute(
            update(User)
            .where(User.id == user.id,
                   User.failed_logins >= current_app.config["MAX_FAILED_LOGINS"])
            .values(locked_until=now + current_app.config["LOCKOUT_PERIOD"], failed_logins=0)
            .execution_options(synchronize_session=False)
        ).rowcount
        if locked:  # only the attempt that locked it logs it
            record("user", user.id, "locked", note="Too many failed sign-in attempts",
                   actor=user)
    db.session.expire(user, ["failed_logins", "locked_until"])
    return failed


def authenticate(email, password, now=None):
    """Return the user if the email and password are right and the account usable, else None.

    Failures are counted per account; the fifth in a row locks it for the lockout period,
    during which even the right password is refused. When an admin has turned passwords
    off, only the break-glass admin gets in (audit_app/auth/policy.py). The caller commits.
    """
    now = now or utcnow()
    user = find_user(email)
    matches = password_matches(user, password)  # always, for even timing
    if user is None or is_locked(user, now):
        return None
    if not matches or not user.active:
        count_failure(user, now)
        return None
    if not password_sign_in_allowed(user):
        return None
    user.failed_logins = 0
    user.locked_until = None
    return user

