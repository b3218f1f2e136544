"""What the measures count, one row each: an audit, a graded answer, or a yes/no answer.

Each kind of unit is one FROM clause (with the scope's WHERE) and the SQL columns the rate
definitions read. A rate (audit_app/measures/rate.py) says which units are in its
denominator and which of those are in its numerator; every rate of one kind of unit is
counted in the same GROUP BY query (audit_app/measures/compute.py), so the number of
queries never grows with the data.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, func, literal, literal_column, select

from audit_app.measures.compliance import ANSWERED
from audit_app.measures.final_grade import final_rank, latest_grade, latest_grades
from audit_app.measures.rate import AUDITS, GRADED_ANSWERS, YES_NO_ANSWERS
from audit_app.models import Answer, Audit, TemplateQuestion, TemplateVersion
from audit_app.models.moderation import OVERALL


@dataclass(frozen=True)
class Units:
    query: Callable  # (*selected columns) -> Select over the units in scope
    columns: dict  # name -> SQL expression, for the rates' conditions
    domain: object = None  # the domain column, for per-domain rates


def audits(scope):
    """Counted audits in scope, with their overall judgement: the auditor's, the final one,
    and the latest moderation that compared it."""
    overall = literal(OVERALL)
    columns = {
        "audited": Audit.overall_rank,
        "final": final_rank(Audit.id, overall, Audit.overall_rank, scope),
        "compared_auditor": latest_grade(Audit.id, overall, "auditor_rank", scope,
                                         compared=True),
        "compared_final": latest_grade(Audit.id, overall, "final_rank", scope, compared=True),
        "good_or_better": TemplateVersion.good_or_better,
    }

    def query(*selected):
        return (
            select(*selected).select_from(Audit)
            .join(TemplateVersion, Audit.template_version_id == TemplateVersion.id)
            .where(*scope.audit_conditions())
        )

    return Units(query, columns)


def graded_answers(scope):
    """Answered graded questions with a domain, of counted audits in scope, with their final
    grade (the latest moderation's of that question, else the auditor's)."""
    latest = latest_grades(scope)
    columns = {
        "final": func.coalesce(latest.c.final_rank, Answer.grade_rank),
        "good_or_better": TemplateVersion.good_or_better,
    }

    def query(*selected):
        return (
            select(*selected).select_from(Answer)
            .join(Audit, Answer.audit_id == Audit.id)
            .join(TemplateVersion, Audit.template_version_id == TemplateVersion.id)
            .join(TemplateQuestion, Answer.question_id == TemplateQuestion.id)
            .outerjoin(latest, and_(latest.c.audit_id == Answer.audit_id,
                                    latest.c.item == TemplateQuestion.key))
            .where(TemplateQuestion.kind == "graded", TemplateQuestion.domain.is_not(None),
                   Answer.grade_rank.is_not(None), *scope.audit_conditions())
        )

    return Units(query, columns, domain=TemplateQuestion.domain)


# Written into the SQL, not bound, so that the database can see that the partial index on
# these answers (migration 0010) holds every row the query wants.
_ANSWERED = [literal_column(f"'{value}'") for value in ANSWERED]


def yes_no_answers(scope):
    """Answers to yes/no questions with a domain answered yes, no or partly, of counted
    audits in scope ("not applicable" and blanks are never counted)."""
    columns = {"value": Answer.value}

    def query(*selected):
        return (
            select(*selected).select_from(Answer)
            .join(Audit, Answer.audit_id == Audit.id)
            .join(TemplateVersion, Audit.template_version_id == TemplateVersion.id)
            .join(TemplateQuestion, Answer.question_id == TemplateQuestion.id)
            .where(TemplateQuestion.kind == "yes_no", TemplateQuestion.domain.is_not(None),
                   Answer.value.in_(_ANSWERED), *scope.audit_conditions())
        )

    return Units(query, columns, domain=TemplateQuestion.domain)


UNITS = {AUDITS: audits, GRADED_ANSWERS: graded_answers, YES_NO_ANSWERS: yes_no_answers}
