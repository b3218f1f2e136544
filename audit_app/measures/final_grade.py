"""The final grade of an item (the overall judgement, or one graded question) of an audit.

It is the final grade (audit_app/models/moderation.py `final`: ruled on a challenge, else
agreed in discussion, else the moderator's) from the LATEST submitted moderation of that
audit that graded that item, else the auditor's own grade. An audit moderated twice counts
once, with its latest moderation's grade; a moderation that left an item ungraded leaves it
to an earlier moderation, or to the auditor.

The database picks the latest grade per audit and item with a window function (ROW_NUMBER
over the audit's moderations, newest first), on SQLite and PostgreSQL alike.
"""

from sqlalchemy import and_, func, select

from audit_app.models import Audit, Moderation, ModerationGrade

SUBMITTED = "submitted"


def latest_grades(audit_conditions=(), moderation_conditions=(), items=None, compared=False):
    """Subquery: per audit and item, the grade row of the latest submitted moderation that
    graded it. Columns: audit_id, moderation_id, grade_id, item, domain, auditor_rank,
    final_rank.

    audit_conditions and moderation_conditions narrow the audits (Audit is joined) and the
    moderations looked at; `items` narrows the items. With `compared`, only grades where the
    auditor's grade exists too count: the latest moderation that compared the item.
    """
    graded = ModerationGrade.final_rank.is_not(None)
    if compared:
        graded = and_(graded, ModerationGrade.auditor_rank.is_not(None))
    newest_first = func.row_number().over(
        partition_by=(Moderation.audit_id, ModerationGrade.item),
        order_by=(Moderation.submitted_at.desc(), Moderation.id.desc()),
    )
    query = (
        select(Moderation.audit_id, Moderation.id.label("moderation_id"),
               ModerationGrade.id.label("grade_id"), ModerationGrade.item,
               ModerationGrade.domain, ModerationGrade.auditor_rank,
               ModerationGrade.final_rank.label("final_rank"), newest_first.label("newest"))
        .select_from(ModerationGrade)
        .join(Moderation, ModerationGrade.moderation_id == Moderation.id)
        .join(Audit, Moderation.audit_id == Audit.id)
        .where(Moderation.status == SUBMITTED, graded, *audit_conditions,
               *moderation_conditions)
    )
    if items is not None:
        query = query.where(ModerationGrade.item.in_(items))
    ranked = query.subquery("ranked")
    return (
        select(*(column for column in ranked.c if column.name != "newest"))
        .where(ranked.c.newest == 1)
        .subquery("latest" + ("_compared" if compared else ""))
    )


def final_rank(latest, auditor_rank):
    """SQL: the final grade's rank, from a `latest_grades` subquery joined on the audit and
    item (NULL when there is none), else the auditor's rank."""
    return func.coalesce(latest.c.final_rank, auditor_rank)


WORDS = (
    "The final grade of an item (the overall judgement, or one graded question) is the grade "
    "from the latest moderation of that audit that graded it: the grade ruled on a "
    "challenge, else the grade agreed in a discussion, else the moderator's grade. An item no "
    "moderation graded keeps the auditor's grade. An audit moderated twice counts once, with "
    "its latest moderation."
)
