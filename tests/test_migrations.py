"""The migrations build the whole schema from empty, match the models, and go back down."""

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from audit_app.extensions import db
from audit_app.models import Event, ModerationSample


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


def test_0005_converts_existing_rows_both_ways(app, users):
    """Rows made now, taken down to 0004 (which writes them as the old code stored them),
    then up again: reasons become codes, the UK days of submission are filled in from the
    UTC timestamps, and the comparison the old schema stored is recomputed on the way down."""
    from tests.moderation_factories import (
        GOOD,
        RI,
        make_round,
        make_template,
        moderate,
        submitted_audit,
    )

    template = make_template()
    moderation = moderate(users["auditor"], users["moderator"], template, overall=(GOOD, RI),
                          submitted_at=datetime(2022, 6, 30, 23, 30))  # 00:30 BST, 1 July
    stratified = make_round(name="Stratified")
    stratified.method = "stratified_team"
    for position, reason in enumerate(("stratified_team", "targeted_top"), start=1):
        audit = submitted_audit(users["auditor"], template)
        db.session.add(ModerationSample(round_id=stratified.id, audit_id=audit.id,
                                        position=position, reason=reason))
    db.session.commit()
    moderation_id, audit_id = moderation.id, moderation.audit_id
    db.session.close()

    def column(sql, **params):
        with db.engine.connect() as conn:
            return sorted(conn.execute(text(sql), params).scalars())

    downgrade(revision="0004")
    assert column("SELECT reason FROM moderation_samples") == [
        "Random", "Stratified: Crewe CIN/CP", "Targeted: judged Outstanding"]
    assert column("SELECT comparison FROM moderation_grades WHERE item = 'overall'") == [
        "auditor_higher"]
    upgrade()
    assert column("SELECT reason FROM moderation_samples") == [
        "random", "stratified_team", "targeted_top"]
    # As text: SQLite hands a plain query's dates back as text, PostgreSQL as dates.
    assert [str(day) for day in column(
        "SELECT submitted_on FROM moderations WHERE id = :id", id=moderation_id)] == [
        "2022-07-01"]
    assert [str(day) for day in column(
        "SELECT audited_on FROM audits WHERE id = :id", id=audit_id)] == ["2022-07-01"]
    assert pending_changes() == []
