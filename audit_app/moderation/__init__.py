from flask import Blueprint

bp = Blueprint("moderation", __name__)

from audit_app.moderation import round_routes, rounds, routes_moderate  # noqa: E402,F401


@bp.context_processor
def _reasons():
    """Sample pages show why an audit was chosen without giving a blind grade away."""
    return {"shown_reason": rounds.shown_reason}
