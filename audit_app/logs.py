"""Logs: one JSON object a line, each with the request id, and nothing about a child or a
person beyond an account's number.

Every request gets an id (the proxy's X-Request-ID when it sends a sensible one, else a new
one), returned in the X-Request-ID header and put on every log line written while the
request runs, so a complaint, an access-log line and an error can be matched up.

What is kept out: query strings (a search for a case reference), request bodies, and the
text of exceptions, which can quote database rows (an IntegrityError names the value that
clashed). An exception is logged as its class and where it was raised. The app's own log
messages name records by id, never by reference, name or free text.
"""

import json
import logging
import re
import traceback
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request
from gunicorn import glogging

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
HEADER = "X-Request-ID"


def _where(exc_info):
    """The frames of an exception, innermost last, without its message."""
    frames = traceback.extract_tb(exc_info[2])
    return [f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}"
            for frame in frames[-8:]]


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["where"] = _where(record.exc_info)
        return json.dumps(entry, default=str)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record written during the request."""

    def filter(self, record):
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def assign_request_id():
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def return_request_id(response):
    if "request_id" in g:
        response.headers[HEADER] = g.request_id
    return response


def configure(app):
    """JSON lines on stderr from every logger, and the request id on every request.

    Testing leaves handlers alone (pytest captures the records itself).
    """
    app.before_request(assign_request_id)
    app.after_request(return_request_id)
    root = logging.getLogger()
    if not app.testing and not any(getattr(h, "_audit_json", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        handler._audit_json = True
        root.handlers = [handler]
        root.setLevel(logging.INFO)
    for handler in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


# gunicorn's own words about a bad request name the client's address and quote the request
# line or URI, query string included.
_BAD_REQUEST = re.compile(r"Invalid request from ip=[^:]*: (?P<what>[^'\"(:]*)")


class GunicornRedactFilter(logging.Filter):
    """Keeps client addresses and query strings out of gunicorn's error log."""

    def filter(self, record):
        message = record.getMessage()
        if match := _BAD_REQUEST.match(message):
            record.msg, record.args = f"Invalid request: {match['what'].strip()}", ()
        elif message.startswith("Error handling request "):
            record.msg, record.args = message.split("?", 1)[0], ()
        return True


class GunicornLogger(glogging.Logger):
    """gunicorn's own lines, and one access line a request, as JSON (gunicorn.conf.py).

    The access line has the path without its query string, the status, the time taken, the
    bytes sent and the request id; not the client's address, user agent or referrer.
    """

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())
        self.error_log.addFilter(GunicornRedactFilter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = {name.lower(): value for name, value in resp.headers}
        self.access_log.info("request", extra={"fields": {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "bytes": getattr(resp, "sent", None),
            "request_id": headers.get(HEADER.lower()),
        }})
