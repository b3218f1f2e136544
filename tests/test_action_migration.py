"""Migration 0008 keeps the actions made before it, filling in what they did not record."""

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from audit_app.extensions import db
from tests.action_factories import open_actions
from tests.test_migrations import pending_changes


def rows(sql, **params):
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def test_actions_from_before_0008_are_kept_both_ways(app, users):
    opened, done = open_actions(users["auditor"], count=2, raised_on=date(2026, 11, 2))
    done.status = "completed"
    done.completed_on, done.evidence, done.completed_by_id = (
        date(2026, 11, 9), "Case note", users["manager"].id)
    db.session.commit()
    audit_id, auditor_id, manager_id = opened.audit_id, users["auditor"].id, users["manager"].id
    db.session.close()

    downgrade(revision="0007")
    # Before 0008 a completed action kept only its status and timestamps.
    assert rows("SELECT status FROM actions ORDER BY id") == [("open",), ("completed",)]
    upgrade()
    assert pending_changes() == []
    got = rows("SELECT source, raised_by_id, raised_on, evidence, completed_by_id "
               "FROM actions ORDER BY id")
    # SQLite hands back dates as text, PostgreSQL as dates.
    assert [(s, r, str(d), e, c) for s, r, d, e, c in got] == [
        ("audit", auditor_id, "2026-11-02", None, None),
        ("audit", auditor_id, "2026-11-02", "Not recorded", manager_id),
    ]
    assert rows("SELECT count(*) FROM actions WHERE audit_id = :id", id=audit_id) == [(2,)]
