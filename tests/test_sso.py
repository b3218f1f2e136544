"""Single sign-on through a real OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py):
who gets in, who is refused, and that a forged or replayed answer gets nobody in."""

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from audit_app.admin import services as admin
from audit_app.extensions import db
from audit_app.models import Event, Notification, User
from audit_app.settings import set_setting
from audit_app.timeutil import utcnow
from tests.conftest import TEST_PASSWORD, _make_app
from tests.oidc_provider import CLIENT_ID, sso_app_config, tamper_claims
from tests.pages import CheckingClient


@pytest.fixture
def app(database_url, oidc_provider):
    """The app with single sign-on pointing at the test provider."""
    app = _make_app(database_url, **sso_app_config(oidc_provider))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def start(client, next_url=None):
    """Press the sign-in button: the redirect to the provider's authorisation page."""
    response = client.get("/sign-in/sso" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def back_to_app(location):
    parts = urlsplit(location)
    assert parts.path == "/sign-in/sso/callback"
    return f"{parts.path}?{parts.query}"


def sso_sign_in(client, provider, sub, next_url=None):
    """The whole journey: our button, the provider's page, back to us. The app's answer."""
    location = provider.sign_in_at_provider(start(client, next_url), sub)
    return client.get(back_to_app(location))


def signed_in_as(client):
    response = client.get("/")
    return response.soup.select_one("header").get_text(" ", strip=True) if (
        response.status_code == 200) else None


def events(action):
    return db.session.scalars(select(Event).where(Event.action == action).order_by(Event.id)).all()


def h1(response):
    return response.soup.h1.get_text(strip=True)


# -- who gets in ---------------------------------------------------------------------------


def test_a_known_person_signs_in_and_is_matched_by_subject_from_then_on(client, users,
                                                                        oidc_provider):
    auditor = users["auditor"]
    oidc_provider.add_person("entra-0001", auditor.email.upper(), "Aisha Auditor")
    response = sso_sign_in(client, oidc_provider, "entra-0001", next_url="/actions/")
    assert response.status_code == 302 and response.headers["Location"] == "/actions/"
    assert "Aisha Auditor" in signed_in_as(client)
    db.session.refresh(auditor)
    assert auditor.sso_subject == "entra-0001"
    assert [e.entity_id for e in events("sso_linked")] == [auditor.id]
    assert events("signed_in")[-1].note == "Single sign-on"
    # The provider later changes the email address (a name change, say): the subject
    # still finds the same account.
    oidc_provider.add_person("entra-0001", "aisha.new-name@example.org.uk", "Aisha Auditor")
    other = client.application.test_client()
    assert sso_sign_in(other, oidc_provider, "entra-0001").status_code == 302
    assert "Aisha Auditor" in signed_in_as(other)
    assert len(events("sso_linked")) == 1


def test_the_flow_uses_pkce_state_and_nonce(client, users, oidc_provider):
    oidc_provider.add_person("entra-pkce", users["leader"].email)
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid email profile"]
    location = oidc_provider.sign_in_at_provider(authorize, "entra-pkce")
    assert client.get(back_to_app(location)).status_code == 302
    (token_request,) = oidc_provider.interceptor.token_requests
    verifier = token_request["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert challenge.decode() == query["code_challenge"][0]


def test_signing_in_renews_the_session_and_signing_out_ends_it(client, users, oidc_provider):
    oidc_provider.add_person("entra-renew", users["manager"].email)
    client.get("/sign-in")
    before = client.get_cookie("session").value
    sso_sign_in(client, oidc_provider, "entra-renew")
    assert client.get_cookie("session").value != before
    copy = client.application.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert signed_in_as(copy)
    token = client.get("/").soup.find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/sign-out", data={"csrf_token": token})
    assert signed_in_as(copy) is None  # the old cookie's session generation has ended


def test_the_idle_timeout_applies(client, users, oidc_provider, monkeypatch):
    oidc_provider.add_person("entra-idle", users["manager"].email)
    sso_sign_in(client, oidc_provider, "entra-idle")
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr("audit_app.security.utcnow", lambda: later)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


# -- who is refused --------------------------------------------------------------------------


def test_an_unknown_person_is_told_to_ask_an_administrator(client, users, oidc_provider):
    oidc_provider.add_person("entra-stranger", "stranger@example.org.uk", "A Stranger")
    count = db.session.scalar(select(db.func.count(User.id)))
    response = sso_sign_in(client, oidc_provider, "entra-stranger")
    assert response.status_code == 403
    assert h1(response) == "You do not have an account yet"
    assert "Ask your administrator to add you" in response.text
    assert "stranger@example.org.uk" in response.text
    assert db.session.scalar(select(db.func.count(User.id))) == count  # nobody was made
    (refused,) = events("sso_refused")
    assert refused.after == {"reason": "unknown", "email": "stranger@example.org.uk",
                             "email_verified": True}
    assert signed_in_as(client) is None


def test_an_unverified_email_finds_no_account(client, users, oidc_provider):
    oidc_provider.add_person("entra-unverified", users["admin"].email, email_verified=False)
    response = sso_sign_in(client, oidc_provider, "entra-unverified")
    assert response.status_code == 403 and h1(response) == "You do not have an account yet"
    db.session.refresh(users["admin"])
    assert users["admin"].sso_subject is None


def test_the_admin_setting_makes_an_account_with_no_role_waiting(client, users, oidc_provider):
    set_setting("sso_unknown_people", "create", 0)
    db.session.commit()
    oidc_provider.add_person("entra-new", "new.starter@example.org.uk", "New Starter")
    response = sso_sign_in(client, oidc_provider, "entra-new")
    assert response.status_code == 403
    assert h1(response) == "Your account is waiting for an administrator"
    user = db.session.scalar(select(User).where(User.email == "new.starter@example.org.uk"))
    assert user.roles == set() and user.sso_subject == "entra-new" and user.password_hash is None
    assert user.name == "New Starter"
    told = db.session.scalars(select(Notification.recipient_id)).all()
    assert told == [users["admin"].id]
    admin_client = client.application.test_client()
    admin_client.submit("/sign-in", {"email": users["admin"].email, "password": TEST_PASSWORD})
    listed = admin_client.get("/admin/users").soup.find("a", string="New Starter")
    assert "Waiting for a role" in listed.find_parent("tr").get_text()
    # Still waiting the next time, and nobody is made twice.
    assert h1(sso_sign_in(client, oidc_provider, "entra-new")) == (
        "Your account is waiting for an administrator")
    assert signed_in_as(client) is None
    # An admin gives them a role: in they come.
    admin.update_user(user, {"roles": {"auditor"}})
    db.session.commit()
    assert sso_sign_in(client, oidc_provider, "entra-new").status_code == 302
    assert "New Starter" in signed_in_as(client)


def test_a_deactivated_account_cannot_sign_in_either_way(client, users, oidc_provider):
    auditor = users["auditor"]
    oidc_provider.add_person("entra-gone", auditor.email)
    admin.update_user(auditor, {"active": False})
    db.session.commit()
    response = sso_sign_in(client, oidc_provider, "entra-gone")
    assert response.status_code == 403 and h1(response) == "Your account has been deactivated"
    assert events("sso_refused")[-1].after == {"reason": "deactivated"}
    password = client.submit("/sign-in", {"email": auditor.email, "password": TEST_PASSWORD})
    assert password.status_code == 200 and "Enter a correct email address" in password.text
    assert signed_in_as(client) is None


def test_another_subject_with_a_linked_email_is_refused(client, users, oidc_provider):
    leader = users["leader"]
    leader.sso_subject = "entra-leader"
    db.session.commit()
    oidc_provider.add_person("entra-impostor", leader.email)
    response = sso_sign_in(client, oidc_provider, "entra-impostor")
    assert response.status_code == 403
    assert h1(response) == "Your sign-in does not match your account"
    assert signed_in_as(client) is None


# -- answers that must not be trusted ----------------------------------------------------


def test_a_token_for_another_audience_is_refused(client, users, oidc_provider):
    oidc_provider.add_person("entra-aud", users["admin"].email)
    authorize = start(client)
    nonce = parse_qs(urlsplit(authorize).query)["nonce"][0]
    # A genuine token from the same provider, same person and nonce, issued to another
    # service: replayed to us, it must not sign anyone in.
    oidc_provider.interceptor.replace_token_response = oidc_provider.tokens_for_another_client(
        "entra-aud", nonce)
    response = client.get(back_to_app(oidc_provider.sign_in_at_provider(authorize, "entra-aud")))
    assert response.status_code == 400 and h1(response) == "Sign-in did not work"
    assert events("sso_refused")[-1].after == {"reason": "id_token:invalid_claim"}
    assert signed_in_as(client) is None
    assert CLIENT_ID != "another-service"


def test_a_tampered_token_is_refused(client, users, oidc_provider):
    oidc_provider.add_person("entra-mallory", "mallory@example.org.uk")
    # Mallory's genuine token, altered on the way to say she is the admin.
    oidc_provider.interceptor.alter_id_token = lambda token: tamper_claims(
        token, sub="entra-admin", email=users["admin"].email)
    response = sso_sign_in(client, oidc_provider, "entra-mallory")
    assert response.status_code == 400 and h1(response) == "Sign-in did not work"
    assert events("sso_refused")[-1].after["reason"].startswith("id_token:")
    assert signed_in_as(client) is None
    db.session.refresh(users["admin"])
    assert users["admin"].sso_subject is None


def test_an_expired_token_is_refused(client, users, oidc_provider):
    oidc_provider.add_person("entra-late", users["admin"].email)
    oidc_provider.interceptor.alter_id_token = lambda token: tamper_claims(token, exp=1)
    response = sso_sign_in(client, oidc_provider, "entra-late")
    assert response.status_code == 400 and signed_in_as(client) is None


def test_a_state_that_does_not_match_is_refused(client, users, oidc_provider):
    oidc_provider.add_person("entra-state", users["admin"].email)
    location = oidc_provider.sign_in_at_provider(start(client), "entra-state")
    code = parse_qs(urlsplit(location).query)["code"][0]
    response = client.get(f"/sign-in/sso/callback?code={code}&state=forged-state")
    assert response.status_code == 400 and h1(response) == "Sign-in did not work"
    assert events("sso_refused")[-1].after == {"reason": "state_mismatch"}
    # Someone else's browser, without our session, cannot use the genuine answer either.
    stranger = client.application.test_client()
    assert stranger.get(back_to_app(location)).status_code == 400
    assert signed_in_as(client) is None and signed_in_as(stranger) is None
    assert oidc_provider.interceptor.token_requests == []  # refused before the code was used


def test_an_answer_is_used_once(client, users, oidc_provider):
    oidc_provider.add_person("entra-once", users["admin"].email)
    callback = back_to_app(oidc_provider.sign_in_at_provider(start(client), "entra-once"))
    assert client.get(callback).status_code == 302
    token = client.get("/").soup.find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/sign-out", data={"csrf_token": token})
    assert client.get(callback).status_code == 400  # the state went with the first use


def test_the_provider_saying_no_is_a_page_not_an_error(client, users):
    client.get("/sign-in/sso")
    response = client.get("/sign-in/sso/callback?error=access_denied&state=x")
    assert response.status_code == 400 and h1(response) == "Sign-in did not work"


@pytest.mark.parametrize("query", [
    "", "code=x", "state=\x00&code=\x00", "code=" + "9" * 5000 + "&state=" + "9" * 5000,
    "error=" + "%00" * 10,
])
def test_hostile_answers_get_a_page_not_a_500(client, query):
    response = client.get(f"/sign-in/sso/callback?{query}")
    assert response.status_code == 400


def test_a_provider_that_does_not_answer_is_a_page_not_an_error(database_url, users):
    app = _make_app(database_url, OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="x")
    with app.app_context():
        response = app.test_client().get("/sign-in/sso")
        assert response.status_code == 503
        assert "The sign-in service is not available" in response.text
        db.session.remove()
        db.engine.dispose()


# -- passwords off ------------------------------------------------------------------------------


def test_with_passwords_off_only_the_break_glass_admin_uses_one(client, users, oidc_provider):
    set_setting("break_glass_admin", str(users["admin"].id), 0)
    set_setting("local_passwords", "off", 0)
    db.session.commit()
    page = client.get("/sign-in")
    assert "break-glass administrator only" in page.text
    button = page.soup.select_one('a.govuk-button[href^="/sign-in/sso"]')
    assert "Sign in with Example Council" in button.get_text()
    refused = client.submit("/sign-in", {"email": users["auditor"].email,
                                         "password": TEST_PASSWORD})
    assert refused.status_code == 200 and "Enter a correct email address" in refused.text
    db.session.refresh(users["auditor"])
    assert users["auditor"].failed_logins == 0  # the right password: no lockout for it
    assert client.submit("/sign-in", {"email": users["admin"].email,
                                      "password": TEST_PASSWORD}).status_code == 302
    # Everyone else signs in with single sign-on.
    oidc_provider.add_person("entra-aud-off", users["auditor"].email)
    other = client.application.test_client()
    assert sso_sign_in(other, oidc_provider, "entra-aud-off").status_code == 302


def test_nothing_changes_when_single_sign_on_is_not_set_up(database_url, users):
    # Passwords were turned off while single sign-on was set up; then its settings went.
    set_setting("break_glass_admin", str(users["admin"].id), 0)
    set_setting("local_passwords", "off", 0)
    db.session.commit()
    app = _make_app(database_url)
    app.test_client_class = CheckingClient
    with app.app_context():
        client = app.test_client()
        page = client.get("/sign-in")
        assert "/sign-in/sso" not in page.text and "password" in page.text.lower()
        assert "break-glass" not in page.text
        assert client.get("/sign-in/sso").status_code == 404
        assert client.get("/sign-in/sso/callback?code=x&state=y").status_code == 404
        assert "sso" not in app.extensions
        # As the settings page says: without single sign-on, passwords stay on for everyone.
        assert client.submit("/sign-in", {"email": users["auditor"].email,
                                          "password": TEST_PASSWORD}).status_code == 302
        db.session.remove()
        db.engine.dispose()
