"""Learning and training entries: what each may hold, and an event for every change.

The principal social worker (through a quality assurance officer or admin account) records
each quarter what was given in response to audit themes; the quarterly headline report
lists a quarter's entries. The rules and events are the action plan's
(audit_app/plan/records.py): a refusal is a PlanError naming the form's fields.
"""

import json
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.measures.periods import Quarter
from audit_app.models import LearningEntry
from audit_app.models.learning import KINDS
from audit_app.plan.records import PlanError, _Checks, _create, _one_line, _text, _update
from audit_app.timeutil import today

# The demo's entries, written as data: seed-demo loads them through the same rules.
DEMO_ENTRIES = Path(__file__).resolve().parent / "data" / "learning.json"
FIELDS = ("quarter", "theme", "kind", "title", "audience", "given_on", "link", "notes")
# A web address people can open: http(s), no spaces (shown as a link, so never javascript:).
LINK = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)

__all__ = ["FIELDS", "PlanError", "create_entry", "entries", "load_entries", "update_entry"]


def _entry(values):
    values = {
        "quarter": values.get("quarter") or "",
        "theme": _one_line(values.get("theme")),
        "kind": values.get("kind") or None,
        "title": _one_line(values.get("title")),
        "audience": _one_line(values.get("audience")),
        "given_on": values.get("given_on"),
        "link": _one_line(values.get("link")),
        "notes": _text(values.get("notes")),
    }
    checks = _Checks()
    try:
        quarter = Quarter.parse(values["quarter"])
    except ValueError:
        checks.refuse("quarter", "Select the quarter whose report the entry belongs in")
    else:
        if quarter > Quarter.containing(today()):
            checks.refuse("quarter", "The quarter must not be in the future")
    checks.text(values, "theme", 300, "Enter the audit theme it responds to", "Audit theme")
    if values["kind"] not in KINDS:
        checks.refuse("kind", "Select what kind of learning it was")
    checks.text(values, "title", 300, "Enter what was given", "What was given")
    checks.text(values, "audience", 300, "Enter who it was given to", "Audience")
    checks.day(values, "given_on", "Enter the date it was given", "The date it was given")
    if values["given_on"] is not None and values["given_on"] > today():
        checks.refuse("given_on", "The date it was given must be today or in the past")
    if values["link"] and len(values["link"]) > 500:
        checks.refuse("link", "Link must be 500 characters or fewer")
    elif values["link"] and not LINK.fullmatch(values["link"]):
        checks.refuse("link", "Link must be a web address starting with https:// or http://")
    checks.optional_text(values, "notes", 4000, "Notes")
    checks.done()
    return values


def create_entry(values, actor=None):
    return _create(LearningEntry, "learning_entry", FIELDS, _entry(values), actor, None)


def update_entry(entry, values, actor=None):
    return _update(entry, "learning_entry", FIELDS, _entry(values), actor, None)


def entries(quarter):
    """The quarter's entries, in the order they were given (one query)."""
    return db.session.scalars(
        select(LearningEntry).where(LearningEntry.quarter == quarter.code)
        .order_by(LearningEntry.given_on, LearningEntry.id)).all()


def load_entries(path=DEMO_ENTRIES, actor=None):
    """Add the entries of a JSON file (a list of the form's fields, dates as ISO text)."""
    return [create_entry({**entry, "given_on": date.fromisoformat(entry["given_on"])}, actor)
            for entry in json.loads(path.read_text())]
