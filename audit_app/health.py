"""/healthz for the load balancer and monitoring: the database answers and its schema is at
the newest migration. It says only "ok" or "unavailable" (the reason goes to the log), so
it tells a stranger nothing about the versions or the database behind it."""

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from audit_app.extensions import db

bp = Blueprint("health", __name__)


def migration_heads():
    """The newest revision(s) in migrations/ (read once per process)."""
    heads = current_app.extensions.get("migration_heads")
    if heads is None:
        directory = current_app.extensions["migrate"].directory
        heads = frozenset(ScriptDirectory(directory).get_heads())
        current_app.extensions["migration_heads"] = heads
    return heads


def problem():
    """None when healthy, else a short reason for the log."""
    try:
        with db.engine.connect() as conn:
            applied = frozenset(conn.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError as error:
        return f"database: {type(error).__name__}"
    if applied != migration_heads():
        return "database: migrations not at head"
    return None


@bp.route("/healthz")
def healthz():
    reason = problem()
    if reason is not None:
        current_app.logger.error("health check failed: %s", reason)
        response = jsonify(status="unavailable")
        response.status_code = 503
    else:
        response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
