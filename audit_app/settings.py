"""Admin settings stored in the database, with defaults from the configuration."""

from flask import current_app
from sqlalchemy.exc import IntegrityError

from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Setting
from audit_app.versioning import EditConflict, claim

# key: (config name for the default, allowed values (a range: whole numbers; a function:
# values it accepts), description)
SETTINGS = {
    "conflict_of_interest": (
        "CONFLICT_OF_INTEREST",
        ("warn", "block"),
        "When an auditor is allocated a case from a team they manage",
    ),
    "sso_unknown_people": (
        "SSO_UNKNOWN_PEOPLE",
        ("refuse", "create"),
        "When someone without an account signs in with single sign-on",
    ),
    "local_passwords": (
        "LOCAL_PASSWORDS",
        ("on", "off"),
        "Whether people may sign in with a password",
    ),
    "break_glass_admin": (
        "BREAK_GLASS_ADMIN",
        lambda value: value == "" or (value.isascii() and value.isdigit() and len(value) < 19),
        "The administrator who may still sign in with a password when passwords are off",
    ),
    "retention_years": (
        "RETENTION_YEARS",
        range(1, 101),
        "Years after a case closed that the free text of its audits is kept",
    ),
    "due_days_high": (
        "ACTION_DUE_DAYS_HIGH",
        range(1, 261),
        "Working days to complete a high-priority action, unless its due date is set",
    ),
    "due_days_medium": (
        "ACTION_DUE_DAYS_MEDIUM",
        range(1, 261),
        "Working days to complete a medium-priority action, unless its due date is set",
    ),
    "due_days_low": (
        "ACTION_DUE_DAYS_LOW",
        range(1, 261),
        "Working days to complete a low-priority action, unless its due date is set",
    ),
    "dip_sample_plan": (
        "DIP_SAMPLE_PLAN",
        range(1, 51),
        "Cases each practice lead dip-samples a month",
    ),
}


def _allowed(key, value):
    allowed = SETTINGS[key][1]
    if not isinstance(value, str):
        return False
    if isinstance(allowed, range):
        return value.isascii() and value.isdigit() and len(value) < 4 and int(value) in allowed
    if callable(allowed):
        return allowed(value)
    return value in allowed


def get_setting(key):
    row = db.session.get(Setting, key)
    if row is not None:
        return row.value
    return str(current_app.config[SETTINGS[key][0]])


def setting_version(key):
    """The row version a settings form starts from: 0 while the default applies."""
    row = db.session.get(Setting, key)
    return row.row_version if row is not None else 0


def set_setting(key, value, seen, actor=None):
    """Store a setting. `seen` is the version the admin's form showed (setting_version):
    anyone else's change since is an EditConflict."""
    if not _allowed(key, value):
        allowed = SETTINGS[key][1]
        if isinstance(allowed, range):
            raise ValueError(f"{key} must be a whole number from {allowed.start} to "
                             f"{allowed.stop - 1}, not {value!r}")
        raise ValueError(f"{value!r} is not a value {key} can take")
    before = get_setting(key)
    row = db.session.get(Setting, key)
    if row is None:
        if seen is None or str(seen) != "0":
            raise EditConflict()
        db.session.add(Setting(key=key, value=value))
        try:
            db.session.flush()  # two first saves at once: the key is taken, so one conflicts
        except IntegrityError:
            raise EditConflict() from None
    else:
        claim(row, seen)
        row.value = value
    if before != value:
        record("setting", None, "updated", {key: before}, {key: value}, actor=actor)
