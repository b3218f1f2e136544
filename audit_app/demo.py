"""Demo organisation and accounts, mirroring the teams in the reference action plan."""

import secrets

from sqlalchemy import func, select

from audit_app.admin import services as admin
from audit_app.audit_templates.services import load_builtin_templates
from audit_app.extensions import db
from audit_app.kept_secrets import kept_secret
from audit_app.models import Team, User

SERVICES = {
    "Children in Need and Child Protection": ["Crewe CIN/CP", "Macclesfield CIN/CP"],
    "Cared for Children and Care Leavers": ["Cared for Children", "Care Leavers"],
    "Children with Disabilities": ["Children with Disabilities"],
    "Front door": ["ChECS front door"],
    "Fostering": ["Fostering"],
}

DEMO_DOMAIN = "example.org.uk"
# (email local part, name, roles, team)
DEMO_USERS = [
    ("admin", "Alex Admin", {"admin"}, None),
    ("auditor", "Aisha Auditor", {"auditor"}, "Macclesfield CIN/CP"),
    ("moderator", "Morgan Moderator", {"moderator"}, None),
    ("practicelead", "Priya Practice-Lead", {"practice_lead"}, "Crewe CIN/CP"),
    ("manager", "Sam Manager", {"manager", "auditor"}, "Crewe CIN/CP"),
    ("leader", "Lee Leader", {"leader"}, None),
]


def demo_password(configured, saved_file):
    """DEMO_PASSWORD when set; else the one generated on the first run, kept in instance/."""
    if configured:
        return configured
    return kept_secret(saved_file, lambda: secrets.token_urlsafe(12))


def demo_emails():
    return [f"{local}@{DEMO_DOMAIN}" for local, *_ in DEMO_USERS]


def is_empty():
    return db.session.scalar(select(func.count(User.id))) == 0


def seed(password):
    """Create the demo organisation and one user per role; returns the users' emails."""
    teams = {}
    for service_name, team_names in SERVICES.items():
        service = admin.create_service(name=service_name)
        for team_name in team_names:
            teams[team_name] = admin.create_team(name=team_name, service_id=service.id)
    users = {}
    for local, name, roles, team in DEMO_USERS:
        users[local] = admin.create_user(
            email=f"{local}@{DEMO_DOMAIN}",
            name=name,
            roles=roles,
            password=password,
            team_id=teams[team].id if team else None,
        )
    admin.update_team(teams["Crewe CIN/CP"], {"manager_id": users["manager"].id})
    head = users["leader"]
    for team in db.session.scalars(select(Team)):
        admin.update_service(team.service, {"head_id": head.id})
    load_builtin_templates()
    return [u.email for u in users.values()]
