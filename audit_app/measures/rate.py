"""A measure that is a share of units (audits or answers): numerator over denominator.

Kept apart from the queries (audit_app/measures/units.py) so that definitions can be read
anywhere, the models included, without importing the database layer.
"""

from collections.abc import Callable
from dataclasses import dataclass

# The kinds of unit a rate counts (audit_app/measures/units.py builds each one's query).
AUDITS, GRADED_ANSWERS, YES_NO_ANSWERS = "audits", "graded_answers", "yes_no_answers"


@dataclass(frozen=True)
class Rate:
    key: str  # for a per-domain rate, the part before ":<domain>"
    unit: str  # AUDITS, GRADED_ANSWERS or YES_NO_ANSWERS
    title: str  # what the figure is, in plain words
    numerator_words: str
    denominator_words: str
    denominator: Callable  # unit columns -> SQL condition
    numerator: Callable  # unit columns -> SQL condition, counted within the denominator
    per_domain: bool = False
