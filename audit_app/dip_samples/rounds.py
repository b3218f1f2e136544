"""Dip-sample rounds: creating one, its frame, the draw, swapping a case, and when a round is
done. Plain functions that the pages and tests call; callers commit (or roll back on an
error). Every change writes an event in the same transaction.

The frame: cases with actions (from any audit, moderation or earlier dip sample) still to be
checked, that is open or completed, that were due or completed in the round's window (UK
days, both ends included), on the round's team or service when it names one. Sorted by case
id, so the stored seed draws the same cases again (audit_app/programmes/sampling.py).
"""

import calendar
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from audit_app.actions.workflow import clean_text
from audit_app.dip_samples import access
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import (
    Action,
    Audit,
    AuditTemplate,
    Case,
    DipSampleCase,
    DipSampleCheck,
    DipSampleRound,
    Service,
    Team,
)
from audit_app.models.actions import COMPLETED, OPEN, PROPOSED
from audit_app.models.audits import SUBMITTED
from audit_app.models.dip_samples import BY_HAND, MAX_SIZE, RANDOM
from audit_app.programmes import sampling
from audit_app.programmes import services as programmes
from audit_app.timeutil import today as uk_today
from audit_app.timeutil import utcnow
from audit_app.versioning import EditConflict, bump, claim

# Actions a dip sample still has to check: done and not yet verified, or open.
TO_CHECK = (OPEN, COMPLETED)
# How far from today a round's month may be, and how long a window.
MONTHS_BACK, MONTHS_AHEAD = 12, 2
LONGEST_WINDOW = timedelta(days=3 * 366)


class DipSampleError(Exception):
    """A change the rules refuse. `problems` maps form fields to messages, in form order."""

    def __init__(self, problems):
        self.problems = problems if isinstance(problems, dict) else {None: problems}
        super().__init__(next(iter(self.problems.values())))


def _refuse(problems):
    if problems:
        raise DipSampleError(problems)


# -- months -------------------------------------------------------------------------------------

def month_of(day):
    return day.replace(day=1)


def month_end(month):
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month, count):
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_label(month):
    return f"{month:%B %Y}"


def months_offered(today):
    """The months a new round may count towards, newest first."""
    this = month_of(today)
    return [add_months(this, n) for n in range(MONTHS_AHEAD, -MONTHS_BACK - 1, -1)]


# -- the frame ----------------------------------------------------------------------------------

def frame_query(window_start, window_end, team_id=None, service_id=None):
    """SQL: the ids of the cases in the frame, in id order."""
    in_window = or_(Action.due_on.between(window_start, window_end),
                    Action.completed_on.between(window_start, window_end))
    query = select(Case.id).where(exists().where(
        Action.case_id == Case.id, Action.status.in_(TO_CHECK), in_window))
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    if service_id is not None:
        query = query.where(Case.team_id.in_(select(Team.id).where(Team.service_id == service_id)))
    return query.order_by(Case.id)


def frame_of(round_):
    return list(db.session.scalars(frame_query(round_.window_start, round_.window_end,
                                               round_.team_id, round_.service_id)))


def frame_size(round_):
    return db.session.scalar(select(func.count()).select_from(
        frame_query(round_.window_start, round_.window_end, round_.team_id,
                    round_.service_id).order_by(None).subquery()))


# -- creating a round ---------------------------------------------------------------------------

def compliance_templates():
    """Templates a round may attach: compliance templates with a published version."""
    return [t for t in db.session.scalars(
        select(AuditTemplate).where(AuditTemplate.purpose == "compliance")
        .order_by(AuditTemplate.name)) if t.latest_published is not None]


def round_problems(user, month, size, window_start, window_end, team_id, service_id,
                   template_id, today):
    problems = {}
    if not access.may_start(user):
        problems[None] = "Only a practice lead can start a dip sample."
    if month not in months_offered(today):
        problems["month"] = "Select the month the dip sample counts towards"
    if size is None or not 1 <= size <= MAX_SIZE:
        problems["size"] = f"Number of cases must be a whole number from 1 to {MAX_SIZE}"
    if window_start is None:
        problems["window_start"] = "Enter the first day of the window"
    if window_end is None:
        problems["window_end"] = "Enter the last day of the window"
    elif window_start is not None and window_end < window_start:
        problems["window_end"] = "The last day of the window must be the same as or after " \
                                 "the first"
    elif window_end > today + timedelta(days=366):
        problems["window_end"] = "The last day of the window must be within a year of today"
    elif window_start is not None and window_end - window_start > LONGEST_WINDOW:
        problems["window_end"] = "The window must be 3 years or shorter"
    if team_id is not None and service_id is not None:
        problems["service_id"] = "Select a team or a service, not both"
    elif team_id is not None and db.session.get(Team, team_id) is None:
        problems["team_id"] = "Select a team from the list"
    elif service_id is not None and db.session.get(Service, service_id) is None:
        problems["service_id"] = "Select a service from the list"
    if template_id is not None and template_id not in {t.id for t in compliance_templates()}:
        problems["compliance_template_id"] = "Select a compliance template from the list"
    return problems


def create_round(user, month, size, window_start, window_end, team_id=None, service_id=None,
                 compliance_template_id=None, today=None):
    """A round for `user` (a practice lead) to draw."""
    _refuse(round_problems(user, month, size, window_start, window_end, team_id, service_id,
                           compliance_template_id, today or uk_today()))
    round_ = DipSampleRound(practice_lead_id=user.id, month=month, size=size,
                            window_start=window_start, window_end=window_end, team_id=team_id,
                            service_id=service_id, compliance_template_id=compliance_template_id,
                            created_by_id=user.id)
    db.session.add(round_)
    db.session.flush()
    record("dip_sample_round", round_.id, "created", None, {
        "practice_lead_id": user.id, "month": month.isoformat(), "size": size,
        "window_start": window_start.isoformat(), "window_end": window_end.isoformat(),
        "team_id": team_id, "service_id": service_id,
        "compliance_template_id": compliance_template_id}, actor=user)
    return round_


# -- drawing ------------------------------------------------------------------------------------

def _compliance_programme(round_, user):
    lead = round_.practice_lead
    programme = programmes.create_programme(
        name=f"Dip sample, {month_label(round_.month)}: {lead.name}"[:200],
        template_id=round_.compliance_template_id, period_start=round_.month,
        period_end=month_end(round_.month), due_on=month_end(round_.month), actor=user)
    round_.programme = programme
    return programme


def _add_case(round_, case_id, position, now, user, reason=RANDOM, **swap):
    sampled = DipSampleCase(round=round_, case_id=case_id, position=position, reason=reason,
                            added_at=now, **swap)
    db.session.add(sampled)
    db.session.flush()
    if round_.programme is not None:
        sampled.audit = programmes.allocate_for(round_.programme, sampled.case,
                                                round_.practice_lead, actor=user)
    return sampled


def draw(round_, user, seen, seed=None, now=None):
    """Draw the round's cases at random from its frame. `seen`: the round's version the page
    showed. A round is drawn once."""
    if not access.runs(user, round_):
        raise DipSampleError("Only the round's practice lead can draw it.")
    if seed is not None and not 0 <= seed <= sampling.MAX_SEED:
        raise DipSampleError({"seed": f"The seed must be a whole number from 0 to "
                                      f"{sampling.MAX_SEED}"})
    claim(round_, seen, DipSampleRound.drawn_at.is_(None))
    frame = frame_of(round_)
    if not frame:
        raise DipSampleError({"seed": "No cases have actions to check that were due or "
                                      "completed in the window: change the round's window, "
                                      "team or service"})
    seed = sampling.fresh_seed() if seed is None else seed
    now = now or utcnow()
    round_.seed, round_.numpy_version = seed, sampling.NUMPY_VERSION
    round_.frame_size, round_.drawn_at, round_.drawn_by_id = len(frame), now, user.id
    if round_.compliance_template_id is not None:
        _compliance_programme(round_, user)
    chosen = sampling.draw(frame, seed, round_.size)
    sampled = [_add_case(round_, case_id, position, now, user)
               for position, case_id in enumerate(chosen, start=1)]
    record("dip_sample_round", round_.id, "drawn", None, {
        "seed": str(seed),  # as text: JSON readers lose precision past 2**53
        "numpy_version": round_.numpy_version, "size": round_.size,
        "frame_size": len(frame), "frame_case_ids": frame,
        "case_references": [s.case.reference for s in sampled]}, actor=user)
    return sampled


# -- swapping a case by hand --------------------------------------------------------------------

def _has_actions_to_check(case_id):
    return db.session.scalar(select(exists().where(Action.case_id == case_id,
                                                   Action.status.in_(TO_CHECK))))


def swap(sampled, user, seen, reference, reason, now=None):
    """Put another case in the place of `sampled`, with the reason, before any of its actions
    is checked. `seen`: the round's version the page showed."""
    round_ = sampled.round
    if not access.may_swap(user, sampled):
        raise DipSampleError("Only the round's practice lead can swap its cases.")
    problems = {}
    reference = (reference or "").strip()
    case = None
    if not reference:
        problems["reference"] = "Enter the reference of the case to check instead"
    elif len(reference) > 60 or not reference.isprintable():
        problems["reference"] = "Enter the case reference as it is in the case-record system"
    else:
        case = db.session.scalar(select(Case).where(Case.has_reference(reference)))
        if case is None:
            problems["reference"] = f"No case has the reference {reference}"
        elif case.id == sampled.case_id:
            problems["reference"] = f"Case {case.reference} is the case being swapped out"
        elif case.id in {s.case_id for s in round_.cases}:
            problems["reference"] = f"Case {case.reference} is already in this dip sample"
        elif not _has_actions_to_check(case.id):
            problems["reference"] = (f"Case {case.reference} has no open or completed "
                                     "actions to check")
    text, problem = clean_text(reason, "The reason", "Give the reason for swapping the case")
    if problem:
        problems["reason"] = problem
    _refuse(problems)
    claim(round_, seen, DipSampleRound.drawn_at.is_not(None))
    # Checks of the case take turns with this (they bump the case too), so none slips in.
    if not bump(sampled, DipSampleCase.removed_at.is_(None)):
        raise EditConflict()
    checked = db.session.scalar(select(exists().where(
        DipSampleCheck.sampled_case_id == sampled.id)))
    if checked or (sampled.audit is not None and not programmes.can_remove(sampled.audit)):
        raise DipSampleError({"reference": f"Case {sampled.case.reference} cannot be swapped: "
                                           "its checks have been started"})
    now = now or utcnow()
    sampled.removed_at, sampled.removed_by_id = now, user.id
    old_audit, sampled.audit = sampled.audit, None
    if old_audit is not None:
        db.session.flush()
        programmes.remove_allocation(old_audit, actor=user)
    try:
        replacement = _add_case(round_, case.id, sampled.position, now, user, reason=BY_HAND,
                                swap_reason=text, replaces=sampled)
    except IntegrityError:  # the same case added by another tab meanwhile
        raise EditConflict() from None
    record("dip_sample_round", round_.id, "case_swapped",
           {"case_reference": sampled.case.reference},
           {"case_reference": case.reference}, note=text, actor=user)
    return replacement


# -- what is left to do -------------------------------------------------------------------------

def listed_actions_query(sampled):
    """The actions a sampled case's page lists: every action on the case from audits before
    the case was sampled (proposed ones are not raised yet)."""
    return (select(Action).where(Action.case_id == sampled.case_id, Action.status != PROPOSED,
                                 Action.created_at <= sampled.added_at)
            .order_by(Action.raised_on, Action.id))


def case_done_sql():
    """SQL: the sampled case (DipSampleCase in the FROM) is done: still in the sample, each
    of its listed actions still to check has a check, and its compliance audit, if any, is
    submitted."""
    # Correlated by name: nested two deep, the check must be of this sampled case, not of
    # any sample of the case (a check in last month's sample does not do this month's).
    checked = exists().where(DipSampleCheck.sampled_case_id == DipSampleCase.id,
                             DipSampleCheck.action_id == Action.id).correlate(DipSampleCase,
                                                                              Action)
    unchecked = exists().where(
        Action.case_id == DipSampleCase.case_id, Action.created_at <= DipSampleCase.added_at,
        Action.status.in_(TO_CHECK), ~checked)
    audit_open = exists().where(Audit.id == DipSampleCase.audit_id, Audit.status != SUBMITTED)
    return and_(DipSampleCase.removed_at.is_(None), ~unchecked, ~audit_open)


def round_complete_sql():
    """SQL: the round (DipSampleRound in the FROM) is drawn and every case in it is done."""
    live = select(DipSampleCase.id).where(DipSampleCase.round_id == DipSampleRound.id,
                                          DipSampleCase.removed_at.is_(None))
    return and_(DipSampleRound.drawn_at.is_not(None),
                ~exists(live.where(~case_done_sql())))


def done_case_ids(round_):
    return set(db.session.scalars(select(DipSampleCase.id).where(
        DipSampleCase.round_id == round_.id, case_done_sql())))


def is_complete(round_):
    return bool(db.session.scalar(select(exists().where(
        DipSampleRound.id == round_.id, round_complete_sql()))))


def open_rounds_of(user):
    """The practice lead's rounds not done yet, newest month first."""
    return db.session.scalars(
        select(DipSampleRound).where(DipSampleRound.practice_lead_id == user.id,
                                     ~round_complete_sql())
        .order_by(DipSampleRound.month.desc(), DipSampleRound.id.desc())).all()


def progress(round_ids):
    """{round id: (cases in the sample, cases done)}: one query for any number of rounds."""
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(DipSampleCase.round_id, func.count(),
               func.coalesce(func.sum(case((case_done_sql(), 1), else_=0)), 0))
        .where(DipSampleCase.round_id.in_(round_ids), DipSampleCase.removed_at.is_(None))
        .group_by(DipSampleCase.round_id)).all()
    return {round_id: (sampled, done) for round_id, sampled, done in rows}
