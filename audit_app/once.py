"""A form that creates something creates it once, however often it is posted.

Such a form carries a random token (`audit_app.forms.FormTokenField`), made when the page
is rendered. Acting on a post first inserts the token (`first_post`) in the same
transaction as what it creates, and notes where the post led (`led_to`). The token is the
table's primary key, so a second post of the same form (a double click, three clicks, a
resend from the back button) cannot insert it again: the database makes it wait until the
first commits, then refuses it, and the view sends it to where the first post went
(`repeated`). If the first post fails and rolls back, its token goes with it and the next
post goes ahead.

A post without a token (a client that does not send the form's hidden fields) is acted on
as before, without this protection.
"""

import re
from datetime import timedelta

from flask import flash, redirect
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from audit_app.extensions import db
from audit_app.models import FormPost
from audit_app.timeutil import utcnow

# Tokens are kept this long: long enough for a resend from an old tab.
KEEP_FOR = timedelta(days=30)
ALREADY_DONE = "That form had already been sent, so it was saved only once."
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _token(value):
    """The posted token, or None for a missing or malformed one (acted on without it)."""
    return value if isinstance(value, str) and TOKEN.fullmatch(value) else None


def first_post(token, user):
    """Claim the form's token. True: act on the post. False: it was acted on already, and
    the whole transaction has been rolled back (call this before changing anything)."""
    token = _token(token)
    if token is None:
        return True
    # Only this user's old tokens: other people's posts never wait on this delete.
    db.session.execute(delete(FormPost).where(
        FormPost.user_id == user.id, FormPost.created_at < utcnow() - KEEP_FOR))
    db.session.add(FormPost(token=token, user_id=user.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def led_to(token, path):
    """Note where the first post of this form led, for any later post of it."""
    token = _token(token)
    if token is not None:
        db.session.get(FormPost, token).result_path = path


def earlier_result(token, user, default):
    """Where this user's first post of this form led (`default` if it did not say, or if
    the token was someone else's: a copied token never shows another person's page)."""
    token = _token(token)
    post = db.session.get(FormPost, token) if token is not None else None
    mine = post is not None and post.user_id == user.id
    return (post.result_path if mine else None) or default


def repeated(token, user, default):
    """None for the first post of a form: act on it. For a repeat, a redirect to where the
    first post led (`default` if it did not say), saying it was saved once."""
    if first_post(token, user):
        return None
    flash(ALREADY_DONE)
    return redirect(earlier_result(token, user, default))
