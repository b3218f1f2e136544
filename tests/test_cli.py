"""The flask commands a council's IT team uses: create-user, seed-demo (send-email is in
test_send_email.py)."""

from datetime import date

from audit_app.extensions import db
from audit_app.models import User


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


def test_seed_demo_loads_the_organisation_templates_activity_and_history(app, tmp_path):
    from audit_app.models import Audit, AuditTemplate, Moderation, Recommendation, Target

    app.instance_path = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    generated = (tmp_path / "demo-password.txt").read_text().strip()
    assert f"Demo accounts (password: {generated}):" in result.output
    slugs = set(db.session.scalars(db.select(AuditTemplate.slug)))
    assert {"whole-case-file", "plo", "private-fostering", "homeless-16-17",
            "cwd-supervision-visiting", "annual-supervision"} <= slugs
    # The Q2 programme's 14, and the compliance checklists of the November dip sample's 2
    # cases, as before the history (audit dates from April 2026, or none yet)...
    activity = db.or_(Audit.audited_on.is_(None), Audit.audited_on >= date(2026, 4, 1))
    assert db.session.scalar(db.select(db.func.count(Audit.id)).where(activity)) == 16
    assert db.session.scalar(db.select(db.func.count(Moderation.id)).join(Audit).where(
        activity)) == 4
    # ... and the history's audits from April 2020 to March 2023 (tests/test_demo_history.py).
    history = Audit.audited_on.between(date(2020, 4, 1), date(2023, 3, 31))
    assert db.session.scalar(db.select(db.func.count(Audit.id)).where(history)) == 988
    assert db.session.scalar(db.select(db.func.count(Audit.id))) == 16 + 988
    # The reference targets (tests/test_targets.py) and action plan (test_plan_position.py).
    assert db.session.scalar(db.select(db.func.count(Target.id))) == 13
    assert db.session.scalar(db.select(db.func.count(Recommendation.id))) == 8
    again = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert f"password: {generated}" in again.output
