"""Services and teams: the organisation audits and actions are scoped by."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db


class Service(db.Model):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Incremented on every edit; a form posting an older value is a conflicting edit.
    row_version: Mapped[int] = mapped_column(default=1)
    # The head of service is told about safeguarding escalations on their teams' cases.
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, name="fk_services_head_id_users")
    )

    head = relationship("User", foreign_keys=[head_id])
    teams = relationship("Team", back_populates="service", order_by="Team.name")

    def __repr__(self):
        return f"<Service {self.name}>"


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    # The team manager owns actions on the team's cases by default.
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, name="fk_teams_manager_id_users")
    )
    active: Mapped[bool] = mapped_column(default=True)
    row_version: Mapped[int] = mapped_column(default=1)

    service = relationship("Service", back_populates="teams")
    manager = relationship("User", foreign_keys=[manager_id])

    def __repr__(self):
        return f"<Team {self.name}>"
