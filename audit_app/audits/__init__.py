from flask import Blueprint

bp = Blueprint("audits", __name__)
from audit_app.audits import routes  # noqa: E402,F401
