"""Security baseline: response headers, idle session timeout, safe redirects."""

import secrets
from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.datastructures import MultiDict

from audit_app.extensions import db
from audit_app.models import KeptPost
from audit_app.timeutil import utcnow

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def set_security_headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if current_user and current_user.is_authenticated:
        # Pages about children's cases must not be kept in shared caches or the back button.
        response.headers["Cache-Control"] = "no-store"
    return response


def start_session():
    """Renew the session at sign-in: nothing from before survives into the signed-in session."""
    session.clear()
    session.permanent = True
    session["last_seen"] = utcnow().timestamp()


def enforce_idle_timeout():
    """End the session after IDLE_TIMEOUT without a request, whatever the cookie says."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    last_seen = session.get("last_seen")
    limit = current_app.config["IDLE_TIMEOUT"].total_seconds()
    if last_seen is None or now - last_seen > limit:
        if request.headers.get("X-Autosave"):
            # A background save: say so, and leave the session for the user's own next post,
            # which is then kept across the sign-in (its CSRF token still needs the session).
            return jsonify(saved=False, signed_out=True, message=(
                "Not saved: your session has timed out. Select Save as draft to sign in "
                "again; what you typed will be kept.")), 401
        target = request.full_path.rstrip("?")
        if request.method == "POST":
            target = keep_post(current_user.id)
        logout_user()
        session.clear()
        minutes = int(limit // 60)
        flash(f"Your session timed out after {minutes} minute{'s' if minutes != 1 else ''} "
              "without activity. Sign in again.")
        return redirect(url_for("auth.sign_in", next=target))
    session["last_seen"] = now
    session.permanent = True
    return None


def keep_post(user_id):
    """Keep a form posted after the timeout; return where to go back to after sign-in.

    The page gets `?kept=<token>` and can show what was typed (see `kept_form_data`).
    """
    token = secrets.token_urlsafe(32)
    fields = [[k, v] for k, v in request.form.items(multi=True) if k != "csrf_token"]
    db.session.add(KeptPost(token=token, user_id=user_id, path=request.path, fields=fields))
    db.session.commit()
    return f"{request.path}?kept={token}"


def kept_form_data():
    """The form data kept for this page and user at a timeout, once; None if there is none."""
    token = request.args.get("kept")
    if not token or not current_user.is_authenticated:
        return None
    kept = db.session.get(KeptPost, token)
    if kept is None or kept.user_id != current_user.id or kept.path != request.path:
        return None
    data = MultiDict([tuple(pair) for pair in kept.fields])
    db.session.delete(kept)
    db.session.commit()
    return data


def show_kept_problems(form):
    """Check a kept form to show what is wrong with what was typed. Its CSRF token was not
    kept (the page has a new one), so that field's complaint is not the user's problem."""
    form.validate()
    if "csrf_token" in form:
        form.csrf_token.errors = []


def is_safe_next(target):
    """Only same-site relative paths are followed after sign-in (no open redirects)."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target
