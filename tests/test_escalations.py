"""Safeguarding escalations: told at once, acknowledged within a working day, overdue to QA."""

from datetime import datetime

import pytest

from audit_app.audits import escalations
from audit_app.extensions import db
from audit_app.models import Escalation, Event, Notification
from tests import factories


@pytest.fixture
def audit(app, users):
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, factories.make_case("LCS-3001"), users["auditor"])
    db.session.commit()
    return audit


def test_deadline_is_the_next_working_day():
    friday_before_bank_holiday = datetime(2026, 8, 28, 15, 30)
    assert escalations.acknowledge_deadline(friday_before_bank_holiday) == datetime(
        2026, 9, 1, 15, 30)


def test_auditor_raises_an_escalation_and_the_manager_and_head_are_told(
        client, login, audit, users):
    login("auditor")
    empty = client.submit(f"/audits/{audit.id}/escalate", {"concern": ""})
    assert "Describe why the child may be at immediate risk" in empty.text
    response = client.submit(f"/audits/{audit.id}/escalate",
                             {"concern": "Bruising recorded, no strategy discussion."})
    assert response.status_code == 302
    escalation = db.session.scalars(db.select(Escalation)).one()
    recipients = {n.recipient_id for n in db.session.scalars(db.select(Notification))}
    assert recipients == {users["manager"].id, users["leader"].id}
    assert db.session.scalars(db.select(Event).where(Event.action == "raised")).one()
    # The escalation is separate from the audit's learning actions.
    assert escalation.audit.actions == []


def test_manager_sees_it_on_the_home_page_and_acknowledges(client, login, audit, users):
    escalation = escalations.raise_escalation(audit, users["auditor"], "Concern")
    db.session.commit()
    login("manager")
    home = client.get("/")
    panel = home.soup.find(id="panel-escalations").find_parent("section")
    assert "Case LCS-3001" in panel.get_text()
    page = f"/audits/escalations/{escalation.id}"
    empty = client.submit(page, {"note": ""})
    assert "Say what has been done to keep the child safe" in empty.text
    client.submit(page, {"note": "Strategy discussion held today."})
    db.session.refresh(escalation)
    assert escalation.acknowledged_by_id == users["manager"].id
    assert "Escalation on case LCS-3001 acknowledged" in [
        n.subject for n in db.session.scalars(db.select(Notification).where(
            Notification.recipient_id == users["auditor"].id))]
    home = client.get("/")
    assert "There are no escalations waiting for you." in home.text


def test_unacknowledged_escalation_shows_overdue_to_qa(client, login, audit, users):
    escalations.raise_escalation(audit, users["auditor"], "Concern",
                                 now=datetime(2026, 1, 5, 9, 0))
    db.session.commit()
    login("moderator")
    home = client.get("/")
    section = home.soup.find(id="panel-moderator").find_parent("section")
    assert "Case LCS-3001" in section.get_text()
    assert section.select_one(".govuk-tag--red").get_text() == "Overdue"


def test_only_the_auditor_of_the_case_can_raise_one(audit, users):
    with pytest.raises(escalations.EscalationError):
        escalations.raise_escalation(audit, users["manager"], "Concern")


def test_an_escalation_is_acknowledged_once(audit, users):
    escalation = escalations.raise_escalation(audit, users["auditor"], "Concern")
    escalations.acknowledge(escalation, users["manager"], "Done")
    with pytest.raises(escalations.EscalationError, match="already"):
        escalations.acknowledge(escalation, users["leader"], "Again")


def test_home_page_query_count_does_not_grow_with_audits(client, login, users, app):
    from sqlalchemy import event

    programme = factories.make_programme(factories.make_template())
    db.session.commit()

    def add_audits(start, count):
        for i in range(start, start + count):
            audit = factories.make_audit(programme, factories.make_case(f"QC-{i}"),
                                         users["manager"])
            escalations.raise_escalation(audit, users["manager"], "Concern")
        db.session.commit()

    def count_queries():
        statements = []

        def on_execute(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
        return len(statements)

    login("manager")
    add_audits(0, 2)
    few = count_queries()
    add_audits(2, 25)
    many = count_queries()
    assert many == few


def test_notifications_show_on_the_home_page_until_marked_read(client, login, audit, users):
    escalations.raise_escalation(audit, users["auditor"], "Concern")
    db.session.commit()
    login("manager")
    home = client.get("/")
    notes = home.soup.find(id="panel-notifications").find_parent("section")
    assert "URGENT: safeguarding concern on case LCS-3001" in notes.get_text()
    client.submit("/notifications/read", {}, page="/")
    assert client.get("/").soup.find(id="panel-notifications") is None


def test_escalation_is_emailed_at_once_when_mail_is_configured(
        client, login, audit, smtp_server):
    server = smtp_server()
    login("auditor")
    client.submit(f"/audits/{audit.id}/escalate", {"concern": "Bruising, no strategy meeting."})
    assert sorted((r.message["To"], r.message["Subject"]) for r in server.received) == [
        ("leader@example.org.uk", "URGENT: safeguarding concern on case LCS-3001"),
        ("manager@example.org.uk", "URGENT: safeguarding concern on case LCS-3001"),
    ]


def test_a_mail_server_failure_keeps_the_escalation_for_cron(
        client, login, audit, app, smtp_server):
    smtp_server()
    app.config["MAIL_PORT"] = 1  # nothing listens there
    login("auditor")
    response = client.submit(f"/audits/{audit.id}/escalate", {"concern": "Concern"})
    assert response.status_code == 302
    assert db.session.scalars(db.select(Escalation)).one()
    queued = db.session.scalars(db.select(Notification)).all()
    assert len(queued) == 2 and all(
        n.emailed_at is None and n.email_status == "queued" for n in queued)


def test_audits_past_their_due_date_are_tagged_overdue(client, login, app, users):
    from datetime import date

    programme = factories.make_programme(factories.make_template())
    factories.make_audit(programme, factories.make_case("LCS-LATE1"), users["auditor"],
                         due_on=date(2020, 1, 6))
    factories.make_audit(programme, factories.make_case("LCS-SOON1"), users["auditor"],
                         due_on=date(2099, 1, 5))
    db.session.commit()
    login("auditor")
    items = client.get("/").soup.find(id="panel-auditor").find_parent("section").select("li")
    tags = {li.a.get_text(): li.select_one(".govuk-tag") for li in items}
    assert tags["Case LCS-LATE1, due 6 January 2020"].get_text() == "Overdue"
    assert tags["Case LCS-SOON1, due 5 January 2099"] is None


def test_leaders_home_page_links_to_the_figures(client, login, users):
    login("leader")
    panel = client.get("/").soup.find(id="panel-leader").find_parent("section")
    links = {a.get_text(): a["href"] for a in panel.select("a")}
    assert links == {"Dashboard of headline figures": "/dashboard/",
                     "Moderation agreement report": "/reports/agreement",
                     "Audit programmes": "/programmes/", "All actions": "/actions/all",
                     "Dip sample coverage": "/dip-samples/coverage",
                     "Quarterly headline report": "/reports/quarterly",
                     "Action plan progress report": "/reports/action-plan",
                     "Learning and training": "/plan/learning"}
