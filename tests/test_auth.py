"""Signing in and out, lockout, idle timeout and password changes."""

from datetime import timedelta

from audit_app.extensions import db
from audit_app.models import Event
from tests.conftest import TEST_PASSWORD


def sign_in(client, email, password=TEST_PASSWORD):
    return client.submit("/sign-in", {"email": email, "password": password})


def test_sign_in_shows_home_for_the_role(client, users):
    response = sign_in(client, "AUDITOR@example.org.uk")
    assert response.status_code == 302
    home = client.get(response.headers["Location"])
    assert home.soup.h1.get_text() == "Home"
    assert "Audits to complete" in home.text
    assert "Administration" not in home.text


def test_wrong_password_and_unknown_email_get_the_same_error(client, users):
    wrong = client.submit("/sign-in", {"email": "auditor@example.org.uk", "password": "nope"})
    unknown = client.submit("/sign-in", {"email": "nobody@example.org.uk", "password": "nope"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert response.soup.title.get_text().startswith("Error: Sign in")
        summary = response.soup.select_one(".govuk-error-summary").get_text()
        assert "Enter a correct email address and password" in summary
    assert wrong.soup.select_one(".govuk-error-summary").get_text() == (
        unknown.soup.select_one(".govuk-error-summary").get_text()
    )


def test_empty_sign_in_form_names_each_missing_field(client, users):
    response = client.submit("/sign-in", {"email": "", "password": ""})
    links = [a["href"] for a in response.soup.select(".govuk-error-summary a")]
    assert links == ["#email", "#password"]
    assert "Enter your email address" in response.text


def test_five_failures_lock_the_account_for_15_minutes(client, users, app, monkeypatch):
    from audit_app.auth import services

    for _ in range(5):
        sign_in(client, "auditor@example.org.uk", "wrong")
    db.session.refresh(users["auditor"])
    assert users["auditor"].locked_until is not None
    # The right password is refused while locked.
    response = sign_in(client, "auditor@example.org.uk")
    assert response.status_code == 200
    assert db.session.scalar(db.select(Event).where(Event.action == "locked")) is not None
    # Sixteen minutes later the right password works again.
    later = users["auditor"].locked_until + timedelta(minutes=1)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    response = sign_in(client, "auditor@example.org.uk")
    assert response.status_code == 302


def test_four_failures_then_success_resets_the_count(client, users):
    for _ in range(4):
        sign_in(client, "auditor@example.org.uk", "wrong")
    response = sign_in(client, "auditor@example.org.uk")
    assert response.status_code == 302
    db.session.refresh(users["auditor"])
    assert users["auditor"].failed_logins == 0


def test_deactivated_user_cannot_sign_in(client, users):
    users["auditor"].active = False
    db.session.commit()
    response = sign_in(client, "auditor@example.org.uk")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.text


def test_session_ends_after_30_minutes_idle(client, login, monkeypatch):
    from audit_app import security

    login("auditor")
    assert client.get("/").status_code == 200
    start = security.utcnow()
    monkeypatch.setattr(security, "utcnow", lambda: start + timedelta(minutes=29))
    assert client.get("/").status_code == 200  # activity renews the idle clock
    monkeypatch.setattr(security, "utcnow", lambda: start + timedelta(minutes=58))
    assert client.get("/").status_code == 200
    monkeypatch.setattr(security, "utcnow", lambda: start + timedelta(minutes=89))
    response = client.get("/admin/users?x=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    follow = client.get(response.headers["Location"])
    assert "Your session timed out" in follow.text


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, users):
    data = {"email": "admin@example.org.uk", "password": TEST_PASSWORD}
    response = client.submit("/sign-in?next=/admin/users", data)
    assert response.headers["Location"] == "/admin/users"
    client.post("/sign-out", data={"csrf_token": client.get("/").soup.find(
        "input", attrs={"name": "csrf_token"})["value"]})
    response = client.submit("/sign-in?next=//evil.example/", data)
    assert response.headers["Location"] == "/"


def test_sign_in_renews_the_session(client, users):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "auditor@example.org.uk")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_sign_out_needs_a_post_and_ends_the_session(client, login):
    login("auditor")
    assert client.get("/sign-out").status_code == 405
    token = client.get("/").soup.find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_change_password(client, login, users):
    login("auditor")
    bad = client.submit(
        "/account/password",
        {"current_password": "wrong", "new_password": "short", "confirm_password": "other"},
    )
    errors = bad.soup.select_one(".govuk-error-summary").get_text()
    assert "Your current password is not right" in errors
    assert "New password must be 12 characters or more" in errors
    assert "The passwords do not match" in errors
    good = client.submit(
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "new_password": "a-much-longer-password",
            "confirm_password": "a-much-longer-password",
        },
    )
    assert good.status_code == 302
    assert client.get("/").status_code == 200  # this session carries on
    db.session.refresh(users["auditor"])
    assert users["auditor"].check_password("a-much-longer-password")
    assert db.session.scalar(db.select(Event).where(Event.action == "password_changed"))


def test_password_change_ends_other_sessions(app, login, users):
    from tests.pages import CheckingClient

    app.test_client_class = CheckingClient
    other = app.test_client()
    other.submit("/sign-in", {"email": "auditor@example.org.uk", "password": TEST_PASSWORD})
    assert other.get("/").status_code == 200
    login("auditor")
    users["auditor"].set_password("another-long-password")
    db.session.commit()
    assert other.get("/").status_code == 302


def test_passwords_are_hashed_with_scrypt(users):
    assert users["admin"].password_hash.startswith("scrypt:")
    assert TEST_PASSWORD not in users["admin"].password_hash
