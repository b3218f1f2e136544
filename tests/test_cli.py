"""The flask commands a council's IT team uses: create-user, seed-demo, send-email."""

from audit_app.extensions import db
from audit_app.models import Notification, User
from audit_app.notify import notify


def test_create_user(app, users):
    runner = app.test_cli_runner()
    result = runner.invoke(args=[
        "create-user", "--email", "Jo.Bloggs@Council.gov.uk", "--name", "Jo Bloggs",
        "--role", "auditor", "--role", "manager", "--team", "Care Leavers",
        "--password", "a-long-enough-password"])
    assert result.exit_code == 0, result.output
    assert "Created jo.bloggs@council.gov.uk with roles: auditor, manager" in result.output
    user = db.session.scalar(db.select(User).where(User.email == "jo.bloggs@council.gov.uk"))
    assert user.team.name == "Care Leavers" and user.check_password("a-long-enough-password")


def test_create_user_errors_are_clear(app, users):
    runner = app.test_cli_runner()
    base = ["create-user", "--email", "x@council.gov.uk", "--name", "X", "--role", "auditor",
            "--password", "a-long-enough-password"]
    result = runner.invoke(args=[*base, "--team", "Nowhere"])
    assert result.exit_code == 2 and "No team called 'Nowhere'" in result.output
    result = runner.invoke(args=["create-user", "--email", "AUDITOR@example.org.uk", "--name",
                                 "Y", "--role", "auditor", "--password", "a-long-enough-pw"])
    assert "already exists" in result.output and result.exit_code == 2
    result = runner.invoke(args=[*base[:-1], "short"])
    assert "12 characters or more" in result.output
    result = runner.invoke(args=[*base[:5], "--role", "wizard", *base[7:]])
    assert result.exit_code == 2 and "wizard" in result.output


def test_seed_demo_refuses_a_database_with_users_unless_if_empty(app, users, tmp_path):
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["seed-demo"], env={"DEMO_PASSWORD": "pw-from-env-123"})
    assert refused.exit_code == 2
    again = runner.invoke(args=["seed-demo", "--if-empty"], env={"DEMO_PASSWORD": "pw-1234567"})
    assert again.exit_code == 0
    assert "Demo data is already loaded." in again.output
    assert "admin@example.org.uk" in again.output


def test_send_email_sends_queued_notifications_once(app, users, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append((message["To"], message["Subject"], message.get_content()))

    monkeypatch.setattr("audit_app.notify.smtplib.SMTP", FakeSMTP)
    notify(users["manager"], "Audit submitted", "Please read it.", "/audits/1")
    db.session.commit()
    runner = app.test_cli_runner()
    unset = runner.invoke(args=["send-email"])
    assert "MAIL_SERVER is not set" in unset.output and sent == []
    app.config["MAIL_SERVER"] = "mail.council.internal"
    result = runner.invoke(args=["send-email"])
    assert "Sent 1 email." in result.output
    assert sent[1][:2] == ("manager@example.org.uk", "Audit submitted")
    assert sent[1][2].strip().endswith("/audits/1")
    assert runner.invoke(args=["send-email"]).output.strip() == "Sent 0 emails."
    assert db.session.scalars(db.select(Notification)).one().emailed_at is not None


def test_seed_demo_loads_the_organisation_templates_and_activity(app, tmp_path):
    from audit_app.models import Audit, AuditTemplate, Moderation

    app.instance_path = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    generated = (tmp_path / "demo-password.txt").read_text().strip()
    assert f"Demo accounts (password: {generated}):" in result.output
    slugs = set(db.session.scalars(db.select(AuditTemplate.slug)))
    assert {"whole-case-file", "plo", "private-fostering", "homeless-16-17",
            "cwd-supervision-visiting", "annual-supervision"} <= slugs
    assert db.session.scalar(db.select(db.func.count(Audit.id))) == 14
    assert db.session.scalar(db.select(db.func.count(Moderation.id))) == 4
    again = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert f"password: {generated}" in again.output
