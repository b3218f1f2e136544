"""Values every template can use: service names, navigation by role, date formats.

Dates and times are shown in UK time (audit_app/timeutil.py); they are stored in UTC.
"""

from datetime import date, datetime

from flask import current_app, request, url_for
from flask_login import current_user

from audit_app.models import ROLES
from audit_app.models.templates import YES_NO_ANSWERS
from audit_app.timeutil import local

# (label, endpoint, roles that see it); an empty roles tuple means every signed-in user.
NAVIGATION = [
    ("Home", "main.home", ()),
    ("Cases", "cases.list_cases", ("admin", "moderator", "practice_lead", "manager", "leader")),
    ("My audits", "audits.my_audits", ("auditor",)),
    ("Actions", "actions.my_actions", ()),
    ("Dashboard", "dashboard.dashboard", ("leader", "moderator", "admin", "practice_lead")),
    ("Programmes", "programmes.list_programmes", ("admin", "moderator", "leader", "practice_lead")),
    ("Moderation", "moderation.list_rounds", ("moderator", "admin", "leader")),
    ("Dip samples", "dip_samples.list_rounds", ("practice_lead", "moderator", "admin", "leader")),
    ("Reports", "reports.agreement", ("moderator", "admin", "leader", "practice_lead")),
    ("Action plan", "plan.plan", ("leader", "moderator", "admin")),
    ("Users", "admin.users", ("admin",)),
    ("Teams", "admin.teams", ("admin",)),
    ("Templates", "audit_templates.list_templates", ("admin",)),
    ("Targets", "admin.targets", ("admin",)),
    ("Event log", "admin.events", ("admin",)),
    ("Settings", "admin.settings", ("admin",)),
]


def navigation():
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, roles in NAVIGATION:
        if roles and not current_user.has_role(*roles):
            continue
        href = url_for(endpoint)
        active = request.endpoint == endpoint or (
            endpoint != "main.home" and request.path.startswith(href)
        )
        items.append({"text": label, "href": href, "active": active})
    return items


def format_date(value):
    """A date, or the UK day of a stored (UTC) timestamp: "1 July 2022"."""
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime("%-d %B %Y") if value else ""


def format_datetime(value):
    """A stored (UTC) timestamp in UK time: "1 July 2022 at 00:30"."""
    return local(value).strftime("%-d %B %Y at %H:%M") if value else ""


def conflict_value(value):
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, set | list | tuple):
        return ", ".join(sorted(str(v) for v in value)) or "(none)"
    return str(value)


def format_iso_date(value):
    try:
        return format_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


def register(app):
    app.add_template_filter(format_iso_date, "iso_date")
    app.add_template_global(YES_NO_ANSWERS, "yes_no_labels")
    app.add_template_filter(conflict_value, "conflict_value")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")

    @app.context_processor
    def inject():
        return {
            "council_name": current_app.config["COUNCIL_NAME"],
            "service_name": current_app.config["SERVICE_NAME"],
            "navigation": navigation(),
            "role_names": ROLES,
        }
