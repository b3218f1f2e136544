"""The lists of actions the pages show: a fixed number of queries however many there are.

Every list is ordered for work: overdue first, then by due date.
"""

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from audit_app.extensions import db
from audit_app.measures.periods import Quarter, quarters_between
from audit_app.models import Action, Audit, Case, Team, TemplateVersion, User
from audit_app.models.actions import CANCELLED, DONE, OPEN, PROPOSED
from audit_app.team_managers import managed_teams

PAGE_SIZE = 50
# The short lists of each page; "all" shows every status.
SHOWING = {"open": "Open", "done": "Completed or verified", "cancelled": "Cancelled",
           "all": "All"}
STATUS_GROUPS = {"open": (OPEN,), "done": DONE, "cancelled": (CANCELLED,)}


def for_work(day):
    """ORDER BY: overdue first, then by due date."""
    return (case((Action.overdue_on(day), 0), else_=1), Action.due_on, Action.id)


def _with_details(query):
    return query.options(joinedload(Action.case).joinedload(Case.team),
                         joinedload(Action.owner))


def _listed(query, showing, day):
    query = query.where(Action.status != PROPOSED)
    if showing in STATUS_GROUPS:
        query = query.where(Action.status.in_(STATUS_GROUPS[showing]))
    return _with_details(query).order_by(*for_work(day))


def owned(user, showing, day):
    """My actions."""
    return _listed(select(Action).where(Action.owner_id == user.id), showing, day)


def of_managed_teams(user, showing, day):
    """Actions on the cases of the teams `user` manages."""
    query = select(Action).join(Case, Case.id == Action.case_id).where(
        Case.team_id.in_(managed_teams(user)))
    return _listed(query, showing, day)


def from_audits_by(user, showing, day):
    """Actions from the audits `user` wrote, and any they raised elsewhere."""
    query = select(Action).where(or_(
        Action.audit_id.in_(select(Audit.id).where(Audit.auditor_id == user.id)),
        Action.raised_by_id == user.id))
    return _listed(query, showing, day)


@dataclass(frozen=True)
class Filters:
    """The all-actions page's filters; None is "any"."""

    team_id: int | None = None
    service_id: int | None = None
    status: str | None = None
    overdue: bool = False
    owner_id: int | None = None  # 0: no owner
    template_id: int | None = None
    raised: Quarter | None = None


def scope(filters):
    """SQL conditions for the filters that say which actions a figure counts too: team,
    service and template."""
    conditions = []
    if filters.team_id is not None:
        conditions.append(Action.case_id.in_(
            select(Case.id).where(Case.team_id == filters.team_id)))
    if filters.service_id is not None:
        conditions.append(Action.case_id.in_(
            select(Case.id).join(Team).where(Team.service_id == filters.service_id)))
    if filters.template_id is not None:
        conditions.append(Action.audit_id.in_(
            select(Audit.id).join(TemplateVersion)
            .where(TemplateVersion.template_id == filters.template_id)))
    return conditions


def filtered(filters, day):
    """Every action (for those who see all), narrowed by the page's filters."""
    query = select(Action).where(Action.status != PROPOSED, *scope(filters))
    if filters.status is not None:
        query = query.where(Action.status == filters.status)
    if filters.overdue:
        query = query.where(Action.overdue_on(day))
    if filters.owner_id == 0:
        query = query.where(Action.owner_id.is_(None))
    elif filters.owner_id is not None:
        query = query.where(Action.owner_id == filters.owner_id)
    if filters.raised is not None:
        query = query.where(Action.raised_on.between(filters.raised.start, filters.raised.end))
    return _with_details(query).order_by(*for_work(day))


def owners():
    """Everyone who owns an action, for the owner filter (deactivated people included)."""
    return db.session.scalars(select(User).where(
        User.id.in_(select(Action.owner_id).where(Action.status != PROPOSED)))
        .order_by(User.name, User.id)).all()


def unowned(showing, day):
    """Actions nobody owns (raised when a team had no manager, before that was refused)."""
    return _listed(select(Action).where(Action.owner_id.is_(None),
                                        Action.status != PROPOSED), showing, day)


def count(query):
    """How many rows a list's query gives, counted by the database."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def open_counts(users):
    """{user id: open actions they own}."""
    return dict(db.session.execute(
        select(Action.owner_id, func.count()).where(
            Action.status == OPEN, Action.owner_id.in_([u.id for u in users]))
        .group_by(Action.owner_id)).all())


def quarters_raised(day):
    """The quarters from the first action raised to today's, newest first."""
    first = db.session.scalar(select(func.min(Action.raised_on)))
    today = Quarter.containing(day)
    return list(reversed(quarters_between(Quarter.containing(first) if first else today,
                                          today)))


def page(query, number):
    return db.paginate(query, page=number, per_page=PAGE_SIZE, error_out=False)


def follow_ups(action):
    return db.session.scalars(select(Action).where(Action.follow_up_of_id == action.id)
                              .order_by(Action.id)).all()


# -- home page panels ---------------------------------------------------------------------------

def needing_attention(user, day):
    """The owner's open actions that are overdue, due within 5 working days, or reopened by
    a dip sample."""
    return db.session.scalars(_with_details(select(Action).where(
        Action.owner_id == user.id, Action.status == OPEN,
        or_(Action.overdue_on(day), Action.due_soon_on(day), Action.reopened_at.is_not(None))))
        .order_by(*for_work(day))).all()


def without_active_owner():
    """Open actions with no owner or a deactivated one, until someone reassigns them."""
    return db.session.scalars(_with_details(
        select(Action).outerjoin(User, User.id == Action.owner_id)
        .where(Action.status == OPEN, or_(Action.owner_id.is_(None), ~User.active)))
        .order_by(Action.due_on, Action.id)).all()

