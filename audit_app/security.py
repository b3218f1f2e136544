"""Security baseline: response headers, idle session timeout, safe redirects."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

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
        logout_user()
        session.clear()
        flash("Your session timed out after 30 minutes without activity. Sign in again.")
        target = request.full_path if request.method == "GET" else request.path
        return redirect(url_for("auth.sign_in", next=target.rstrip("?")))
    session["last_seen"] = now
    session.permanent = True
    return None


def is_safe_next(target):
    """Only same-site relative paths are followed after sign-in (no open redirects)."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target
