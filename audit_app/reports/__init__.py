from flask import Blueprint

bp = Blueprint("reports", __name__)

from audit_app.reports import routes  # noqa: E402,F401
