"""Personal API tokens: made, revoked and checked here, and nowhere else.

A token is "cfa_" and 43 characters from `secrets.token_urlsafe(32)` (256 random bits). Only
its SHA-256 hash is stored, and a presented token is found by its hash: with that much
entropy a fast hash is enough (there is nothing to guess), and the lookup never compares the
token itself, so its timing tells nothing about it. The token is shown once, in the answer
to the form that made it.

A token is checked, and its last use stamped, by one UPDATE: it must exist, not be revoked,
not have expired, and its owner must be active and hold a role that may read the feed. A
token revoked, or an owner deactivated, in another transaction is refused from the moment
that commits. Every use, and every refusal of a known token, writes an event.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import ApiToken, User, UserRole
from audit_app.templating import format_date
from audit_app.timeutil import utcnow

# Who may hold tokens and read the feed.
FEED_ROLES = ("leader", "admin")
PREFIX = "cfa_"  # "case file audit": says what a token is for wherever it is pasted
SHAPE = re.compile(PREFIX + r"[A-Za-z0-9_-]{43}")
# How long a new token lasts: days -> words. A year at most, so a forgotten token dies.
LIFETIMES = {30: "30 days", 90: "90 days", 180: "6 months", 365: "1 year"}
NAME_LENGTH = 80  # ApiToken.name
# Active tokens one person may hold: enough for a few reports, few enough to keep track of.
MAX_ACTIVE = 10
# How much of the address a use's event keeps.
PATH_KEPT = 500


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class TooManyTokens(Exception):
    pass


def active_tokens(user, now=None):
    now = now or utcnow()
    return db.session.scalar(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now))


def issue(user, name, days, now=None):
    """Make a token for `user`: (ApiToken, the token), the token to be shown once and
    forgotten. Only the feed's roles may hold one; the caller commits."""
    if not user.has_role(*FEED_ROLES):
        raise PermissionError("only leaders and admins may hold API tokens")
    if days not in LIFETIMES:
        raise ValueError(f"a token lasts one of {', '.join(map(str, LIFETIMES))} days")
    now = now or utcnow()
    if active_tokens(user, now) >= MAX_ACTIVE:
        raise TooManyTokens
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret),
                     created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("api_token", token.id, "created", actor=user,
           after={"name": name, "expires_at": token.expires_at.isoformat()})
    return token, secret


def revoke(token_id, user, now=None):
    """Revoke one of `user`'s tokens (one UPDATE, so two revocations at once are one).
    True if this revoked it; False if it was revoked already; LookupError if it is not
    theirs. The caller commits."""
    now = now or utcnow()
    revoked = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id,
               ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if revoked:
        record("api_token", token_id, "revoked", actor=user)
        return True
    owner = db.session.scalar(select(ApiToken.user_id).where(ApiToken.id == token_id))
    if owner != user.id:
        raise LookupError(token_id)
    return False


class Refused(Exception):
    """Why a presented token does not let its bearer in, in words for the bearer."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _may_read_feed():
    """SQL: the ids of active users holding a role that may read the feed."""
    return (select(UserRole.user_id).join(User, User.id == UserRole.user_id)
            .where(User.active.is_(True), UserRole.role.in_(FEED_ROLES)))


def _why_refused(found, now):
    if found is None:
        return Refused("This token is not recognised. Check it was copied whole, or create a "
                       "new one on your account page.")
    if found.revoked_at is not None:
        return Refused(f"This token was revoked on {format_date(found.revoked_at)}. Create a "
                       "new one on your account page.")
    if found.expires_at <= now:
        return Refused(f"This token expired on {format_date(found.expires_at)}. Create a new "
                       "one on your account page.")
    if not found.user.active:
        return Refused("This token's owner has been deactivated.")
    return Refused("This token's owner no longer has the leader or administrator role.")


def authenticate(token, used_for, now=None):
    """The user a presented token stands for, its use stamped and logged; Refused saying
    why not (a known token's refusal is logged too). The caller commits either way."""
    now = now or utcnow()
    if not isinstance(token, str) or not SHAPE.fullmatch(token):
        raise Refused("The Authorization header must be \"Bearer\" followed by a personal API "
                      "token from your account page.")
    hashed = token_hash(token)
    used = db.session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hashed, ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > now, ApiToken.user_id.in_(_may_read_feed()))
        .values(last_used_at=now)
        .returning(ApiToken.id, ApiToken.user_id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    path = used_for[:PATH_KEPT]
    if used is not None:
        user = db.session.get(User, used.user_id)
        record("api_token", used.id, "used", actor=user, after={"path": path})
        return user
    found = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hashed))
    refusal = _why_refused(found, now)
    if found is None:
        current_app.logger.warning("feed: an unknown API token was refused")
    else:
        record("api_token", found.id, "refused", actor=found.user, after={"path": path},
               note=refusal.message)
    raise refusal
