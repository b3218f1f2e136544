"""`flask send-email` against a real SMTP server: plain, STARTTLS with sign-in, refusals, and
each notification sent exactly once however many runs overlap."""

import email.utils
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from audit_app import mail, notify
from audit_app.extensions import db
from audit_app.models import Notification
from audit_app.timeutil import utcnow
from tests.concurrency import at_once
from tests.conftest import PG_URL


def queue(user, count=1, subject="Audit of case LCS-1 submitted"):
    notes = [notify.notify(user, subject if count == 1 else f"{subject} ({n})",
                           "Please read it.", f"/audits/{n}") for n in range(count)]
    db.session.commit()
    return notes


def send_email(app):
    return app.test_cli_runner().invoke(args=["send-email"])


def rows():
    db.session.expire_all()
    return db.session.scalars(db.select(Notification).order_by(Notification.id)).all()


def test_plain_smtp_sends_each_queued_notification_once(app, users, smtp_server):
    queue(users["manager"])
    server = smtp_server()
    result = send_email(app)
    assert result.exit_code == 0 and result.stdout == "Sent 1 email.\n"
    [received] = server.received
    message = received.message
    assert (message["From"], message["To"], message["Subject"]) == (
        "case-file-audit@localhost", "manager@example.org.uk", "Audit of case LCS-1 submitted")
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith(
        "@localhost>")
    assert message.get_content().splitlines() == [
        "Please read it.", "", "http://127.0.0.1:5000/audits/0"]
    assert received.recipients == ("manager@example.org.uk",)
    assert (received.encrypted, received.login) == (False, None)
    [note] = rows()
    assert (note.email_status, note.email_attempts, note.email_error) == ("sent", 1, None)
    assert note.emailed_at is not None and note.read_at is None  # still on the home page
    assert send_email(app).stdout == "Sent 0 emails.\n"
    assert len(server.received) == 1


def test_without_a_mail_server_notifications_stay_on_home_pages(app, users):
    queue(users["manager"])
    result = send_email(app)
    assert "MAIL_SERVER is not set" in result.output
    assert rows()[0].email_status == "queued"


def test_starttls_and_sign_in(app, users, smtp_server):
    queue(users["manager"])
    server = smtp_server(tls=True, users={"audit-app": "s3cret pass"})
    app.config.update(MAIL_USERNAME="audit-app", MAIL_PASSWORD="s3cret pass")
    result = send_email(app)
    assert result.exit_code == 0, result.output
    [received] = server.received
    assert (received.encrypted, received.login) == (True, "audit-app")
    assert received.message["Subject"] == "Audit of case LCS-1 submitted"
    assert rows()[0].email_status == "sent"


def test_a_refused_password_says_so_and_leaves_the_notification_queued(
        app, users, smtp_server):
    queue(users["manager"])
    server = smtp_server(tls=True, users={"audit-app": "right"})
    app.config.update(MAIL_USERNAME="audit-app", MAIL_PASSWORD="wrong")
    result = send_email(app)
    assert result.exit_code == 1
    assert (f"Error: The mail server 127.0.0.1:{server.port} refused the user name and "
            "password (MAIL_USERNAME, MAIL_PASSWORD): 535 ") in result.output
    assert "Unsent notifications stay queued for the next run." in result.output
    assert server.received == []
    [note] = rows()
    assert (note.email_status, note.email_attempts, note.emailed_at) == ("queued", 1, None)
    assert "refused the user name and password" in note.email_error
    # Put right, the next run sends it, and the error goes.
    app.config["MAIL_PASSWORD"] = "right"
    assert send_email(app).stdout == "Sent 1 email.\n"
    [note] = rows()
    assert (note.email_status, note.email_attempts, note.email_error) == ("sent", 2, None)
    assert len(server.received) == 1


def test_a_certificate_this_machine_does_not_trust_is_refused(
        app, users, smtp_server, monkeypatch):
    queue(users["manager"])
    server = smtp_server(tls=True)
    monkeypatch.delenv("SSL_CERT_FILE")
    result = send_email(app)
    assert result.exit_code == 1
    assert f"STARTTLS with the mail server 127.0.0.1:{server.port} failed" in result.output
    assert "certificate verify failed" in result.output
    assert server.received == [] and rows()[0].email_status == "queued"


def test_a_password_is_never_sent_unencrypted(app, users, smtp_server):
    queue(users["manager"])
    server = smtp_server()
    app.config.update(MAIL_USERNAME="audit-app", MAIL_PASSWORD="s3cret")
    result = send_email(app)
    assert result.exit_code == 1
    assert "MAIL_USERNAME is set but MAIL_USE_TLS is not" in result.output
    assert server.received == [] and rows()[0].email_status == "queued"


def test_an_unreachable_server_leaves_everything_queued(app, users, smtp_server):
    queue(users["manager"], count=2)
    smtp_server()
    app.config["MAIL_PORT"] = 1  # nothing listens there
    result = send_email(app)
    assert result.exit_code == 1 and "Cannot reach the mail server 127.0.0.1:1" in result.output
    assert [(n.email_status, n.email_attempts) for n in rows()] == [("queued", 1), ("queued", 0)]


def test_a_refused_recipient_is_queued_again_and_the_others_are_sent(app, users, smtp_server):
    queue(users["manager"], subject="For the manager")
    queue(users["leader"], subject="For the leader")
    server = smtp_server(refuse={"manager@example.org.uk"})
    result = send_email(app)
    assert result.exit_code == 0
    assert result.stdout == "Sent 1 email.\n"
    assert (f"Not sent, queued to try again: The mail server 127.0.0.1:{server.port} refused "
            "the message to manager@example.org.uk: 550 ") in result.stderr
    assert [r.message["Subject"] for r in server.received] == ["For the leader"]
    manager, leader = rows()
    assert (manager.email_status, manager.email_attempts) == ("queued", 1)
    assert "550 5.1.1 No such mailbox here" in manager.email_error
    assert leader.email_status == "sent"


def test_a_claim_left_by_a_stopped_run_is_taken_over_after_ten_minutes(
        app, users, smtp_server):
    stale, fresh = queue(users["manager"], count=2)
    for note, minutes in ((stale, 11), (fresh, 2)):
        note.email_status, note.email_attempts = "sending", 1
        note.email_claimed_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    server = smtp_server()
    assert send_email(app).stdout == "Sent 1 email.\n"
    assert [r.message["Subject"] for r in server.received] == [stale.subject]
    assert [(n.email_status, n.email_attempts) for n in rows()] == [
        ("sent", 2), ("sending", 1)]


@pytest.mark.parametrize("attempt", range(3))
def test_runs_at_once_send_each_notification_exactly_once(app, users, smtp_server, attempt):
    """Two cron runs and an urgent send overlap; the server takes 30 ms a message, so each
    run is still sending when the others claim."""
    manager, leader = users["manager"], users["leader"]
    for n in range(30):
        notify.notify(manager if n % 3 else leader, f"Notification {n}", "Body.")
    db.session.commit()
    leader_id = leader.id
    db.session.close()
    server = smtp_server(delay=0.03)

    def run(send):
        with app.app_context():
            try:
                return send().count
            finally:
                db.session.remove()

    counts = at_once(lambda: run(notify.send_queued), lambda: run(notify.send_queued),
                     lambda: run(lambda: notify.send_now({leader_id})))
    subjects = sorted(r.message["Subject"] for r in server.received)
    assert subjects == sorted(f"Notification {n}" for n in range(30))  # none twice
    assert sum(counts) == 30
    assert counts[0] > 0 and counts[1] > 0  # the two runs did overlap
    assert {(n.email_status, n.email_attempts) for n in rows()} == {("sent", 1)}


@pytest.mark.skipif(not PG_URL, reason="row locks: PostgreSQL only (SQLite locks the file)")
def test_a_notification_another_run_is_claiming_is_passed_over_not_waited_for(
        app, users, smtp_server):
    held, free = ((n.id, n.subject) for n in queue(users["manager"], count=2))
    server = smtp_server()

    def give_up_waiting(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # without SKIP LOCKED: an error
        dbapi_connection.commit()

    db.session.close()
    db.engine.dispose()
    event.listen(db.engine, "connect", give_up_waiting)
    try:
        with db.engine.connect() as other_run:
            other_run.execute(text("SELECT id FROM notifications WHERE id = :id FOR UPDATE"),
                              {"id": held[0]})
            assert notify.send_queued().count == 1
            other_run.rollback()
    finally:
        event.remove(db.engine, "connect", give_up_waiting)
    assert [r.message["Subject"] for r in server.received] == [free[1]]
    assert [n.email_status for n in rows()] == ["queued", "sent"]


def test_the_sending_function_needs_no_notification(app, smtp_server):
    """mail.Mailer is what any feature uses to email (a daily digest, say)."""
    server = smtp_server()
    with mail.Mailer() as mailer:
        for person in ("a@example.org.uk", "b@example.org.uk"):
            mailer.send(mail.compose(person, "Your digest", "Three audits are due."))
    assert [r.recipients for r in server.received] == [
        ("a@example.org.uk",), ("b@example.org.uk",)]
