"""Pure statistics for audit and moderation reporting (numpy/scipy only).

No Flask or database imports here: callers pass plain sequences and counts and
get small immutable results back. Rating sequences are paired by position and
``None`` marks a missing rating (the pair is dropped).
"""

from audit_app.stats.agreement import PercentAgreement, confusion_matrix, percent_agreement
from audit_app.stats.bias import GradeBias, grade_bias
from audit_app.stats.chance_corrected import AC1Result, KappaResult, cohen_kappa, gwet_ac1
from audit_app.stats.multiple import holm
from audit_app.stats.proportions import (
    Interval,
    below_target_test,
    clopper_pearson_interval,
    wilson_interval,
)

__all__ = [
    "AC1Result",
    "GradeBias",
    "Interval",
    "KappaResult",
    "PercentAgreement",
    "below_target_test",
    "clopper_pearson_interval",
    "cohen_kappa",
    "confusion_matrix",
    "grade_bias",
    "gwet_ac1",
    "holm",
    "percent_agreement",
    "wilson_interval",
]
