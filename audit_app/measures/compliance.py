"""compliance:<domain>: how often what should be there is there, from yes/no questions.

The unit is one yes/no question in that domain answered yes, no or partly, of a counted
audit; "not applicable" and blank answers are left out. "Partly" counts against: only a
full yes complies. Yes/no answers are not re-graded in moderation, so the auditor's answer
counts.
"""

from audit_app.measures.rate import YES_NO_ANSWERS, Rate

ANSWERED = ("yes", "no", "partly")

COMPLIANCE = Rate(
    key="compliance",
    unit=YES_NO_ANSWERS,
    title="Yes/no questions in the domain answered yes",
    numerator_words="yes/no questions in the domain answered yes",
    denominator_words=("yes/no questions in the domain answered yes, no or partly (not "
                       "applicable and blanks left out)"),
    denominator=lambda columns: columns["value"].in_(ANSWERED),
    numerator=lambda columns: columns["value"] == "yes",
    per_domain=True,
)
