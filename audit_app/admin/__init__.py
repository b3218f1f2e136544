from flask import Blueprint

bp = Blueprint("admin", __name__)

from audit_app.admin import routes, target_routes  # noqa: E402,F401
