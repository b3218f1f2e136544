"""People who use the tool, and the roles they hold."""

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from audit_app.extensions import db

ROLES = {
    "admin": "Administrator",
    "auditor": "Auditor",
    "moderator": "Moderator",
    "practice_lead": "Practice lead",
    "manager": "Manager",
    "leader": "Leader",
}

# scrypt is memory-hard and ships with Werkzeug, so no extra dependency is needed.
# Tests configure cheaper scrypt parameters (PASSWORD_HASH_METHOD) to stay fast.
DEFAULT_PASSWORD_METHOD = "scrypt"  # noqa: S105 (a hash method, not a password)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint("role IN ('" + "', '".join(ROLES) + "')", name="known_role"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # The single sign-on provider's subject for this person, recorded at their first single
    # sign-on (audit_app/auth/sso.py); later sign-ins are matched by it, not by email.
    sso_subject: Mapped[str | None] = mapped_column(String(255), index=True, unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # The session generation: every session cookie names it, and the user loader refuses a
    # cookie naming an older one. Signing out, deactivation and a password change bump it.
    session_version: Mapped[int] = mapped_column(default=1)
    # Incremented on every admin edit; a form posting an older value is a conflicting edit.
    row_version: Mapped[int] = mapped_column(default=1)

    team = relationship("Team", foreign_keys=[team_id])
    role_rows = relationship(
        "UserRole", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @staticmethod
    def normalise_email(email):
        return (email or "").strip().lower()

    @property
    def roles(self):
        return {row.role for row in self.role_rows}

    @roles.setter
    def roles(self, new_roles):
        unknown = set(new_roles) - set(ROLES)
        if unknown:
            raise ValueError(f"Unknown role: {', '.join(sorted(unknown))}")
        keep = [row for row in self.role_rows if row.role in new_roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(set(new_roles) - have)]

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

    def set_password(self, password):
        method = DEFAULT_PASSWORD_METHOD
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def end_sessions(self):
        """End every session of this user (on every device) at the next flush. The
        database does the counting, so two bumps at once are both kept."""
        if inspect(self).persistent:
            self.session_version = User.session_version + 1

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self):  # Flask-Login refuses sign-in to inactive users
        return self.active

    def get_id(self):
        # The session version makes a password change end every other session.
        return f"{self.id}:{self.session_version}"

    def __repr__(self):
        return f"<User {self.email}>"
