"""Sessions and sign-in under attack: a copied cookie after sign-out, a forgeable demo key,
parallel password guessing, and telling known emails from unknown ones by time."""

import re
import stat
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from werkzeug.serving import make_server

from audit_app import create_app
from audit_app.admin import services as admin
from audit_app.auth import services
from audit_app.extensions import db
from audit_app.kept_secrets import kept_secret
from audit_app.models import Event, User
from tests.conftest import TEST_PASSWORD, _make_app

# --- a signed-out session cannot be replayed -------------------------------------------------


def _csrf(page):
    return page.soup.find("input", attrs={"name": "csrf_token"})["value"]


def _copy_of(client):
    """Another browser holding a copy of `client`'s session cookie."""
    other = client.application.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _signed_in(client):
    response = client.get("/")
    return response.status_code == 200 and "Signed in as" in response.text


def test_a_copied_cookie_does_not_sign_in_after_sign_out(client, login):
    login("auditor")
    copy = _copy_of(client)
    assert _signed_in(copy)  # the copy works while the session lives
    client.post("/sign-out", data={"csrf_token": _csrf(client.get("/"))})
    assert not _signed_in(client)
    response = copy.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert db.session.scalar(db.select(Event).where(Event.action == "signed_out"))


def test_deactivation_ends_sessions_for_good(client, login, users):
    login("auditor")
    copy = _copy_of(client)
    admin.update_user(users["auditor"], {"active": False})
    db.session.commit()
    assert not _signed_in(copy)
    admin.update_user(users["auditor"], {"active": True})  # reactivated later
    db.session.commit()
    assert not _signed_in(copy) and not _signed_in(client)


def test_two_sign_outs_at_once_both_count(app, users):
    """The generation is counted by the database: bumps from two requests that each read
    the same generation both land."""
    from sqlalchemy.orm import Session

    auditor = users["auditor"]
    start = auditor.session_version
    with Session(db.engine) as other_request:
        stale = other_request.get(User, auditor.id)
        assert stale.session_version == start
        auditor.end_sessions()
        db.session.commit()
        stale.end_sessions()
        other_request.commit()
    db.session.refresh(auditor)
    assert auditor.session_version == start + 2


# --- the development secret key ----------------------------------------------------------------


def _dev_app(key_file):
    return create_app("development", {"SECRET_KEY": None, "SECRET_KEY_FILE": key_file,
                                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_make_run_makes_a_random_key_on_first_run_and_keeps_it(tmp_path):
    key_file = tmp_path / "instance" / "secret-key.txt"
    first = _dev_app(key_file).config["SECRET_KEY"]
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _dev_app(key_file).config["SECRET_KEY"] == first  # kept across runs
    assert _dev_app(tmp_path / "elsewhere.txt").config["SECRET_KEY"] != first
    assert "dev-only-not-secret" not in (tmp_path / "elsewhere.txt").read_text()


def test_processes_starting_together_keep_one_secret(tmp_path):
    path = tmp_path / "secret.txt"
    made = iter(range(1000))
    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(lambda _: kept_secret(path, lambda: f"s{next(made)}"),
                               range(16)))
    assert len(set(values)) == 1 and path.read_text().strip() == values[0]
    assert [p.name for p in tmp_path.iterdir()] == ["secret.txt"]  # nothing left aside


# --- parallel wrong passwords lock the account ---------------------------------------------------


@pytest.fixture
def live_url(database_url):
    """The app served by a real threaded server, as in production, on the test database."""
    from audit_app import demo

    app = _make_app(database_url)
    with app.app_context():
        demo.seed(TEST_PASSWORD)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            db.engine.dispose()


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def test_parallel_wrong_passwords_lock_the_account(live_url):
    base, app = live_url
    attempts = 24
    browsers = [Browser(base) for _ in range(attempts)]
    tokens = [re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', b.get("/sign-in"))
              .group(1) for b in browsers]
    ready = threading.Barrier(attempts)

    def guess(i):
        ready.wait()
        return browsers[i].post("/sign-in", {"csrf_token": tokens[i], "password": f"guess{i}",
                                             "email": "auditor@example.org.uk"})

    with ThreadPoolExecutor(attempts) as pool:
        statuses = list(pool.map(guess, range(attempts)))
    assert statuses == [200] * attempts  # each told "wrong", none a server error
    with app.app_context():
        auditor = db.session.scalar(db.select(User).where(User.email == "auditor@example.org.uk"))
        assert auditor.locked_until is not None
        assert db.session.scalar(db.select(db.func.count(Event.id)).where(
            Event.action == "locked", Event.entity_id == auditor.id)) >= 1
    # Locked: even the right password is refused now.
    right = Browser(base)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      right.get("/sign-in")).group(1)
    assert right.post("/sign-in", {"csrf_token": token, "email": "auditor@example.org.uk",
                                   "password": TEST_PASSWORD}) == 200
    assert "Signed in as" not in right.get("/sign-in")


# --- an unknown email takes as long as a known one -----------------------------------------------


def test_unknown_and_known_emails_both_check_a_hash_of_the_same_cost(
        client, users, monkeypatch):
    checked = []

    def counting(stored, password):
        checked.append(stored.split("$")[0])
        return real(stored, password)

    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", counting)
    for email in ("auditor@example.org.uk", "nobody@example.org.uk"):
        checked.clear()
        client.submit("/sign-in", {"email": email, "password": "wrong"})
        assert checked == [users["auditor"].password_hash.split("$")[0]], email


def test_unknown_and_known_emails_take_about_as_long(app, users):
    """With a costly hash, as in production, timed: generous bounds for a busy machine."""
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:16384:8:1"
    users["auditor"].set_password(TEST_PASSWORD)
    db.session.commit()

    def timed(email):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            with app.test_request_context():
                services.authenticate(email, "wrong")
            db.session.rollback()
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    timed("nobody@example.org.uk")  # the dummy hash is made once, on first use
    known, unknown = timed("auditor@example.org.uk"), timed("nobody@example.org.uk")
    assert unknown > known / 3, (known, unknown)
