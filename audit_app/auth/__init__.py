from flask import Blueprint

bp = Blueprint("auth", __name__)

from audit_app.auth import api_tokens, routes  # noqa: E402,F401


def init_login_manager(manager):
    from audit_app.extensions import db
    from audit_app.models import User

    manager.login_view = "auth.sign_in"
    manager.login_message = "Sign in to continue."
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(token):
        user_id, _, version = token.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or str(user.session_version) != version:
            return None
        return user
