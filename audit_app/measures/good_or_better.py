"""Good or better: the top grades of the scale of the template version an audit was done on.

A version's scale lists its grades best first and says how many of them, from the top, are
"good or better" (`TemplateVersion.good_or_better`: 2 on Ofsted's scale, Outstanding and
Good). Ranks count from 0 for the best grade. `is_good_or_better` and `good_or_better_sql`
are the one rule, in Python and in SQL.

Measures:
- good_or_better: audits whose final overall grade (audit_app/measures/final_grade.py) is
  good or better, over audits with an overall grade;
- good_or_better_as_audited: the same with the auditor's own grade.
"""

from audit_app.measures.rate import AUDITS, Rate


def is_good_or_better(rank, good_or_better):
    """Whether a grade of rank `rank` (0 = best) is among the top `good_or_better` grades."""
    return rank is not None and rank < good_or_better


def good_or_better_sql(rank, good_or_better):
    """`is_good_or_better` for the database: NULL (not counted) when the rank is NULL."""
    return rank < good_or_better


GOOD_OR_BETTER = Rate(
    key="good_or_better",
    unit=AUDITS,
    title="Audits good or better, after moderation",
    numerator_words=("audits whose final overall judgement is good or better (Outstanding "
                     "or Good on Ofsted's scale)"),
    denominator_words="audits with an overall judgement",
    denominator=lambda columns: columns["final"].is_not(None),
    numerator=lambda columns: good_or_better_sql(columns["final"], columns["good_or_better"]),
)

GOOD_OR_BETTER_AS_AUDITED = Rate(
    key="good_or_better_as_audited",
    unit=AUDITS,
    title="Audits good or better, as the auditors judged them",
    numerator_words="audits whose auditor judged them good or better overall",
    denominator_words="audits with an overall judgement",
    denominator=lambda columns: columns["audited"].is_not(None),
    numerator=lambda columns: good_or_better_sql(columns["audited"], columns["good_or_better"]),
)
