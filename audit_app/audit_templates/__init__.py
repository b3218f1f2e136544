from flask import Blueprint

bp = Blueprint("audit_templates", __name__)

from audit_app.audit_templates import routes  # noqa: E402,F401
