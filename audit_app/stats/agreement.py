"""Raw agreement between two raters: the cross-tabulation and percent agreement.

Inputs are two sequences of category labels paired by position (``a[i]`` and
``b[i]`` rate the same case file); ``None`` in either drops that pair.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from audit_app.stats._inputs import check_confidence, paired, table
from audit_app.stats.proportions import wilson_interval

__all__ = ["PercentAgreement", "confusion_matrix", "percent_agreement"]


@dataclass(frozen=True, slots=True)
class PercentAgreement:
    """Share of pairs on which the raters gave the same label.

    ``value`` is ``agree / n`` (``None`` when ``n == 0``); ``ci_low``/``ci_high``
    is the Wilson interval, ``(0.0, 1.0)`` when ``n == 0``.
    """

    value: float | None
    n: int
    agree: int
    ci_low: float
    ci_high: float


def confusion_matrix(
    a: Sequence[Hashable | None],
    b: Sequence[Hashable | None],
    categories: Sequence[Hashable],
) -> list[list[int]]:
    """Counts of (a, b) label pairs: rows follow rater ``a``, columns rater ``b``.

    Both axes are in ``categories`` order; pairs with a missing rating are
    dropped; a label outside ``categories`` raises ValueError naming it.
    """
    kept_a, kept_b, cats = paired(a, b, categories)
    return [[int(x) for x in row] for row in table(kept_a, kept_b, cats)]


def percent_agreement(
    a: Sequence[Hashable | None],
    b: Sequence[Hashable | None],
    categories: Sequence[Hashable] | None = None,
    confidence: float = 0.95,
) -> PercentAgreement:
    """Observed agreement with a Wilson (1927) interval.

    Percent agreement ignores agreement expected by chance (see
    ``cohen_kappa``/``gwet_ac1``) but is what moderators read first. The
    interval treats each pair as one Bernoulli trial (Newcombe 1998, method 3).
    ``categories`` is optional and only used to reject unknown labels.
    """
    conf = check_confidence(confidence)
    kept_a, kept_b, _ = paired(a, b, categories)
    n = len(kept_a)
    agree = sum(1 for x, y in zip(kept_a, kept_b, strict=True) if x == y)
    low, high = wilson_interval(agree, n, conf)
    return PercentAgreement(
        value=(agree / n) if n else None, n=n, agree=agree, ci_low=low, ci_high=high
    )
