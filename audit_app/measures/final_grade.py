"""The final grade of an item (the overall judgement, or one graded question) of an audit.

It is the final grade (audit_app/models/moderation.py `final`: ruled on a challenge, else
agreed in discussion, else the moderator's) from the LATEST submitted moderation of that
audit that graded that item, else the auditor's own grade. An audit moderated twice counts
once, with its latest moderation's grade; a moderation that left an item ungraded leaves it
to an earlier moderation, or to the auditor.

The rule for the database, in two forms that both databases plan well: `latest_grade`, for
one audit and item, looks up the newest counted grade through the indexes on
moderations.audit_id and moderation_grades (moderation_id, item) (a probe per moderated
audit or answer, none for the audits nobody moderated); `latest_grades`, for every item of
the audits in scope, keeps each counted grade with no newer one (an anti-join).
"""

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from audit_app.models import Audit, Moderation, ModerationGrade

SUBMITTED = "submitted"


def _counts(moderation, grade, scope, compared):
    """Which grades count: of a submitted moderation (of the scope's moderator or round),
    with a final grade, and with the auditor's grade too when `compared`."""
    conditions = [moderation.status == SUBMITTED, grade.final_rank.is_not(None)]
    if compared:
        conditions.append(grade.auditor_rank.is_not(None))
    if scope is not None:
        conditions.extend(scope.moderation_conditions(moderation))
    return conditions


def _newest_first(moderation):
    return moderation.submitted_at.desc(), moderation.id.desc()


def latest_grade(audit_id, item, column, scope=None, compared=False):
    """SQL scalar: `column` ("final_rank" or "auditor_rank") of the latest counted grade of
    `item` of the audit `audit_id` (columns or values of the outer query); NULL when there is
    none. For an audit that was never moderated the database does not look
    (`moderated_audits`, a set it builds once per query)."""
    moderation, grade = aliased(Moderation), aliased(ModerationGrade)
    latest = (
        select(getattr(grade, column))
        .join(moderation, grade.moderation_id == moderation.id)
        .where(moderation.audit_id == audit_id, grade.item == item,
               *_counts(moderation, grade, scope, compared))
        .order_by(*_newest_first(moderation))
        .limit(1)
        .correlate_except(moderation, grade)
        .scalar_subquery()
    )
    return case((audit_id.in_(moderated_audits()), latest))


def moderated_audits():
    """SQL select of the ids of audits with a submitted moderation."""
    return select(Moderation.audit_id).where(Moderation.status == SUBMITTED)


def latest_grades(scope, compared=False, items=None):
    """Subquery: the grades the figures use, one per audit in scope and item: a counted grade
    with no counted grade of the same audit and item from a later moderation (later by
    submission time, then by id, as `latest_grade` orders them). Columns: audit_id,
    moderation_id, grade_id, item, domain, auditor_rank, final_rank."""
    later, later_grade = aliased(Moderation), aliased(ModerationGrade)
    newer = (
        select(later_grade.id)
        .join(later, later_grade.moderation_id == later.id)
        .where(later.audit_id == Moderation.audit_id, later_grade.item == ModerationGrade.item,
               *_counts(later, later_grade, scope, compared),
               or_(later.submitted_at > Moderation.submitted_at,
                   and_(later.submitted_at == Moderation.submitted_at,
                        later.id > Moderation.id)))
        .correlate_except(later, later_grade)
    )
    return (
        select(Moderation.audit_id, Moderation.id.label("moderation_id"),
               ModerationGrade.id.label("grade_id"), ModerationGrade.item,
               ModerationGrade.domain, ModerationGrade.auditor_rank,
               ModerationGrade.final_rank.label("final_rank"))
        .select_from(ModerationGrade)
        .join(Moderation, ModerationGrade.moderation_id == Moderation.id)
        .join(Audit, Moderation.audit_id == Audit.id)
        .where(*_counts(Moderation, ModerationGrade, scope, compared),
               *scope.audit_conditions(), ~newer.exists(),
               *([ModerationGrade.item.in_(items)] if items is not None else []))
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
