from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from audit_app.dashboard import routes  # noqa: E402,F401
