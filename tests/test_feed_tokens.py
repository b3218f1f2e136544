"""Personal API tokens: a leader makes one on their account page, sees it once, a BI tool
uses it (each use stamped and logged), and it stops working when it expires, is revoked,
or its owner is deactivated or loses the role."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from audit_app.extensions import db
from audit_app.feed import tokens
from audit_app.models import ApiToken, Event
from audit_app.timeutil import utcnow
from tests.pages import hidden_inputs

FEED = "/feed/measures.json?period=2022-Q2&measure=good_or_better"
TOKEN_SHAPE = re.compile(r"cfa_[A-Za-z0-9_-]{43}")


def create(client, name="Power BI headline report", lifetime="90"):
    return client.submit("/account/api-tokens", {"name": name, "lifetime": lifetime})


def shown_token(response):
    return response.soup.find("input", id="token")["value"]


def events(action):
    return db.session.scalars(db.select(Event).where(Event.entity_type == "api_token",
                                                     Event.action == action)
                              .order_by(Event.id)).all()


def use(app, secret, path=FEED):
    """A BI tool's request: the header and nothing else (no session)."""
    return app.test_client().get(path, headers={"Authorization": f"Bearer {secret}"})


def test_a_leader_creates_a_token_and_sees_it_once(app, client, login):
    leader = login("leader")
    before = utcnow()
    response = create(client)
    assert response.status_code == 200
    secret = shown_token(response)
    assert TOKEN_SHAPE.fullmatch(secret)
    assert f"Bearer {secret}" in response.text

    token = db.session.scalar(db.select(ApiToken))
    assert token.user_id == leader.id and token.name == "Power BI headline report"
    # Only the hash is kept: not in the table, not in the event log.
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = db.session.execute(db.text("SELECT * FROM api_tokens")).one()
    assert secret not in " ".join(str(value) for value in row)
    logged = events("created")
    assert [(e.entity_id, e.actor_id) for e in logged] == [(token.id, leader.id)]
    assert secret not in str((logged[0].before, logged[0].after, logged[0].note))
    # 90 days from now, and never used yet.
    assert before <= token.created_at <= utcnow()
    assert token.expires_at - token.created_at == timedelta(days=90)
    assert token.last_used_at is None

    page = client.get("/account/api-tokens")
    assert secret not in page.text
    assert "Power BI headline report" in page.text and "Never" in page.text


def test_a_double_clicked_create_makes_one_token(app, client, login):
    login("leader")
    page = client.get("/account/api-tokens").text
    data = {**hidden_inputs(page, "/account/api-tokens"), "name": "Twice", "lifetime": "30"}
    first = client.post("/account/api-tokens", data=data)
    second = client.post("/account/api-tokens", data=data)
    assert first.status_code == 200 and shown_token(first)
    assert second.status_code == 302
    assert "could only be shown in answer to the first click" in client.get(
        second.headers["Location"]).text
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 1


@pytest.mark.parametrize(("name", "lifetime", "message"), [
    ("   ", "30", "Enter a name for the token"),
    ("x" * 81, "30", "Name must be 80 characters or fewer"),
    ("Report", "", "Select when the token expires"),
    ("Report", "3650", "Expires after must be one of the options shown"),
    ("Report", "-1", "Expires after must be one of the options shown"),
    ("Re\x00port", "30", "Name must not include hidden control characters"),
])
def test_a_bad_token_form_says_what_is_wrong(client, login, name, lifetime, message):
    login("admin")
    response = create(client, name, lifetime)
    assert response.status_code == 200
    assert message in response.soup.select_one(".govuk-error-summary").text
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_the_lifetimes_are_a_year_at_most(users):
    assert max(tokens.LIFETIMES) == 365
    with pytest.raises(ValueError, match="one of 30, 90, 180, 365 days"):
        tokens.issue(users["leader"], "Forever", 36500)


def test_only_leaders_and_admins_hold_tokens(users):
    with pytest.raises(PermissionError):
        tokens.issue(users["moderator"], "Sneaky", 30)


def test_ten_active_tokens_at_most(client, login, users):
    login("leader")
    for number in range(tokens.MAX_ACTIVE):
        tokens.issue(users["leader"], f"Report {number}", 30)
    db.session.commit()
    response = create(client, "One too many")
    assert f"You have {tokens.MAX_ACTIVE} active tokens" in response.soup.select_one(
        ".govuk-error-summary").text
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == tokens.MAX_ACTIVE
    tokens.revoke(db.session.scalar(db.select(ApiToken.id)), users["leader"])
    db.session.commit()
    assert shown_token(create(client, "Now there is room"))


def test_each_use_is_stamped_and_logged(app, users):
    token, secret = tokens.issue(users["leader"], "Power BI", 30)
    db.session.commit()
    first = use(app, secret)
    assert first.status_code == 200 and first.json[0]["measure"] == "good_or_better"
    use(app, secret, "/feed/audits.csv")
    db.session.refresh(token)
    assert token.last_used_at is not None and token.last_used_at >= token.created_at
    used = events("used")
    assert [(e.entity_id, e.actor_id, e.after["path"]) for e in used] == [
        (token.id, users["leader"].id, FEED), (token.id, users["leader"].id, "/feed/audits.csv")]
    assert secret not in str([(e.after, e.note) for e in used])


def test_a_use_is_checked_and_stamped_by_one_update(app, users):
    """No read-modify-write: the first statement about the token is the UPDATE that checks
    it and sets its last use (a concurrent revocation is seen, and two uses both count)."""
    _token, secret = tokens.issue(users["leader"], "Power BI", 30)
    db.session.commit()
    statements = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "api_tokens" in statement:
            statements.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert use(app, secret).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert statements == ["UPDATE"]


def refused(response, words):
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert words in response.json["error"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="feed", error="invalid_token", '
                                'error_description="')
    return challenge


def test_an_expired_token_is_refused(app, users):
    token, secret = tokens.issue(users["leader"], "Old", 30, now=utcnow() - timedelta(days=31))
    db.session.commit()
    refused(use(app, secret), "This token expired on")
    logged = events("refused")
    assert [(e.entity_id, e.after["path"]) for e in logged] == [(token.id, FEED)]
    assert "expired" in logged[0].note
    db.session.refresh(token)
    assert token.last_used_at is None
    assert events("used") == []


def test_a_token_expires_at_its_moment(users):
    now = utcnow()
    token, secret = tokens.issue(users["leader"], "Edge", 30, now=now)
    assert tokens.authenticate(secret, "/feed/x", now=token.expires_at - timedelta(seconds=1))
    with pytest.raises(tokens.Refused, match="expired"):
        tokens.authenticate(secret, "/feed/x", now=token.expires_at)


def test_a_revoked_token_is_refused(app, client, login, users):
    leader = login("leader")
    secret = shown_token(create(client))
    assert use(app, secret).status_code == 200
    token = db.session.scalar(db.select(ApiToken))
    page = client.get("/account/api-tokens")
    form = page.soup.find("form", action=f"/account/api-tokens/{token.id}/revoke")
    assert " ".join(form.button.get_text().split()) == "Revoke Power BI headline report"
    response = client.submit(f"/account/api-tokens/{token.id}/revoke", {},
                             page="/account/api-tokens")
    assert response.status_code == 302
    assert "Token revoked" in client.get("/account/api-tokens").text
    refused(use(app, secret), "This token was revoked on")
    assert [(e.entity_id, e.actor_id) for e in events("revoked")] == [(token.id, leader.id)]
    # Revoking again changes nothing and says so.
    again = client.submit(f"/account/api-tokens/{token.id}/revoke", {},
                          page="/account/api-tokens")
    assert "already been revoked" in client.get(again.headers["Location"]).text
    assert len(events("revoked")) == 1


def test_nobody_revokes_another_persons_token(client, login, users):
    token, _secret = tokens.issue(users["leader"], "Lee's", 30)
    db.session.commit()
    login("admin")
    response = client.submit(f"/account/api-tokens/{token.id}/revoke", {},
                             page="/account/api-tokens")
    assert response.status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_a_deactivated_owner_s_token_is_refused(app, users):
    _token, secret = tokens.issue(users["leader"], "Power BI", 30)
    users["leader"].active = False
    db.session.commit()
    refused(use(app, secret), "owner has been deactivated")


def test_an_owner_who_loses_the_role_loses_the_feed(app, users):
    _token, secret = tokens.issue(users["admin"], "Power BI", 30)
    db.session.commit()
    assert use(app, secret).status_code == 200
    users["admin"].roles = {"auditor"}
    db.session.commit()
    refused(use(app, secret), "no longer has the leader or administrator role")


@pytest.mark.parametrize("header", [
    "Bearer cfa_" + "A" * 43,  # the right shape, but no such token
    "Bearer not-a-token",
    "Bearer ",
    "Bearer cfa_" + "\u00e9" * 43,
    "Bearer " + "9" * 5000,
])
def test_an_unknown_or_malformed_token_is_refused(app, users, header):
    response = app.test_client().get(FEED, headers={"Authorization": header})
    refused(response, "token")
    assert events("used") == []


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic bGVlOnNlY3JldA=="},
                                     {"Authorization": ""}])
def test_no_token_gets_a_challenge_not_the_sign_in_page(app, users, headers):
    response = app.test_client().get(FEED, headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="feed"'
    assert "Authorization: Bearer <token>" in response.json["error"]


def test_a_bad_token_is_refused_even_with_a_leader_s_session(client, login):
    """The header decides: a signed-in browser sending a wrong token is not let in."""
    login("leader")
    response = client.get(FEED, headers={"Authorization": "Bearer cfa_" + "B" * 43})
    assert response.status_code == 401


def test_the_home_page_links_leaders_and_admins_to_their_tokens(client, login):
    login("leader")
    assert client.get("/").soup.find("a", href="/account/api-tokens")
    client.post("/sign-out", data=hidden_inputs(client.get("/").text, "/sign-out"))
    login("moderator")
    assert not client.get("/").soup.find("a", href="/account/api-tokens")
    assert client.get("/account/api-tokens").status_code == 403
