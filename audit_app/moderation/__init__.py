from flask import Blueprint

bp = Blueprint("moderation", __name__)

# isort: off
from audit_app.moderation import routes_moderate  # noqa: E402,F401
from audit_app.moderation import round_routes  # noqa: E402,F401
# isort: on
