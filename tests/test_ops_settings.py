"""The sign-in and retention settings pages: saved through the versioned settings, refused
when they would lock everyone out, and never a 500 for hostile input."""

import pytest
from sqlalchemy import select

from audit_app.admin import services as admin
from audit_app.extensions import db
from audit_app.models import Event
from audit_app.settings import get_setting, set_setting, setting_version
from tests.conftest import _make_app


def errors(response):
    summary = response.soup.select_one(".govuk-error-summary")
    return [a.get_text(strip=True) for a in summary.select("a")] if summary else []


@pytest.fixture
def sso_client(database_url, users):
    """An admin signed in to an app with single sign-on set up (the provider is not used)."""
    app = _make_app(database_url, OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="audit")
    from tests.pages import CheckingClient

    app.test_client_class = CheckingClient
    with app.app_context():
        client = app.test_client()
        response = client.submit("/sign-in", {"email": users["admin"].email,
                                              "password": "correct-horse-battery"})
        assert response.status_code == 302
        yield client
        db.session.remove()
        db.engine.dispose()


def test_passwords_go_off_with_a_break_glass_admin_and_the_change_is_logged(sso_client, users):
    page = sso_client.get("/admin/settings/sign-in")
    options = [o.get_text() for o in page.soup.select("#break_glass_admin option")]
    assert options == ["No one", "Alex Admin (admin@example.org.uk)"]  # admins with passwords
    response = sso_client.submit("/admin/settings/sign-in", {
        "sso_unknown_people": "create", "local_passwords": "off",
        "break_glass_admin": str(users["admin"].id)})
    assert response.status_code == 302
    assert [get_setting(k) for k in ("sso_unknown_people", "local_passwords",
                                     "break_glass_admin")] == [
        "create", "off", str(users["admin"].id)]
    logged = db.session.scalars(select(Event.after).where(Event.entity_type == "setting")).all()
    assert {"local_passwords": "off"} in logged and {"sso_unknown_people": "create"} in logged


def test_passwords_cannot_go_off_without_a_break_glass_admin(sso_client):
    response = sso_client.submit("/admin/settings/sign-in", {
        "sso_unknown_people": "refuse", "local_passwords": "off", "break_glass_admin": ""})
    assert response.status_code == 200
    assert errors(response) == ["Choose a break-glass administrator before turning passwords off"]
    assert get_setting("local_passwords") == "on"


def test_passwords_cannot_go_off_without_single_sign_on(client, login, users):
    login("admin")
    response = client.submit("/admin/settings/sign-in", {
        "sso_unknown_people": "refuse", "local_passwords": "off",
        "break_glass_admin": str(users["admin"].id)})
    assert errors(response) == ["Passwords can only be turned off when single sign-on is set "
                                "up (OIDC_ISSUER and OIDC_CLIENT_ID)"]
    assert get_setting("local_passwords") == "on"


def test_only_an_admin_with_a_password_can_be_break_glass(sso_client, users):
    response = sso_client.submit("/admin/settings/sign-in", {
        "sso_unknown_people": "refuse", "local_passwords": "on",
        "break_glass_admin": str(users["auditor"].id)})
    assert errors(response) == ["Select an active administrator with a password, or no one"]
    sso_only = admin.create_user(email="sso.admin@example.org.uk", name="SSO Admin",
                                 roles={"admin"})
    db.session.commit()
    from audit_app.auth.policy import sign_in_settings_problems

    assert sign_in_settings_problems("on", sso_only) == [(
        "break_glass_admin",
        "The break-glass administrator must be an active administrator with a password")]


def test_a_stale_sign_in_settings_page_shows_the_conflict(sso_client, users):
    page = sso_client.get("/admin/settings/sign-in")
    set_setting("sso_unknown_people", "create", setting_version("sso_unknown_people"))
    db.session.commit()
    hidden = {i["name"]: i.get("value", "") for i in page.soup.select("input[type=hidden]")}
    response = sso_client.post("/admin/settings/sign-in", data={
        **hidden, "sso_unknown_people": "refuse", "local_passwords": "on",
        "break_glass_admin": ""})
    assert response.status_code == 200
    assert "Someone else changed this setting" in response.text
    assert get_setting("sso_unknown_people") == "create"


def test_the_retention_period_is_saved_and_logged(client, login):
    login("admin")
    page = client.get("/admin/settings/retention")
    assert page.soup.select_one("#retention_years")["value"] == "6"
    assert client.submit("/admin/settings/retention", {"retention_years": " 7 "}).status_code == 302
    assert get_setting("retention_years") == "7"
    assert db.session.scalar(select(Event.after).where(Event.entity_type == "setting")) == {
        "retention_years": "7"}


@pytest.mark.parametrize("value", ["", "   ", "0", "101", "six", "6.5", "-6", "\x00",
                                   "9" * 400, "１２", "²"])
def test_a_bad_retention_period_is_an_error_not_a_500(client, login, value):
    login("admin")
    response = client.submit("/admin/settings/retention", {"retention_years": value})
    assert response.status_code == 200
    assert errors(response) in (["Years must be a whole number from 1 to 100"],
                                ["Enter how many years to keep it"],
                                ["Years must not include hidden control characters, such as a "
                                 "null character"])
    assert get_setting("retention_years") == "6"


def test_hostile_sign_in_settings_are_errors_not_500s(sso_client):
    response = sso_client.submit("/admin/settings/sign-in", {
        "sso_unknown_people": "\x00", "local_passwords": "maybe",
        "break_glass_admin": "9" * 40, "local_passwords_version": "9" * 40})
    assert response.status_code == 200
    assert errors(response) == [
        "The choice for someone without an account must not include hidden control "
        "characters, such as a null character",
        "Select whether passwords are on or off",
        "Select an active administrator with a password, or no one"]


@pytest.mark.parametrize(("path", "data"), [
    ("/admin/settings/sign-in", {"sso_unknown_people": "create", "local_passwords": "on",
                                 "break_glass_admin": "", "sso_unknown_people_version": "0",
                                 "local_passwords_version": "0",
                                 "break_glass_admin_version": "0"}),
    ("/admin/settings/retention", {"retention_years": "9", "retention_years_version": "0"}),
    ("/admin/subject-access", {"reference": "LCS-100200"}),
])
def test_a_post_without_its_csrf_token_is_refused(client, login, path, data):
    login("admin")
    response = client.post(path, data=data)
    assert response.status_code == 400 and "your form could not be sent" in response.text
    assert get_setting("sso_unknown_people") == "refuse" and get_setting("retention_years") == "6"
    assert not db.session.scalar(select(Event).where(Event.action == "subject_access_export"))
