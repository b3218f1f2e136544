"""The event log is append-only but for one exception: the retention rule may blank an event's
content once, leaving who, when, what kind and which record (migration 0012)."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from audit_app.extensions import db
from audit_app.models import Event


def _event():
    event = Event(entity_type="action", entity_id=7, action="completed",
                  before={"status": "open"}, after={"evidence": "Case note about J."},
                  note="free text")
    db.session.add(event)
    db.session.commit()
    return event.id


def _refused(statement, **params):
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement), params)
    db.session.rollback()


def test_a_redaction_blanks_the_content_once_and_keeps_the_rest(app):
    event_id = _event()
    redact = ("UPDATE events SET before = NULL, after = NULL, note = NULL, "
              "redacted_at = CURRENT_TIMESTAMP WHERE id = :id")
    db.session.execute(text(redact), {"id": event_id})
    db.session.commit()
    row = db.session.execute(text(
        "SELECT entity_type, entity_id, action, before, after, note, redacted_at "
        "FROM events WHERE id = :id"), {"id": event_id}).one()
    assert row[:6] == ("action", 7, "completed", None, None, None)
    assert row.redacted_at is not None
    # Once redacted it is fixed again; and a redaction may not change who, what or when.
    _refused("UPDATE events SET note = 'x', redacted_at = CURRENT_TIMESTAMP WHERE id = :id",
             id=event_id)
    other = _event()
    for change in ("action = 'created'", "entity_id = 8", "actor_id = 1",
                   "entity_type = 'audit'", "occurred_at = CURRENT_TIMESTAMP"):
        _refused(f"UPDATE events SET {change}, redacted_at = CURRENT_TIMESTAMP "  # noqa: S608
                 "WHERE id = :id", id=other)
    _refused("UPDATE events SET note = NULL WHERE id = :id", id=other)  # not a redaction
    _refused("DELETE FROM events WHERE id = :id", id=other)


def test_below_0012_the_log_is_wholly_append_only_again(app):
    downgrade(revision="-1")
    db.session.execute(text("INSERT INTO events (occurred_at, entity_type, action) "
                            "VALUES (CURRENT_TIMESTAMP, 'test', 'created')"))
    db.session.commit()
    _refused("UPDATE events SET action = 'changed'")
    _refused("DELETE FROM events")
    upgrade()
    _event()
    _refused("UPDATE events SET action = 'changed'")
