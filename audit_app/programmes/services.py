"""Audit programmes: creating them and allocating cases to auditors, by hand or by random draw.

The rules are plain functions that tests call directly. Every change writes an event in the
same transaction; callers commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from audit_app.eventlog import changes, record, snapshot
from audit_app.extensions import db
from audit_app.models import (
    COHORTS,
    Audit,
    AuditTemplate,
    Case,
    CaseCohort,
    Programme,
    ProgrammeDraw,
    TemplateVersion,
    User,
    UserRole,
)
from audit_app.models.audits import ALLOCATED, IN_PROGRESS, RETURNED, SUBMITTED
from audit_app.models.templates import PUBLISHED
from audit_app.programmes import sampling
from audit_app.settings import get_setting
from audit_app.team_managers import managed_team_ids, manages
from audit_app.templating import format_date
from audit_app.timeutil import utcnow
from audit_app.versioning import bump

# The quality-assurance team runs programmes; leaders and practice leads may read them.
MANAGE_ROLES = ("admin", "moderator")
READ_ROLES = (*MANAGE_ROLES, "leader", "practice_lead")

PROGRAMME_FIELDS = ("name", "template_id", "period_start", "period_end", "due_on")
ALLOCATION_FIELDS = (
    "programme_id", "case_id", "auditor_id", "template_version_id", "draw_id", "status",
    "due_on", "conflict_of_interest",
)
RECENT_DAYS = 365
MAX_DRAW = 1000
WARN, BLOCK = "warn", "block"


class ProgrammeError(ValueError):
    """Input a rule refuses. `errors` maps form field names to messages."""

    def __init__(self, errors):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# Programmes ---------------------------------------------------------------------------------


def templates_with_published_version():
    published = select(TemplateVersion.template_id).where(TemplateVersion.status == PUBLISHED)
    return db.session.scalars(
        select(AuditTemplate).where(AuditTemplate.id.in_(published)).order_by(AuditTemplate.name)
    ).all()


def _has_allocations(programme):
    return db.session.scalar(
        select(exists().where(Audit.programme_id == programme.id))
    )


def programme_errors(values, programme=None):
    """Field name -> message for every rule the values break; empty when they are fine."""
    errors = {}
    template = db.session.get(AuditTemplate, values["template_id"]) if values.get(
        "template_id") else None
    if template is None:
        errors["template_id"] = "Select a template"
    elif template.latest_published is None:
        errors["template_id"] = (
            f"{template.name} has no published version. Publish it before starting a "
            "programme with it"
        )
    elif (
        programme is not None
        and template.id != programme.template_id
        and _has_allocations(programme)
    ):
        # Allocated audits were made on the old template's version.
        errors["template_id"] = (
            "You cannot change the template because cases have already been allocated"
        )
    start, end, due = values.get("period_start"), values.get("period_end"), values.get("due_on")
    if start and end and end < start:
        errors["period_end"] = (
            "The end of the audit period must be the same as or after the start"
        )
    if start and due and due < start:
        errors["due_on"] = (
            "The due date must be the same as or after the start of the audit period"
        )
    return errors


def create_programme(*, actor=None, **values):
    values["name"] = values["name"].strip()
    errors = programme_errors(values)
    if errors:
        raise ProgrammeError(errors)
    programme = Programme(**values, created_by_id=actor.id if actor else None)
    db.session.add(programme)
    db.session.flush()
    record("programme", programme.id, "created", after=snapshot(programme, PROGRAMME_FIELDS),
           actor=actor)
    return programme


def update_programme(programme, values, actor=None):
    """Apply an edit (the caller has checked the row version) and log what changed.

    Allocations keep the due date they were given: a new due date applies to new ones.
    """
    values = {**values, "name": values["name"].strip()}
    errors = programme_errors(values, programme)
    if errors:
        raise ProgrammeError(errors)
    before = snapshot(programme, PROGRAMME_FIELDS)
    for name in PROGRAMME_FIELDS:
        setattr(programme, name, values[name])
    before, after = changes(before, snapshot(programme, PROGRAMME_FIELDS))
    if after:
        record("programme", programme.id, "updated", before=before, after=after, actor=actor)
    return programme


def allocation_counts(programme_ids):
    """programme id -> (allocated, submitted), counted by the database."""
    if not programme_ids:
        return {}
    rows = db.session.execute(
        select(
            Audit.programme_id,
            func.count(Audit.id),
            func.count(Audit.id).filter(Audit.status == SUBMITTED),
        )
        .where(Audit.programme_id.in_(programme_ids))
        .group_by(Audit.programme_id)
    )
    return {pid: (allocated, submitted) for pid, allocated, submitted in rows}


# Conflict of interest ---------------------------------------------------------------------


def conflict_decision(auditor, case, policy):
    """None when there is no conflict; else the policy: "warn" allocates and flags the audit,
    "block" refuses the allocation. The conflict: the auditor manages the case's team."""
    if policy not in (WARN, BLOCK):
        raise ValueError(f"unknown conflict of interest policy {policy!r}")
    return policy if manages(auditor, case.team_id) else None


def conflict_message(auditor, case):
    return (
        f"{auditor.name} manages {case.team.name}, the team case {case.reference} belongs to"
    )


# Allocation ---------------------------------------------------------------------------------


def _lock(programme):
    """Allocations to one programme take turns: this bumps its row version (one UPDATE,
    which holds the row, and on SQLite the database, until the transaction ends), so the
    "already in this programme" checks and draws that follow see every earlier allocation,
    and an edit of the programme rendered before this allocation conflicts."""
    bump(programme)


def find_case(reference):
    return db.session.scalar(select(Case).where(Case.has_reference(reference)))


def _in_programme(programme_id, case_id):
    return db.session.scalar(
        select(exists().where(Audit.programme_id == programme_id, Audit.case_id == case_id))
    )


def auditors():
    """Active users who hold the auditor role, by name: everyone a case can be allocated to."""
    return db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.active, UserRole.role == "auditor")
        .order_by(User.name, User.id)
    ).all()


def _is_auditor(user):
    return user is not None and user.active and user.has_role("auditor")


def _published_version(programme):
    version = programme.template.latest_published
    if version is None:
        raise ProgrammeError({"case_reference": f"{programme.template.name} has no published "
                                                "version, so no case can be allocated"})
    return version


def _new_audit(programme, version, case, auditor, conflict, actor, draw=None):
    audit = Audit(
        programme_id=programme.id,
        case_id=case.id,
        auditor_id=auditor.id,
        template_version_id=version.id,
        draw_id=draw.id if draw is not None else None,
        status=ALLOCATED,
        due_on=programme.due_on,
        conflict_of_interest=conflict,
        allocated_at=utcnow(),
        allocated_by_id=actor.id if actor else None,
    )
    db.session.add(audit)
    return audit


def _log_allocation(audit, case, actor):
    after = snapshot(audit, ALLOCATION_FIELDS)
    after["case_reference"] = case.reference
    record("audit", audit.id, "allocated", after=after, actor=actor)


@dataclass
class Allocation:
    audit: Audit
    case: Case
    auditor: User

    @property
    def conflict(self):
        return self.audit.conflict_of_interest


def allocate_by_hand(programme, reference, auditor_id, actor=None, policy=None):
    """Allocate the case with `reference` to an auditor, under the conflict of interest policy
    (the admin setting unless given)."""
    policy = policy or get_setting("conflict_of_interest")
    reference = (reference or "").strip()
    _lock(programme)
    errors = {}
    case = find_case(reference) if reference else None
    if not reference:
        errors["case_reference"] = "Enter a case reference"
    elif case is None:
        errors["case_reference"] = f"No case with reference {reference}"
    elif _in_programme(programme.id, case.id):
        errors["case_reference"] = f"Case {reference} is already in this programme"
    auditor = db.session.get(User, auditor_id) if auditor_id else None
    if not _is_auditor(auditor):
        errors["auditor_id"] = "Select an auditor"
    elif case is not None and conflict_decision(auditor, case, policy) == BLOCK:
        errors["auditor_id"] = (
            f"{conflict_message(auditor, case)}. Conflicts of interest are not allowed: "
            "choose another auditor"
        )
    if errors:
        raise ProgrammeError(errors)
    version = _published_version(programme)
    conflict = conflict_decision(auditor, case, policy) == WARN
    audit = _new_audit(programme, version, case, auditor, conflict, actor)
    db.session.flush()
    _log_allocation(audit, case, actor)
    return Allocation(audit, case, auditor)


def allocate_for(programme, case, auditor, actor=None):
    """Allocate `case` to `auditor` for another workflow that makes its own audits (a dip
    sample's compliance checklist, done by its practice lead on the same visit). A conflict
    of interest is flagged, never refused: the workflow chose the person."""
    _lock(programme)
    version = _published_version(programme)
    audit = _new_audit(programme, version, case, auditor, manages(auditor, case.team_id), actor)
    db.session.flush()
    _log_allocation(audit, case, actor)
    return audit


def can_remove(audit):
    """Only an allocation nobody has started may be removed; started audits are kept."""
    return audit.status == ALLOCATED and audit.started_at is None


def remove_allocation(audit, actor=None):
    # Anything hanging off the audit means work was done on it, whatever its status says.
    if not can_remove(audit) or audit.answers or audit.actions or audit.escalations:
        raise ProgrammeError(
            {"audit": f"The audit of case {audit.case.reference} has been started, so it "
                      "cannot be removed"}
        )
    before = snapshot(audit, ALLOCATION_FIELDS)
    before["case_reference"] = audit.case.reference
    record("audit", audit.id, "allocation_removed", before=before, actor=actor)
    db.session.delete(audit)


# Random draws -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawFilter:
    """Which cases may be drawn: in any of `team_ids` (none = all teams), in any of `cohorts`
    (none = all), and open on `open_on` (None = whatever their dates)."""

    team_ids: tuple = ()
    cohorts: tuple = ()
    open_on: date | None = None

    def as_json(self, n):
        return {
            "team_ids": sorted(self.team_ids),
            "cohorts": sorted(self.cohorts),
            "open_on": self.open_on.isoformat() if self.open_on else None,
            "n": n,
        }

    def matches(self, case):
        return (
            (not self.team_ids or case.team_id in self.team_ids)
            and (not self.cohorts or bool(case.cohorts & set(self.cohorts)))
            and (self.open_on is None or case.is_open_on(self.open_on))
        )


def _matching_cases(programme_id, flt):
    query = select(Case.id)
    if flt.team_ids:
        query = query.where(Case.team_id.in_(flt.team_ids))
    if flt.cohorts:
        query = query.where(
            exists().where(CaseCohort.case_id == Case.id, CaseCohort.cohort.in_(flt.cohorts))
        )
    if flt.open_on is not None:
        query = query.where(
            Case.opened_on <= flt.open_on,
            or_(Case.closed_on.is_(None), Case.closed_on >= flt.open_on),
        )
    already = select(Audit.case_id).where(Audit.programme_id == programme_id)
    return query.where(Case.id.not_in(already))


def recently_audited(programme_id, now):
    """Case ids audited in the last 12 months: an audit submitted in the 365 days before `now`,
    or one still open (allocated, in progress, returned) in another programme."""
    cutoff = now - timedelta(days=RECENT_DAYS)
    return select(Audit.case_id).where(
        or_(
            Audit.submitted_at >= cutoff,
            (Audit.programme_id != programme_id)
            & Audit.status.in_((ALLOCATED, IN_PROGRESS, RETURNED)),
        )
    )


def sampling_frame(programme_id, flt, include_recent=False, now=None):
    """(ids of the cases that may be drawn, in id order; how many were skipped as recently
    audited). Cases already in the programme are never in the frame."""
    now = now or utcnow()
    query = _matching_cases(programme_id, flt)
    skipped = 0
    if not include_recent:
        recent = recently_audited(programme_id, now)
        skipped = db.session.scalar(
            select(func.count()).select_from(query.where(Case.id.in_(recent)).subquery())
        )
        query = query.where(Case.id.not_in(recent))
    # Ordered by id so the same register and seed always give the same draw.
    return list(db.session.scalars(query.order_by(Case.id))), skipped


class Unallocatable(ValueError):
    def __init__(self, cases):
        super().__init__(", ".join(c.reference for c in cases))
        self.cases = cases


def assign_round_robin(cases, auditors, policy, managed):
    """[(case, auditor, conflict of interest)] for `cases` in order.

    Auditors take turns: each case goes to the auditor who has waited longest and has no
    conflict of interest with it (`managed`: {auditor id: ids of the teams they manage}).
    When every auditor has one, "warn" gives the case to the longest-waiting auditor,
    flagged, and "block" raises Unallocatable listing such cases.
    """
    if not auditors:
        raise ValueError("at least one auditor is needed")
    queue = list(auditors)
    plan, refused = [], []
    for case in cases:
        free = next((a for a in queue if case.team_id not in managed.get(a.id, ())), None)
        if free is None and policy == BLOCK:
            refused.append(case)
            continue
        auditor = free if free is not None else queue[0]
        queue.remove(auditor)
        queue.append(auditor)
        plan.append((case, auditor, free is None))
    if refused:
        raise Unallocatable(refused)
    return plan


@dataclass
class DrawOutcome:
    draw: ProgrammeDraw
    allocations: list

    @property
    def whole_frame(self):
        return self.draw.requested >= self.draw.frame_size


def skipped_sentence(skipped):
    if skipped == 1:
        return "1 case was skipped because it was audited in the last 12 months"
    return f"{skipped} cases were skipped because they were audited in the last 12 months"


def draw_cases(programme, *, flt, requested, seed, auditor_ids, include_recent=False,
               actor=None, now=None, policy=None):
    """Draw up to `requested` cases at random from the frame and allocate them round-robin."""
    policy = policy or get_setting("conflict_of_interest")
    now = now or utcnow()
    if not 1 <= requested <= MAX_DRAW:
        raise ProgrammeError({"requested": f"Enter a number of cases from 1 to {MAX_DRAW}"})
    chosen_auditors = [db.session.get(User, i) for i in auditor_ids]
    if not chosen_auditors or not all(_is_auditor(a) for a in chosen_auditors):
        raise ProgrammeError({"auditor_ids": "Select at least one auditor"})
    _lock(programme)
    frame, skipped = sampling_frame(programme.id, flt, include_recent, now)
    if not frame:
        message = "No cases match this filter"
        if skipped:
            message += f": {skipped_sentence(skipped)}"
        raise ProgrammeError({"team_ids": message})
    chosen_ids = sampling.draw(frame, seed, requested)
    by_id = {
        c.id: c for c in db.session.scalars(
            select(Case).where(Case.id.in_(chosen_ids)).options(joinedload(Case.team))
        )
    }
    try:
        plan = assign_round_robin([by_id[i] for i in chosen_ids], chosen_auditors, policy,
                                  {a.id: managed_team_ids(a) for a in chosen_auditors})
    except Unallocatable as error:
        refs = ", ".join(c.reference for c in error.cases)
        raise ProgrammeError({"auditor_ids": (
            f"Every auditor you selected manages the team of case {refs}, and conflicts of "
            "interest are not allowed: select another auditor as well"
        )}) from None
    version = _published_version(programme)
    draw = ProgrammeDraw(
        programme_id=programme.id,
        seed=seed,
        numpy_version=sampling.NUMPY_VERSION,
        filters=flt.as_json(requested),
        requested=requested,
        frame_size=len(frame),
        skipped_recent=skipped,
        include_recent=include_recent,
        drawn_at=now,
        drawn_by_id=actor.id if actor else None,
    )
    db.session.add(draw)
    db.session.flush()
    allocations = []
    for case, auditor, conflict in plan:
        audit = _new_audit(programme, version, case, auditor, conflict, actor, draw=draw)
        allocations.append(Allocation(audit, case, auditor))
    db.session.flush()
    for allocation in allocations:
        _log_allocation(allocation.audit, allocation.case, actor)
    record("programme_draw", draw.id, "drawn", after={
        "programme_id": programme.id,
        "seed": str(seed),  # as text: JSON readers lose precision past 2**53
        "numpy_version": draw.numpy_version,
        "filters": draw.filters,
        "requested": requested,
        "frame_size": draw.frame_size,
        "skipped_recent": skipped,
        "include_recent": include_recent,
        "drawn": len(allocations),
        "case_references": [a.case.reference for a in allocations],
        "conflicts_of_interest": sum(a.conflict for a in allocations),
    }, actor=actor)
    return DrawOutcome(draw, allocations)


def describe_filters(filters, team_names):
    """A draw's filter in words, for people reading the programme page."""
    teams = sorted(team_names.get(i, f"team {i}") for i in filters.get("team_ids") or [])
    cohorts = [COHORTS.get(c, c) for c in filters.get("cohorts") or []]
    parts = [
        "Teams: " + ", ".join(teams) if teams else "All teams",
        "cohorts: " + ", ".join(cohorts) if cohorts else "all cohorts",
    ]
    if filters.get("open_on"):
        parts.append("open on " + format_date(date.fromisoformat(filters["open_on"])))
    return "; ".join(parts)
