"""The case register: who sees which cases, and adding and changing them.

Each change is recorded in the event log in the same transaction; callers commit.
CSV import lives in `audit_app.cases.importer`.
"""

import re

from sqlalchemy import false, or_, select
from sqlalchemy.exc import IntegrityError

from audit_app import timeutil
from audit_app.eventlog import changes, record, snapshot
from audit_app.extensions import db
from audit_app.models import Case, CaseCohort, Team
from audit_app.models.cases import reference_key
from audit_app.team_managers import managed_teams, manages

CASE_FIELDS = ("reference", "team_id", "cohorts", "opened_on", "closed_on", "social_worker_id")
REFERENCE_MAX = 60

# Roles that see the whole register; managers see their own teams' cases only. Auditors
# reach the cases they audit through their audits, not through the register.
SEE_ALL_ROLES = ("admin", "moderator", "practice_lead", "leader")
LIST_ROLES = (*SEE_ALL_ROLES, "manager")
EDIT_ROLES = ("admin", "moderator")


class DuplicateError(ValueError):
    """The reference is already in the register. `field` names the form field."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


# --- who sees what -------------------------------------------------------------------------


def can_list_cases(user):
    return user.has_role(*LIST_ROLES)


def can_edit_cases(user):
    return user.has_role(*EDIT_ROLES)


def _sees_all(user):
    return user.has_role(*SEE_ALL_ROLES)


def visible_cases_query(user):
    """A select of the cases `user` may see in the register (none for other roles)."""
    query = select(Case)
    if _sees_all(user):
        return query
    if user.has_role("manager"):
        return query.where(Case.team_id.in_(managed_teams(user)))
    return query.where(false())


def can_view_case(user, case):
    if _sees_all(user):
        return True
    if user.has_role("manager"):
        return manages(user, case.team_id)
    return False


def visible_teams(user):
    """Teams to offer in the register's team filter."""
    query = select(Team).order_by(Team.name)
    if not _sees_all(user):
        query = query.where(Team.id.in_(managed_teams(user)))
    return db.session.scalars(query).all()


def filtered_cases_query(user, *, team_id=None, cohort=None, status=None, reference=None,
                         today=None):
    """The register as `user` may see it, narrowed by the list page's filters."""
    query = visible_cases_query(user)
    if team_id is not None:
        query = query.where(Case.team_id == team_id)
    if cohort:
        query = query.where(
            Case.id.in_(select(CaseCohort.case_id).where(CaseCohort.cohort == cohort))
        )
    today = today or timeutil.today()
    if status == "open":
        query = query.where(or_(Case.closed_on.is_(None), Case.closed_on > today))
    elif status == "closed":
        query = query.where(Case.closed_on <= today)
    if reference:
        # Compared as the register compares references: whatever their capitals.
        escaped = re.sub(r"([\\%_])", r"\\\1", reference_key(reference.strip()))
        query = query.where(Case.reference_key.like(f"%{escaped}%", escape="\\"))
    return query.order_by(Case.reference)


# --- rules shared by the form and the CSV import ------------------------------------------


def reference_problem(reference):
    """Why a reference cannot be stored, or None. A reference without a digit is very
    likely a child's name typed in by mistake; case-record systems number their cases
    (with the digits 0 to 9: "Jane Smith ²" has no number)."""
    if not reference:
        return "Enter the case reference"
    if len(reference) > REFERENCE_MAX:
        return f"Case reference must be {REFERENCE_MAX} characters or fewer"
    if not re.search("[0-9]", reference):
        return "Case reference must include a number. Do not enter the child's name"
    return None


def date_problems(opened_on, closed_on, today=None):
    """{field: message} for dates that cannot both be true."""
    today = today or timeutil.today()
    problems = {}
    if opened_on and opened_on > today:
        problems["opened_on"] = "Date opened must be today or in the past"
    if closed_on and closed_on > today:
        problems["closed_on"] = "Date closed must be today or in the past"
    elif opened_on and closed_on and closed_on < opened_on:
        problems["closed_on"] = "Closed date must be the same as or after the opened date"
    return problems


def existing_reference(reference, exclude_id=None):
    """The reference, as stored, of another case with this reference whatever its
    capitals, or None."""
    query = select(Case.reference).where(Case.has_reference(reference))
    if exclude_id is not None:
        query = query.where(Case.id != exclude_id)
    return db.session.scalar(query)


def _duplicate(reference, existing=None):
    message = f"A case with reference {existing or reference} already exists"
    if existing and existing != reference:
        message += f" ({reference} differs from it only in capital letters)"
    return DuplicateError("reference", message)


# --- adding and changing -------------------------------------------------------------------


def create_case(*, reference, team_id, cohorts, opened_on, closed_on=None,
                social_worker_id=None, actor=None):
    reference = reference.strip()
    existing = existing_reference(reference)
    if existing:
        raise _duplicate(reference, existing)
    case = Case(reference=reference, team_id=team_id, opened_on=opened_on,
                closed_on=closed_on, social_worker_id=social_worker_id)
    case.cohorts = set(cohorts)
    db.session.add(case)
    try:
        db.session.flush()
    except IntegrityError:  # someone added the same reference a moment ago
        raise _duplicate(reference) from None
    record("case", case.id, "created", after=snapshot(case, CASE_FIELDS), actor=actor)
    return case


def update_case(case, values, actor=None):
    """Apply values and record only what changed."""
    values = dict(values)
    if "reference" in values:
        values["reference"] = values["reference"].strip()
        existing = existing_reference(values["reference"], exclude_id=case.id)
        if existing:
            raise _duplicate(values["reference"], existing)
    before = snapshot(case, CASE_FIELDS)
    for name in CASE_FIELDS:
        if name in values:
            setattr(case, name, set(values[name]) if name == "cohorts" else values[name])
    before, after = changes(before, snapshot(case, CASE_FIELDS))
    if after:
        record("case", case.id, "updated", before=before, after=after, actor=actor)
    return case
