"""Who may sign in with a password, and the sign-in settings an admin may choose.

Passwords can be turned off for everyone except one named break-glass admin, who can still
get in when the single sign-on provider is down or misconfigured.
"""

from flask import current_app

from audit_app.extensions import db
from audit_app.models import User
from audit_app.settings import get_setting


def sso_configured():
    return bool(current_app.config.get("OIDC_ISSUER") and current_app.config.get("OIDC_CLIENT_ID"))


def passwords_on():
    """Passwords may be turned off only while single sign-on is set up: if its settings are
    ever lost, everyone can still sign in with a password (as the settings page says)."""
    return not sso_configured() or get_setting("local_passwords") == "on"


def break_glass_admin():
    """The named break-glass admin, or None (none named, or no such user)."""
    user_id = get_setting("break_glass_admin")
    return db.session.get(User, int(user_id)) if user_id else None


def password_sign_in_allowed(user):
    """Passwords on: anyone may use one. Off: only the break-glass admin."""
    if passwords_on():
        return True
    admin = break_glass_admin()
    return admin is not None and admin.id == user.id


def can_be_break_glass(user):
    """An active admin with a password: the only kind who could get in that way."""
    return user.active and user.has_role("admin") and bool(user.password_hash)


def sign_in_settings_problems(local_passwords, break_glass):
    """What is wrong with turning passwords `local_passwords` with `break_glass` (a User or
    None) as the break-glass admin: [(field, message)], empty when it may be saved.

    Turning passwords off without single sign-on, or without a break-glass admin who could
    sign in, would lock everyone out.
    """
    problems = []
    if break_glass is not None and not can_be_break_glass(break_glass):
        problems.append(("break_glass_admin", "The break-glass administrator must be an active "
                                              "administrator with a password"))
    if local_passwords == "off":
        if not sso_configured():
            problems.append(("local_passwords", "Passwords can only be turned off when single "
                                                "sign-on is set up (OIDC_ISSUER and "
                                                "OIDC_CLIENT_ID)"))
        if break_glass is None:
            problems.append(("break_glass_admin", "Choose a break-glass administrator before "
                                                  "turning passwords off"))
    return problems
