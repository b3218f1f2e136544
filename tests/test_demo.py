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
