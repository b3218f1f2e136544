"""Dip-sample figures, counted by the database (a fixed number of queries).

- Confirmed followed up: of the actions a dip sample judged in the quarter (checked that
  quarter, by the UK day of the check), those found followed up. "Not yet due" is left out:
  nothing could be judged. A Figure: numerator, denominator, 95% Wilson interval.
- Coverage: for each practice lead and month, the sampled cases done (each action checked,
  any compliance audit submitted; rounds.case_done_sql) against the plan, the admin setting
  "dip_sample_plan" (8 cases a month in the reference action plan).
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from audit_app.dip_samples.rounds import add_months, case_done_sql
from audit_app.extensions import db
from audit_app.measures.figures import Figure
from audit_app.models import Action, DipSampleCase, DipSampleCheck, DipSampleRound, User, UserRole
from audit_app.models.dip_samples import FOLLOWED_UP, JUDGED
from audit_app.settings import get_setting


def _counted(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def followed_up_query(start, end, *columns):
    """The one definition of "confirmed followed up": SELECT `columns`, `judged` (dip-sample
    checks from start to end, by the UK day of the check, that judged the action: "not yet
    due" left out) and `followed_up` (those found followed up). Action is joined, for
    callers' filters, joins and grouping."""
    return (
        select(*columns, func.count().label("judged"),
               _counted(DipSampleCheck.outcome == FOLLOWED_UP).label("followed_up"))
        .select_from(DipSampleCheck).join(Action, Action.id == DipSampleCheck.action_id)
        .where(DipSampleCheck.outcome.in_(JUDGED), DipSampleCheck.checked_on.between(start, end))
    )


def confirmed_followed_up(quarter, scope=()):
    """Dip-sampled actions found followed up over those judged, checked in the quarter.
    `scope`: further SQL conditions on the action (the all-actions page's filters)."""
    judged, followed = db.session.execute(
        followed_up_query(quarter.start, quarter.end).where(*scope)).one()
    return Figure.from_counts(followed, judged)


def plan():
    """Cases each practice lead should dip-sample a month (the admin setting)."""
    return int(get_setting("dip_sample_plan"))


def quarter_months(quarter):
    return [add_months(quarter.start, n) for n in range(3)]


@dataclass(frozen=True)
class Cell:
    done: int
    sampled: int  # in the month's drawn rounds, swapped-out cases left out


@dataclass(frozen=True)
class CoverageRow:
    lead: User
    cells: list  # a Cell for each month, in order

    @property
    def done(self):
        return sum(cell.done for cell in self.cells)


def coverage(months):
    """A CoverageRow for every active practice lead, and anyone else with a round in the
    months, by name: two queries whatever the data."""
    counts = db.session.execute(
        select(DipSampleRound.practice_lead_id, DipSampleRound.month,
               func.count(DipSampleCase.id), _counted(case_done_sql()))
        .join(DipSampleCase, and_(DipSampleCase.round_id == DipSampleRound.id,
                                  DipSampleCase.removed_at.is_(None)))
        .where(DipSampleRound.month.in_(months))
        .group_by(DipSampleRound.practice_lead_id, DipSampleRound.month)
    ).all()
    found = {(lead_id, month): Cell(done, sampled) for lead_id, month, sampled, done in counts}
    leads = db.session.scalars(
        select(User).where(or_(
            and_(User.active, User.id.in_(select(UserRole.user_id)
                                          .where(UserRole.role == "practice_lead"))),
            User.id.in_({lead_id for lead_id, *_ in counts})))
        .order_by(User.name, User.id)).all()
    return [CoverageRow(lead, [found.get((lead.id, month), Cell(0, 0)) for month in months])
            for lead in leads]
