"""The event log is append-only but for one exception: the retention rule may change an
event's content, stamping the time it did, leaving who, when, what kind and which record
(migration 0012)."""

from datetime import datetime

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


def test_a_redaction_changes_the_content_and_keeps_the_rest(app):
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
    # Changed again only by a later redaction; never by one that keeps or moves back the
    # stamp; and a redaction may not change who, what or when.
    stamp = db.session.scalar(text("SELECT redacted_at FROM events WHERE id = :id"),
                              {"id": event_id})
    _refused("UPDATE events SET note = 'x' WHERE id = :id", id=event_id)
    _refused("UPDATE events SET note = 'x', redacted_at = :stamp WHERE id = :id",
             id=event_id, stamp=stamp)
    db.session.execute(text("UPDATE events SET note = 'ANON-1', redacted_at = :later "
                            "WHERE id = :id"), {"id": event_id, "later": datetime(2099, 1, 1)})
    db.session.commit()
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
