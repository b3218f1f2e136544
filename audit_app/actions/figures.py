"""Figures about actions for a quarter, counted by the database (a fixed number of queries).

- Completed on time: actions due in the quarter that were completed on or before their due
  date, over actions due in the quarter. Cancelled actions are left out, and so are open
  ones not yet due (they cannot be judged yet).
- Overdue by team: of the actions raised in the quarter (cancelled ones left out), those
  open and overdue today, for each team.
- Median working days from raised to completed, for actions completed in the quarter.

Each proportion is a Figure (measures/figures.py): numerator, denominator and its 95% Wilson
interval. `scope` narrows every figure to a team, service or template (lists.scope).
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from audit_app.extensions import db
from audit_app.measures.figures import Figure
from audit_app.models import Action, Case, Team
from audit_app.models.actions import CANCELLED, DONE, PROPOSED
from audit_app.workdays import working_days_between


@dataclass(frozen=True)
class TeamFigure:
    team: str
    figure: Figure


@dataclass(frozen=True)
class ActionFigures:
    on_time: Figure
    overdue_by_team: list
    median_working_days: float | None
    completed: int  # how many actions the median is of


def _counted(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _raised():
    """Actions that have been raised and not cancelled."""
    return Action.status.not_in((PROPOSED, CANCELLED))


def on_time_query(start, end, day, *columns):
    """The one definition of "completed on time": SELECT `columns`, `due` (actions due from
    start to end, cancelled ones and open ones not yet due on `day` left out) and `on_time`
    (those completed on or before their due date). Callers add joins, filters and grouping:
    the all-actions page its filters, the measures catalogue its scopes and breakdowns."""
    done = Action.status.in_(DONE)
    return (
        select(*columns, func.count().label("due"),
               _counted(and_(done, Action.completed_on <= Action.due_on)).label("on_time"))
        .select_from(Action)
        .where(_raised(), Action.due_on.between(start, end), or_(done, Action.due_on < day))
    )


def completed_on_time(quarter, day, scope=()):
    total, on_time = db.session.execute(
        on_time_query(quarter.start, quarter.end, day).where(*scope)).one()
    return Figure.from_counts(on_time, total)


def overdue_by_team(quarter, day, scope=()):
    rows = db.session.execute(
        select(Team.name, func.count(), _counted(Action.overdue_on(day)))
        .join(Case, Case.id == Action.case_id).join(Team, Team.id == Case.team_id)
        .where(_raised(), Action.raised_on.between(quarter.start, quarter.end), *scope)
        .group_by(Team.name).order_by(Team.name)
    ).all()
    return [TeamFigure(name, Figure.from_counts(overdue, total))
            for name, total, overdue in rows]


def median_working_days(counted):
    """The median number of working days from raised to completed.

    `counted`: (raised_on, completed_on, how many actions) rows. Working days are those
    after the day raised up to and including the day done (audit_app/workdays.py), so an
    action done the day it was raised took 0. None when there are no actions.
    """
    days = sorted((working_days_between(raised, done), count)
                  for raised, done, count in counted if count)
    total = sum(count for _, count in days)
    if not total:
        return None

    def nth(position):  # the position-th value (from 0) of the sorted list, repeats expanded
        for value, count in days:
            if position < count:
                return value
            position -= count
        raise IndexError(position)

    middle = total // 2
    return float(nth(middle)) if total % 2 else (nth(middle - 1) + nth(middle)) / 2


def completion_times(quarter, scope=()):
    """(raised_on, completed_on, count) for the actions completed in the quarter: one row
    per pair of days, however many actions there are."""
    return db.session.execute(
        select(Action.raised_on, Action.completed_on, func.count())
        .where(Action.status.in_(DONE), Action.completed_on.between(quarter.start, quarter.end),
               *scope)
        .group_by(Action.raised_on, Action.completed_on)
    ).all()


def for_quarter(quarter, day, scope=()):
    times = completion_times(quarter, scope)
    return ActionFigures(
        on_time=completed_on_time(quarter, day, scope),
        overdue_by_team=overdue_by_team(quarter, day, scope),
        median_working_days=median_working_days(times),
        completed=sum(count for _, _, count in times),
    )
