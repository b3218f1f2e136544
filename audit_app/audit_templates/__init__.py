from flask import Blueprint

bp = Blueprint("audit_templates", __name__)
