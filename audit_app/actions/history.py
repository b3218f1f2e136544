"""An action's history in words, from the event log (who, when, what, the details)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit_app.extensions import db
from audit_app.models import Event, User
from audit_app.models.actions import ACTION_STATUSES
from audit_app.templating import format_date

WHAT = {
    "proposed": "Recommended in the audit",
    "updated": "Recommendation changed",
    "opened": "Opened",
    "completed": "Completed",
    "verified": "Checked on a dip sample",
    "dip_sample_checked": "Checked on a dip sample",
    "reopened": "Reopened: a dip sample found it not followed up",
    "cancelled": "Cancelled",
    "due_date_changed": "Due date changed",
    "reassigned": "Reassigned",
}


@dataclass(frozen=True)
class Entry:
    when: datetime
    who: str
    what: str
    detail: str


def _day(iso):
    return format_date(date.fromisoformat(iso)) if iso else "not set"


def _detail(event, names):
    before, after = event.before or {}, event.after or {}
    if event.action in ("proposed", "opened"):
        owner = names.get(after.get("owner_id"), "the case team's manager")
        due = _day(after.get("due_on")) if after.get("due_on") else "its priority's working "\
            "days after submission"
        return f"Owner {owner}, due {due}: {after.get('description', '')}"
    if event.action == "completed":
        return f"Done on {_day(after.get('completed_on'))}: {after.get('evidence', '')}"
    if event.action == "verified":
        return ACTION_STATUSES.get(after.get("status"), "")
    if event.action == "reopened":
        return f"Now due {_day(after.get('due_on'))}: {event.note or ''}"
    if event.action == "due_date_changed":
        return (f"From {_day(before.get('due_on'))} to {_day(after.get('due_on'))}: "
                f"{event.note or ''}")
    if event.action == "reassigned":
        return (f"From {names.get(before.get('owner_id'), 'no owner')} to "
                f"{names.get(after.get('owner_id'), 'no owner')}")
    return event.note or ""


def history(action):
    """The action's events in words, oldest first."""
    events = db.session.scalars(
        select(Event).where(Event.entity_type == "action", Event.entity_id == action.id)
        .options(selectinload(Event.actor)).order_by(Event.id)).all()
    people = {value for e in events for part in (e.before, e.after) if part
              for key, value in part.items() if key.endswith("owner_id") and value}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all()) \
        if people else {}
    return [Entry(e.occurred_at, e.actor.name if e.actor else "The system",
                  WHAT.get(e.action, e.action.replace("_", " ").capitalize()),
                  _detail(e, names)) for e in events]
