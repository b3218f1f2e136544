"""Writing the event log.

`record()` adds the event to the current session, so it commits (or rolls back) in the
same transaction as the change it describes.
"""

from datetime import date, datetime

from flask_login import current_user

from audit_app.extensions import db
from audit_app.models import Event


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value


def snapshot(obj, fields):
    """The named attributes of obj as a JSON-ready dict, for an event's before/after."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def changes(before, after):
    """Only the keys whose value changed, as (before, after) dicts; (None, None) if none."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    if not keys:
        return None, None
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(entity_type, entity_id, action, before=None, after=None, note=None, actor=None):
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user
    event = Event(
        actor_id=actor.id if actor is not None else None,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        note=note,
    )
    db.session.add(event)
    return event
