"""domain_good_or_better:<domain>: how often practice in one domain (management oversight,
say) is judged good or better.

The unit is one answered graded question in that domain (audit_app/models/templates.py
DOMAINS), of a counted audit. Its grade is the final grade of that question
(audit_app/measures/final_grade.py), good or better on its template version's scale
(audit_app/measures/good_or_better.py).
"""

from audit_app.measures.good_or_better import good_or_better_sql
from audit_app.measures.rate import GRADED_ANSWERS, Rate

DOMAIN_GOOD_OR_BETTER = Rate(
    key="domain_good_or_better",
    unit=GRADED_ANSWERS,
    title="Graded questions in the domain judged good or better",
    numerator_words="answered graded questions in the domain whose final grade is good or better",
    denominator_words="answered graded questions in the domain",
    denominator=lambda columns: columns["final"].is_not(None),
    numerator=lambda columns: good_or_better_sql(columns["final"], columns["good_or_better"]),
    per_domain=True,
)
