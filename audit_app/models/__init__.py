"""SQLAlchemy models, one module per part of the domain."""

from audit_app.models.events import Event
from audit_app.models.org import Service, Team
from audit_app.models.users import ROLES, User, UserRole

__all__ = ["ROLES", "Event", "Service", "Team", "User", "UserRole"]
