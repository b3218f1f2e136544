"""Who manages a team: one rule, used for notifying, acknowledging escalations, conflicts of
interest and access.

An ACTIVE user manages a team when they are named as its manager (Team.manager_id, set on
the team's admin page), or when they hold the manager role and belong to the team (as
`create-user --role manager --team ...` in the README sets a manager up). A deactivated
user manages nothing, whatever the team still says.
"""

from sqlalchemy import and_, exists, or_, select

from audit_app.extensions import db
from audit_app.models import Team, User, UserRole


def manages_condition(user, team):
    """SQL: the row of `user` (User or an alias) manages the row of `team` (Team or an
    alias). Both must be in the query's FROM."""
    has_manager_role = exists().where(UserRole.user_id == user.id, UserRole.role == "manager")
    return and_(
        user.active,
        or_(team.manager_id == user.id, and_(user.team_id == team.id, has_manager_role)),
    )


def managed_teams(user):
    """SQL select of the ids of the teams `user` manages (for `Case.team_id.in_(...)`)."""
    return select(Team.id).join(User, User.id == user.id).where(manages_condition(User, Team))


def managed_team_ids(user):
    return set(db.session.scalars(managed_teams(user)))


def manages(user, team_id):
    return team_id is not None and team_id in managed_team_ids(user)


def managers_of(team_id):
    """The users who manage the team, the one named on the team first, then by name."""
    return db.session.scalars(
        select(User).join(Team, Team.id == team_id)
        .where(manages_condition(User, Team))
        .order_by((Team.manager_id == User.id).desc(), User.name, User.id)
    ).all()
