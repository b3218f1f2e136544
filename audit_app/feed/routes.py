"""The feed's endpoints: read-only JSON and CSV for business-intelligence tools.

- /feed/measures.json, .csv: the measures command's figures (audit_app/measures/compute.py),
  for `period` and at most one of team, service, template, auditor or cohort, optionally
  `by` and `measure` (repeatable), exactly as `flask --app wsgi measures --json` takes them;
- /feed/audits.json, .csv: audit-level facts (audit_app/feed/facts.py), optionally for a
  `period` and one of team, service, template or cohort, streamed.
"""

import json
from datetime import date

from flask import Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from audit_app import downloads
from audit_app.extensions import db
from audit_app.feed import access, bp, facts, params
from audit_app.measures.compute import KEYS

JSON_CHUNK = 64 * 1024  # characters of a streamed JSON list sent at a time


@bp.before_request
def authorise():
    g.feed_reader, refusal = access.reader()
    return refusal


@bp.after_request
def not_kept(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(params.BadParameter)
def bad_parameter(error):
    return access.problem(400, error.message, error.parameter)


def http_error(error):
    if error.code >= 500:
        db.session.rollback()
    return access.problem(error.code, error.description)


# By code as well: Flask tries the app's handlers for a code (its HTML error pages, such as
# the one for a control character in the address) before any handler without one.
bp.register_error_handler(HTTPException, http_error)
for _code in (400, 401, 403, 404, 405, 409, 413, 500):
    bp.register_error_handler(_code, http_error)


@bp.get("/measures.json")
def measures_json():
    _period, results = params.measures(request.args, g.feed_reader.id)
    return access.json_response([result.as_dict() for result in results])


@bp.get("/measures.csv")
def measures_csv():
    period, results = params.measures(request.args, g.feed_reader.id)
    rows = [list(result.as_dict().values()) for result in results]
    return downloads.csv_response(f"measures-{period.code}.csv", KEYS, rows)


def _streamed(chunks, mimetype, filename):
    """A response whose body is made as it is sent. The request's app context (and database
    session) has ended by then, so each piece is made in an app context of its own, which
    ends before the piece is handed on: nothing is left pushed while the server sends it."""
    app = current_app._get_current_object()

    def body():
        pieces = chunks()
        while True:
            with app.app_context():
                piece = next(pieces, None)
            if piece is None:
                return
            yield piece

    return Response(body(), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def _facts_filename(period, extension):
    return f"audits-{period.code if period else 'all'}.{extension}"


def _json_value(value):
    return value.isoformat() if isinstance(value, date) else value


def _json_list(rows):
    """A JSON list of `rows` (dicts) in pieces of about JSON_CHUNK characters."""
    buffer, size, separator = ["["], 1, "\n"
    for row in rows:
        text = separator + json.dumps({k: _json_value(v) for k, v in row.items()})
        buffer.append(text)
        size += len(text)
        separator = ",\n"
        if size >= JSON_CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    buffer.append("\n]\n")
    yield "".join(buffer)


def _csv_cell(value):
    """Yes/no as 1/0, so a spreadsheet's SUM of a column counts it."""
    return int(value) if isinstance(value, bool) else value


@bp.get("/audits.json")
def audits_json():
    period, scope = params.fact_scope(request.args, g.feed_reader.id)
    return _streamed(lambda: _json_list(facts.rows(scope)), "application/json",
                     _facts_filename(period, "json"))


@bp.get("/audits.csv")
def audits_csv():
    period, scope = params.fact_scope(request.args, g.feed_reader.id)
    return _streamed(
        lambda: downloads.csv_chunks(facts.COLUMNS, (
            [_csv_cell(row[column]) for column in facts.COLUMNS]
            for row in facts.rows(scope))),
        "text/csv", _facts_filename(period, "csv"))
