"""Systematic grading difference between two raters on an ordered scale.

Answers "does auditor A grade more generously than moderator B?" for paired
gradings of the same case files.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from scipy import stats

from audit_app.stats._inputs import paired

__all__ = ["GradeBias", "grade_bias"]


@dataclass(frozen=True, slots=True)
class GradeBias:
    """Counts of pairs where ``a`` graded better / worse / the same as ``b``.

    ``mean_difference`` is the mean of (rank_b - rank_a) with ranks counted
    from the best grade, so POSITIVE means rater ``a`` is more generous, in
    grade steps (``None`` when ``n == 0``). ``p_value`` is the exact two-sided
    sign test of higher vs lower (1.0 when there are no discordant pairs).
    """

    higher: int
    lower: int
    equal: int
    n: int
    mean_difference: float | None
    p_value: float


def grade_bias(
    a: Sequence[Hashable | None],
    b: Sequence[Hashable | None],
    categories: Sequence[Hashable],
) -> GradeBias:
    """Direction and size of the grading difference between raters ``a`` and ``b``.

    ``categories`` is the ordered scale, BEST FIRST, e.g. ``["Outstanding",
    "Good", "Requires improvement to be good", "Inadequate"]``. ``higher``
    counts pairs where ``a`` gave the better grade, ``lower`` where ``b`` did.

    The p-value is the exact sign test (Dixon & Mood 1946; Conover,
    *Practical Nonparametric Statistics*, 3rd ed., §3.4): under "no bias" each
    discordant pair is equally likely to go either way, so
    ``higher ~ Binomial(higher + lower, 1/2)``; computed with
    ``scipy.stats.binomtest``. Ties (same grade) carry no direction and are
    left out of the test but count in ``mean_difference``.
    """
    kept_a, kept_b, cats = paired(a, b, categories)
    rank = {cat: i for i, cat in enumerate(cats)}
    diffs = [rank[y] - rank[x] for x, y in zip(kept_a, kept_b, strict=True)]
    higher = sum(1 for d in diffs if d > 0)
    lower = sum(1 for d in diffs if d < 0)
    n = len(diffs)
    discordant = higher + lower
    p_value = 1.0 if discordant == 0 else float(stats.binomtest(higher, discordant, 0.5).pvalue)
    return GradeBias(
        higher=higher,
        lower=lower,
        equal=n - discordant,
        n=n,
        mean_difference=(sum(diffs) / n) if n else None,
        p_value=min(1.0, p_value),
    )
