"""The final grade of an item (the overall judgement, or one graded question) of an audit.

It is the final grade (audit_app/models/moderation.py `final`: ruled on a challenge, else
agreed in discussion, else the moderator's) from the LATEST submitted moderation of that
audit that graded that item, else the auditor's own grade. An audit moderated twice counts
once, with its latest moderation's grade; a moderation that left an item ungraded leaves it
to an earlier moderation, or to the auditor.

`latest_grade_id` is that rule for the database: for one audit and item, the id of the
grade row of the latest such moderation, found through the indexes on moderations.audit_id
and moderation_grades (moderation_id, item): one index probe per moderated audit or answer,
on SQLite and PostgreSQL alike, and none for the audits nobody moderated.
"""

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from audit_app.models import Audit, Moderation, ModerationGrade

SUBMITTED = "submitted"


def _latest(audit_id, item, scope, compared):
    moderation, grade = aliased(Moderation), aliased(ModerationGrade)
    conditions = [moderation.audit_id == audit_id, grade.item == item,
                  moderation.status == SUBMITTED, grade.final_rank.is_not(None)]
    if compared:
        conditions.append(grade.auditor_rank.is_not(None))
    if scope is not None:
        conditions.extend(scope.moderation_conditions(moderation))
    return grade, (
        lambda *columns: select(*columns)
        .join(moderation, grade.moderation_id == moderation.id)
        .where(*conditions)
        .order_by(moderation.submitted_at.desc(), moderation.id.desc())
        .limit(1)
        .correlate_except(moderation, grade)
        .scalar_subquery()
    )


def latest_grade_id(audit_id, item, scope=None, compared=False):
    """SQL scalar: the id of the latest submitted moderation's grade of `item` of the audit
    `audit_id` (columns or values of the outer query), NULL when none graded it.

    `scope` (audit_app/measures/scope.py) may narrow the moderations looked at (one
    moderator's, one round's). With `compared`, only a grade where the auditor's grade
    exists too counts: the latest moderation that compared the item.
    """
    grade, latest = _latest(audit_id, item, scope, compared)
    return latest(grade.id)


def latest_grade(audit_id, item, column, scope=None, compared=False):
    """SQL scalar: `column` ("final_rank" or "auditor_rank") of the grade `latest_grade_id`
    finds; NULL when there is none. For an audit that was never moderated the database
    does not look (`moderated_audits`, a set it builds once per query)."""
    grade, latest = _latest(audit_id, item, scope, compared)
    return case((audit_id.in_(moderated_audits()), latest(getattr(grade, column))))


def moderated_audits():
    """SQL select of the ids of audits with a submitted moderation."""
    return select(Moderation.audit_id).where(Moderation.status == SUBMITTED)


def latest_grades(scope, compared=False):
    """Subquery: the grades the figures use, one per audit in scope and item: the latest
    moderation's (see `latest_grade_id`). Columns: audit_id, moderation_id, grade_id, item,
    domain, auditor_rank, final_rank."""
    return (
        select(Moderation.audit_id, Moderation.id.label("moderation_id"),
               ModerationGrade.id.label("grade_id"), ModerationGrade.item,
               ModerationGrade.domain, ModerationGrade.auditor_rank,
               ModerationGrade.final_rank.label("final_rank"))
        .select_from(ModerationGrade)
        .join(Moderation, ModerationGrade.moderation_id == Moderation.id)
        .join(Audit, Moderation.audit_id == Audit.id)
        .where(Moderation.status == SUBMITTED, *scope.audit_conditions(),
               *scope.moderation_conditions(),
               ModerationGrade.id == latest_grade_id(Moderation.audit_id,
                                                     ModerationGrade.item, scope, compared))
        .subquery("latest_compared" if compared else "latest")
    )


def final_rank(audit_id, item, auditor_rank, scope=None):
    """SQL: the rank of the final grade of `item` of the audit `audit_id`: the latest
    moderation's, else the auditor's rank `auditor_rank`."""
    return func.coalesce(latest_grade(audit_id, item, "final_rank", scope), auditor_rank)


WORDS = (
    "The final grade of an item (the overall judgement, or one graded question) is the grade "
    "from the latest moderation of that audit that graded it: the grade ruled on a "
    "challenge, else the grade agreed in a discussion, else the moderator's grade. An item no "
    "moderation graded keeps the auditor's grade. An audit moderated twice counts once, with "
    "its latest moderation."
)
