"""Security baseline: headers, CSRF, cookies, production config, error pages."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def test_security_headers_on_every_response(client, login):
    for response in (client.get("/sign-in"), client.get("/no-such-page")):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    login("auditor")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts(client, login):
    assert not client.get("/sign-in").soup.find("script", src=False)
    login("admin")
    for path in ("/", "/admin/users"):
        for script in client.get(path).soup.find_all("script"):
            assert script.get("src"), f"inline script on {path}"


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, users):
    response = client.post(
        "/sign-in", data={"email": "auditor@example.org.uk", "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert "your form could not be sent" in response.text
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_session_cookie_is_httponly_and_samesite(client, users):
    response = client.get("/sign-in")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_debug_is_off():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.DEBUG is False


def _start_production(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "AUDIT_APP_ENV")}
    env.update({"AUDIT_APP_ENV": "production", "DATABASE_URL": "sqlite://", **env_extra})
    return subprocess.run(
        [sys.executable, "-c", "import wsgi; print('started', wsgi.app.debug)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _start_production({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_starts_with_a_secret_key():
    result = _start_production({"SECRET_KEY": "x" * 64})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started False"


def test_not_found_page_is_styled(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.soup.h1.get_text() == "Page not found"


def test_server_error_page_rolls_back(app, client, users):
    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text


def test_oversized_requests_are_refused_before_reading(client, login):
    login("moderator")
    response = client.post("/cases/import", data=b"x" * (11 * 1024 * 1024),
                           content_type="application/octet-stream")
    assert response.status_code == 413
    assert response.soup.h1.get_text() == "The file is too big"
