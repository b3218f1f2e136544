from flask import Blueprint

bp = Blueprint("moderation", __name__)

from audit_app.moderation import round_routes, routes_moderate  # noqa: E402,F401
