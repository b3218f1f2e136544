"""Admin settings stored in the database, with defaults from the configuration."""

from flask import current_app

from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Setting

# key: (config name for the default, allowed values, description)
SETTINGS = {
    "conflict_of_interest": (
        "CONFLICT_OF_INTEREST",
        ("warn", "block"),
        "When an auditor is allocated a case from a team they manage",
    ),
}


def get_setting(key):
    row = db.session.get(Setting, key)
    if row is not None:
        return row.value
    return current_app.config[SETTINGS[key][0]]


def set_setting(key, value, actor=None):
    allowed = SETTINGS[key][1]
    if value not in allowed:
        raise ValueError(f"{key} must be one of: {', '.join(allowed)}")
    before = get_setting(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    if before != value:
        record("setting", None, "updated", {key: before}, {key: value}, actor=actor)
