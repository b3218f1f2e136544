"""The migrations build the whole schema from empty, match the models, and go back down."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from audit_app.extensions import db
from audit_app.models import Event


def pending_changes():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models(app):
    assert pending_changes() == []


def test_downgrade_to_empty_and_upgrade_again(app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert pending_changes() == []
    assert "events" in inspect(db.engine).get_table_names()


def test_event_log_is_append_only_in_the_database(app):
    db.session.add(Event(entity_type="test", entity_id=1, action="created"))
    db.session.commit()
    for statement in ("UPDATE events SET action = 'changed'", "DELETE FROM events"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(db.select(Event.action)) == "created"
