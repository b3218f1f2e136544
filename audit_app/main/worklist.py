"""What each role has to do, for the home page.

Each panel is (role, heading, description, items, links). Later areas add their items
here (audits to complete, moderations due, actions owned, dip samples planned).
"""

from dataclasses import dataclass, field

from flask import url_for


@dataclass
class Panel:
    role: str
    heading: str
    empty_text: str
    items: list = field(default_factory=list)
    links: list = field(default_factory=list)


def worklist_for(user):
    panels = []
    if user.has_role("auditor"):
        panels.append(Panel("auditor", "Audits to complete", "You have no audits allocated."))
    if user.has_role("moderator"):
        panels.append(
            Panel("moderator", "Moderation", "You have no audits waiting for moderation.")
        )
    if user.has_role("practice_lead"):
        panels.append(Panel("practice_lead", "Dip samples", "You have no dip samples planned."))
    if user.has_role("manager"):
        panels.append(
            Panel("manager", "Actions on your team's cases", "Your team has no open actions.")
        )
    if user.has_role("leader"):
        panels.append(
            Panel("leader", "Performance", "No quarterly figures have been published yet.")
        )
    if user.has_role("admin"):
        panels.append(
            Panel(
                "admin",
                "Administration",
                "",
                links=[
                    ("Manage users", url_for("admin.users")),
                    ("Manage teams", url_for("admin.teams")),
                    ("Event log", url_for("admin.events")),
                ],
            )
        )
    return panels
