"""Production serving: `make serve` runs gunicorn that really answers, /healthz, and logs as
one JSON object a line with a request id and without query strings or exception text."""

import json
import logging
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from audit_app import logs
from tests.conftest import _make_app

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "s" * 64


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_env(database_url, port, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in {"TEST_DATABASE_URL", "AUDIT_APP_ENV", "SECRET_KEY", "DATABASE_URL"}}
    env.update(DATABASE_URL=database_url, PORT=str(port), WEB_CONCURRENCY="1", **extra)
    return env


def make_serve(env):
    # -o: take the project as installed (the test's own interpreter serves it); -s: no echo.
    return subprocess.Popen(
        ["make", "-s", "-o", ".venv/.installed", "serve", f"BIN={BIN}"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


@contextmanager
def serving(env):
    """`make serve` until the block ends; yields (process, lines of stderr so far)."""
    process = make_serve(env)
    seen = []
    try:
        # gunicorn is listening once it says so: requests wait in the socket's queue for a
        # worker from then on. A process that dies first ends the loop (EOF).
        for line in process.stderr:
            seen.append(line)
            if "Listening at" in line:
                master = int(re.search(r"\((\d+)\)", line).group(1))
                break
        else:
            pytest.fail(f"make serve stopped before listening: {''.join(seen)}")
        yield process, seen
        os.kill(master, signal.SIGTERM)  # as a service manager stops it; make then ends
        process.wait(timeout=40)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def json_lines(output):
    lines = [line for line in output.splitlines() if line.strip()]
    for line in lines:
        assert line.startswith("{"), f"not a JSON line: {line!r}"
    return [json.loads(line) for line in lines]


def test_make_serve_answers_and_logs_json_lines(database_url):
    port = free_port()
    env = serve_env(database_url, port, AUDIT_APP_ENV="production", SECRET_KEY=SECRET)
    url = f"http://127.0.0.1:{port}"
    with serving(env) as (process, stderr_seen):
        health = requests.get(f"{url}/healthz", timeout=30)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert len(health.headers["X-Request-ID"]) == 32
        tagged = requests.get(f"{url}/healthz?reference=LCS-999123", timeout=30,
                              headers={"X-Request-ID": "proxy-req-0001"})
        assert tagged.headers["X-Request-ID"] == "proxy-req-0001"
        sign_in = requests.get(f"{url}/sign-in", timeout=30)
        assert sign_in.status_code == 200 and "<h1" in sign_in.text
        assert "Secure" in sign_in.headers["Set-Cookie"]  # production cookies
        assert requests.get(f"{url}/no-such-page?name=Jo", timeout=30).status_code == 404
        too_long = requests.get(f"{url}/cases/?q=LCS-888777{'x' * 5000}", timeout=30)
        assert too_long.status_code == 414  # gunicorn's own refusal, logged by gunicorn
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    errors = json_lines("".join(stderr_seen) + err)
    access = json_lines(out)
    assert {line["logger"] for line in errors} <= {"gunicorn.error", "audit_app", "root"}
    assert [(a["method"], a["path"], a["status"]) for a in access] == [
        ("GET", "/healthz", 200), ("GET", "/healthz", 200), ("GET", "/sign-in", 200),
        ("GET", "/no-such-page", 404)]
    assert access[1]["request_id"] == "proxy-req-0001"
    assert all(len(a["request_id"]) >= 8 and a["duration_ms"] >= 0 for a in access)
    assert "LCS-999123" not in out + err and "Jo" not in out  # query strings never logged
    assert not any("127.0.0.1" in json.dumps(a) for a in access)  # nor client addresses
    assert {"Invalid request: Request Line is too large"} <= {e["message"] for e in errors}
    logged = "".join(stderr_seen) + err
    assert "LCS-888777" not in logged and "ip=" not in logged


def test_make_serve_refuses_to_start_in_production_without_a_secret_key(database_url):
    env = serve_env(database_url, free_port(), AUDIT_APP_ENV="production")
    process = make_serve(env)
    out, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "SECRET_KEY is not set" in err


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    for name in ("PORT", "BIND_ADDRESS", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["workers"] == os.cpu_count() * 2 + 1
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"  # only a proxy on this machine
    assert settings["preload_app"] is True and settings["timeout"] > 0
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("BIND_ADDRESS", "10.0.0.5")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.2")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "10.0.0.5:9000"
    assert settings["forwarded_allow_ips"] == "10.0.0.2"


# -- /healthz ---------------------------------------------------------------------------


def test_healthz_is_ok_at_the_newest_migration(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def behind_on_migrations(app):
    """The code's newest migration is one the database has not had (the database itself is
    left alone: the test databases keep their alembic_version between tests)."""
    app.extensions["migration_heads"] = frozenset({"9999"})


def test_healthz_is_unavailable_behind_on_migrations_and_says_no_more(app, client, caplog):
    behind_on_migrations(app)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}
    assert "migrations not at head" in caplog.text  # the reason is for the log only


def test_healthz_is_unavailable_without_the_database(tmp_path):
    app = _make_app(f"sqlite:///{tmp_path}/no/such/folder/audit.db")
    with app.app_context():
        response = app.test_client().get("/healthz")
        assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


# -- log lines ------------------------------------------------------------------------------


def test_an_exception_is_logged_by_class_and_place_never_its_text():
    try:
        raise ValueError("Key (reference)=(LCS-123456) already exists")
    except ValueError:
        record = logging.LogRecord("audit_app", logging.ERROR, __file__, 1, "save failed: %s",
                                   ("audit 7",), sys.exc_info())
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["message"] == "save failed: audit 7"
    assert line["exception"] == "ValueError"
    assert line["where"][-1].startswith("test_serving.py:")
    assert "LCS-123456" not in json.dumps(line)


def test_each_request_gets_an_id_on_its_log_lines(app, client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/healthz", headers={"X-Request-ID": "not ok!"})  # malformed
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and request_id != "not ok!"
    behind_on_migrations(app)
    client.get("/healthz", headers={"X-Request-ID": "lb-0123456789"})
    (record,) = [r for r in caplog.records if r.getMessage().startswith("health check failed")]
    assert record.request_id == "lb-0123456789"
    assert json.loads(logs.JsonFormatter().format(record))["request_id"] == "lb-0123456789"
