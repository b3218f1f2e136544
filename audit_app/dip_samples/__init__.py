from flask import Blueprint

bp = Blueprint("dip_samples", __name__)

from audit_app.dip_samples import routes  # noqa: E402,F401
