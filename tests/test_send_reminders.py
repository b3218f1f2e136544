"""`flask send-reminders` against a real SMTP server: each owner's digest of actions due soon
and overdue, each team manager's digest of their teams' overdue actions, once a day however
often or however many runs at once."""

from datetime import timedelta

import pytest

from audit_app import reminders
from audit_app.extensions import db
from audit_app.models import ReminderDigest
from audit_app.timeutil import today, utcnow
from audit_app.workdays import add_working_days, working_days_between
from tests.action_factories import manager_of, open_action
from tests.concurrency import at_once
from tests.moderation_factories import make_user

BASE = "https://audit.council.example"


def send_reminders(app):
    return app.test_cli_runner().invoke(args=["send-reminders"])


def rows():
    db.session.expire_all()
    return db.session.scalars(db.select(ReminderDigest).order_by(ReminderDigest.id)).all()


def action(auditor, reference, owner, due_in_days, team_name="Crewe CIN/CP"):
    """An open action due `due_in_days` from today (negative: overdue)."""
    day = today()
    due = day + timedelta(days=due_in_days)
    return open_action(auditor, reference=reference, owner=owner, due_on=due,
                       raised_on=min(day, due) - timedelta(days=30), team_name=team_name)


@pytest.fixture
def actions(app, users):
    """The demo manager (who manages Crewe CIN/CP) owns an overdue, a due-soon and a later
    action; the leader owns an overdue one on a Crewe case; Macclesfield's own manager owns
    an overdue one there. A deactivated owner's overdue action is on a Crewe case too."""
    app.config["BASE_URL"] = BASE + "/"
    auditor, manager, leader = users["auditor"], users["manager"], users["leader"]
    mo = manager_of("Macclesfield CIN/CP", name="Mo Macclesfield")
    gone = make_user("Gone Owner", roles=("manager",))
    gone.active = False
    soon_day = add_working_days(today(), 2)
    made = {
        "overdue": action(auditor, "LCS-R001", manager, -10),
        "soon": action(auditor, "LCS-R002", manager, (soon_day - today()).days),
        "later": action(auditor, "LCS-R003", manager, 40),
        "leaders": action(auditor, "LCS-R004", leader, -3),
        "macclesfield": action(auditor, "LCS-R005", mo, -1, team_name="Macclesfield CIN/CP"),
        "gone": action(auditor, "LCS-R006", gone, -2),
    }
    db.session.commit()
    made["mo"] = mo
    return made


def by_subject_and_recipient(server):
    return {(r.recipients[0], r.message["Subject"]): r.message.get_content()
            for r in server.received}


def test_each_owner_and_team_manager_gets_one_digest(app, users, actions, smtp_server):
    server = smtp_server()
    result = send_reminders(app)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Sent 5 reminder digests.\n"
    day = today()
    mo_email = actions["mo"].email
    got = by_subject_and_recipient(server)
    assert set(got) == {
        ("manager@example.org.uk", "Your actions: 1 overdue, 1 due soon"),
        ("leader@example.org.uk", "Your actions: 1 overdue"),
        (mo_email, "Your actions: 1 overdue"),
        ("manager@example.org.uk", "Your teams' overdue actions: 3 actions"),
        (mo_email, "Your teams' overdue actions: 1 action"),
    }
    overdue, soon, leaders, gone = (actions[k] for k in ("overdue", "soon", "leaders", "gone"))
    late = working_days_between(overdue.due_on, day)
    own = got[("manager@example.org.uk", "Your actions: 1 overdue, 1 due soon")].splitlines()
    assert own[own.index("Overdue") + 1:own.index("Overdue") + 3] == [
        f"- Case LCS-R001: due {overdue.due_on:%-d %B %Y}, overdue by {late} working "
        f"day{'' if late == 1 else 's'}",
        f"  {BASE}/actions/{overdue.id}"]
    assert own[own.index("Due soon") + 1:own.index("Due soon") + 3] == [
        f"- Case LCS-R002: due {soon.due_on:%-d %B %Y}", f"  {BASE}/actions/{soon.id}"]
    team = got[("manager@example.org.uk", "Your teams' overdue actions: 3 actions")]
    for listed in (overdue, leaders, gone):  # the team's, whoever owns them
        assert f"{BASE}/actions/{listed.id}" in team
    assert "LCS-R005" not in team and "LCS-R003" not in team
    assert team.splitlines()[2] == "Crewe CIN/CP"
    for body in got.values():  # case references and links only: no descriptions, no names
        assert "Action 1 for case" not in body
        assert "Gone Owner" not in body and "Sam Manager" not in body
    recorded = {(r.recipient.email, r.kind, r.status, r.sent_on, tuple(r.action_ids))
                for r in rows()}
    assert recorded == {
        ("manager@example.org.uk", "owner", "sent", day, (overdue.id, soon.id)),
        ("leader@example.org.uk", "owner", "sent", day, (leaders.id,)),
        (mo_email, "owner", "sent", day, (actions["macclesfield"].id,)),
        ("manager@example.org.uk", "team", "sent", day, (overdue.id, leaders.id, gone.id)),
        (mo_email, "team", "sent", day, (actions["macclesfield"].id,)),
    }


def test_a_second_run_the_same_day_sends_nothing(app, users, actions, smtp_server):
    server = smtp_server()
    assert send_reminders(app).stdout == "Sent 5 reminder digests.\n"
    again = send_reminders(app)
    assert again.exit_code == 0
    assert again.stdout == "Sent 0 reminder digests; 5 already sent today.\n"
    assert len(server.received) == 5
    assert {r.attempts for r in rows()} == {1}


def test_the_next_day_sends_again(app, users, actions, smtp_server):
    server = smtp_server()
    reminders.send_reminders(day=today() - timedelta(days=1))
    sent_yesterday = len(server.received)
    assert sent_yesterday > 0
    assert send_reminders(app).stdout.startswith("Sent ")
    assert len(server.received) > sent_yesterday
    assert {r.sent_on for r in rows()} == {today() - timedelta(days=1), today()}


def test_starttls_and_sign_in(app, users, actions, smtp_server):
    server = smtp_server(tls=True, users={"audit-app": "s3cret pass"})
    app.config.update(MAIL_USERNAME="audit-app", MAIL_PASSWORD="s3cret pass")
    assert send_reminders(app).exit_code == 0
    assert len(server.received) == 5
    assert {(r.encrypted, r.login) for r in server.received} == {(True, "audit-app")}


@pytest.mark.parametrize("attempt", range(2))
def test_two_runs_at_once_send_each_digest_once(app, users, actions, smtp_server, attempt):
    """The server takes 50 ms a message, so each run is still sending when the other claims."""
    db.session.close()
    server = smtp_server(delay=0.05)

    def run():
        with app.app_context():
            try:
                return reminders.send_reminders()
            finally:
                db.session.remove()

    first, second = at_once(run, run)
    assert first.sent + second.sent == 5
    assert first.sent + first.already_sent == second.sent + second.already_sent == 5
    received = [(r.recipients[0], r.message["Subject"]) for r in server.received]
    assert len(received) == len(set(received)) == 5
    assert {(r.status, r.attempts) for r in rows()} == {("sent", 1)}


def test_a_refused_recipient_is_tried_again_by_the_next_run(app, users, actions, smtp_server):
    refusing = smtp_server(refuse={"leader@example.org.uk"})
    result = send_reminders(app)
    assert result.exit_code == 0
    assert result.stdout == "Sent 4 reminder digests.\n"
    assert len(refusing.received) == 4
    assert "refused the message to leader@example.org.uk: 550" in result.stderr
    [failed] = [r for r in rows() if r.status == "failed"]
    assert failed.recipient.email == "leader@example.org.uk" and "550" in failed.error
    assert failed.subject is None  # nothing sent, so nothing recorded as sent
    retry = smtp_server()  # the relay takes it now
    assert send_reminders(app).stdout == "Sent 1 reminder digest; 4 already sent today.\n"
    assert [r.message["Subject"] for r in retry.received] == ["Your actions: 1 overdue"]
    [leader] = [r for r in rows() if r.recipient.email == "leader@example.org.uk"]
    assert (leader.status, leader.attempts, leader.error) == ("sent", 2, None)


def test_an_unreachable_server_stops_the_run_and_sends_later(app, users, actions, smtp_server):
    smtp_server()
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    result = send_reminders(app)
    assert result.exit_code == 1
    assert "Cannot reach the mail server 127.0.0.1:1" in result.output
    assert "tried again by the next run today" in result.output
    assert [r.status for r in rows()] == ["failed"]
    app.config["MAIL_PORT"] = port
    assert send_reminders(app).stdout == "Sent 5 reminder digests.\n"


def test_a_claim_left_by_a_stopped_run_is_taken_over_after_ten_minutes(
        app, users, actions, smtp_server):
    day = today()
    for who, minutes in ((users["leader"], 11), (actions["mo"], 2)):
        db.session.add(ReminderDigest(recipient_id=who.id, kind="owner", sent_on=day,
                                      status="sending",
                                      claimed_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()
    server = smtp_server()
    assert send_reminders(app).stdout == "Sent 4 reminder digests; 1 already sent today.\n"
    owners = {r.recipients[0] for r in server.received
              if r.message["Subject"].startswith("Your actions")}
    assert "leader@example.org.uk" in owners and actions["mo"].email not in owners


def test_without_a_mail_server_nothing_is_sent_or_recorded(app, users, actions):
    result = send_reminders(app)
    assert result.exit_code == 0
    assert "MAIL_SERVER is not set" in result.output
    assert rows() == []


def test_nobody_with_nothing_due_gets_a_digest(app, users, smtp_server):
    action(users["auditor"], "LCS-R010", users["manager"], 40)
    db.session.commit()
    server = smtp_server()
    assert send_reminders(app).stdout == "Sent 0 reminder digests.\n"
    assert server.received == [] and rows() == []
