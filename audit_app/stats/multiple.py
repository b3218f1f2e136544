"""Adjusting p-values when several tests are read together.

When a report tests every auditor for over-grading, some will look biased by chance alone
as the number of auditors grows. Holm's step-down method keeps the chance of flagging any
auditor wrongly (the family-wise error rate) at the level chosen, for any dependence
between the tests, and flags at least as many as the plain Bonferroni method.

Source: Holm, S. (1979) "A simple sequentially rejective multiple test procedure",
Scandinavian Journal of Statistics 6:65-70. Adjusted p-values as in Wright, S.P. (1992)
"Adjusted P-values for simultaneous inference", Biometrics 48:1005-1013.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

__all__ = ["holm"]


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given.

    Sort the m p-values from smallest; the i-th smallest (i from 1) is multiplied by
    m - i + 1, each adjusted value is at least the one before it (so the order is kept), and
    none exceeds 1. A test is significant at level alpha when its adjusted p-value is below
    alpha, which is Holm's procedure: reject while p_(i) < alpha / (m - i + 1), then stop.
    """
    values = []
    for p in p_values:
        if isinstance(p, bool) or not isinstance(p, Real) or not math.isfinite(p) \
                or not 0.0 <= p <= 1.0:
            raise ValueError(f"a p-value must be a number from 0 to 1, got {p!r}")
        values.append(float(p))
    m = len(values)
    order = sorted(range(m), key=lambda index: values[index])
    adjusted = [0.0] * m
    running = 0.0
    for position, index in enumerate(order):
        running = max(running, min(1.0, (m - position) * values[index]))
        adjusted[index] = running
    return adjusted
