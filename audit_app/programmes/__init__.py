from flask import Blueprint

bp = Blueprint("programmes", __name__)

from audit_app.programmes import routes  # noqa: E402,F401
