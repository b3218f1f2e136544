"""Importing historical audit results from a council's spreadsheets (CSV or XLSX).

read.py reads a file, validate.py checks its rows (pure), existing.py matches them against
what is stored, write.py inserts what is new in bulk, service.py runs the four; routes.py is
the upload page and cli.py the `import-results` command.
"""

from flask import Blueprint

bp = Blueprint("results_import", __name__)

from audit_app.results_import import routes  # noqa: E402,F401
