"""The feed for business-intelligence tools: measures and audit-level facts as JSON and CSV,
read with a personal API token (audit_app/feed/tokens.py) or a leader's or admin's session."""

from flask import Blueprint

bp = Blueprint("feed", __name__)

from audit_app.feed import routes  # noqa: E402,F401
