"""The demo data loads through the real workflow and shows every state."""

from audit_app import demo
from audit_app.demo_activity import demo_users, seed_activity
from audit_app.extensions import db
from audit_app.models import Action, Audit, Case, Event, Moderation
from audit_app.models.actions import ACTION_STATUSES, SOURCES
from tests import factories
from tests.conftest import TEST_PASSWORD


def test_demo_activity_covers_every_audit_state(app):
    demo.seed(TEST_PASSWORD)
    seed_activity(factories.make_template(slug="demo-small"), demo_users())
    db.session.commit()
    statuses = db.session.scalars(db.select(Audit.status)).all()
    assert {"allocated", "in_progress", "submitted"} <= set(statuses)
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 60
    assert db.session.scalar(db.select(db.func.count(Moderation.id)).where(
        Moderation.status == "submitted")) == 4
    assert db.session.scalar(db.select(db.func.count(Event.id))) > 50


def test_demo_activity_has_actions_in_every_state(app):
    demo.seed(TEST_PASSWORD)
    seed_activity(factories.make_template(slug="demo-actions"), demo_users())
    db.session.commit()
    rows = db.session.execute(db.select(Action.status, Action.source, Action.reopened_at)).all()
    assert {status for status, _, _ in rows} == set(ACTION_STATUSES)
    assert {source for _, source, _ in rows} == set(SOURCES)
    assert any(status == "open" and reopened for status, _, reopened in rows)


def test_demo_activity_has_a_dip_sample_done_and_one_in_progress(app):
    from audit_app.dip_samples import figures, rounds
    from audit_app.measures.periods import Quarter
    from audit_app.models import DipSampleCheck, DipSampleRound

    demo.seed(TEST_PASSWORD)
    users = demo_users()
    seed_activity(factories.make_template(slug="demo-dips"), users)
    db.session.commit()
    october, november = db.session.scalars(
        db.select(DipSampleRound).order_by(DipSampleRound.month)).all()
    assert rounds.is_complete(october) and len(october.cases) == 4
    assert not rounds.is_complete(november) and november.drawn
    assert all(s.audit is not None and s.audit.auditor_id == users["practice_lead"].id
               for s in november.cases)  # the compliance checklist for the same visit
    assert rounds.open_rounds_of(users["practice_lead"]) == [november]
    outcomes = set(db.session.scalars(db.select(DipSampleCheck.outcome)))
    assert "not_followed_up" in outcomes
    figure = figures.confirmed_followed_up(Quarter(2026, 3))
    assert figure.denominator > 0
    [row] = figures.coverage(figures.quarter_months(Quarter(2026, 3)))
    assert row.cells[0].done == row.cells[0].sampled == 4


def test_reminders_work_on_demo_data(app, smtp_server):
    from datetime import date

    from audit_app import reminders

    demo.seed(TEST_PASSWORD)
    seed_activity(factories.make_template(slug="demo-reminders"), demo_users())
    db.session.commit()
    server = smtp_server()
    run = reminders.send_reminders(day=date(2026, 11, 2))
    assert run.sent == len(server.received) > 0
    subjects = {(r.recipients[0], r.message["Subject"].split(":")[0]) for r in server.received}
    assert ("manager@example.org.uk", "Your actions") in subjects
    assert ("manager@example.org.uk", "Your teams' overdue actions") in subjects
    assert reminders.send_reminders(day=date(2026, 11, 2)).sent == 0
