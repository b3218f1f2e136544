from flask import Blueprint

bp = Blueprint("reports", __name__)

from audit_app.reports import quarterly_routes, routes  # noqa: E402,F401
