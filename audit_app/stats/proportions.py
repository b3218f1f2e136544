"""Confidence intervals and a one-sided test for a single proportion.

Used for audit pass rates: ``successes`` files met the standard out of ``n``
audited. Sources:

* Wilson, E.B. (1927) "Probable inference, the law of succession, and
  statistical inference", JASA 22:209-212.
* Clopper, C.J. & Pearson, E.S. (1934) "The use of confidence or fiducial
  limits illustrated in the case of the binomial", Biometrika 26:404-413.
* Newcombe, R.G. (1998) "Two-sided confidence intervals for the single
  proportion: comparison of seven methods", Stat Med 17:857-872 (methods 3
  and 5 are the two intervals here; it recommends both over the simple
  Wald interval, which fails badly for small n or rates near 0 or 1).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple

from scipy import stats

from audit_app.stats._inputs import check_confidence, check_count, z_for

__all__ = ["Interval", "below_target_test", "clopper_pearson_interval", "wilson_interval"]


class Interval(NamedTuple):
    """A confidence interval; unpacks as ``low, high``."""

    low: float
    high: float


def _check_successes_n(successes: object, n: object) -> tuple[int, int]:
    n_ = check_count(n, "n")
    k = check_count(successes, "successes")
    if k > n_:
        raise ValueError(f"successes ({k}) cannot exceed n ({n_})")
    return k, n_


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson (1927) score interval for ``successes / n``, no continuity correction.

    Chosen as the default interval because it keeps close to nominal coverage
    for small samples and for rates near 0% or 100% (Newcombe 1998, method 3),
    and never leaves [0, 1]. Formula, with p = successes/n and z the two-sided
    normal quantile::

        (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)

    ``n == 0`` (nothing audited) returns ``Interval(0.0, 1.0)``: with no data
    every rate is possible. At ``successes == 0`` the lower limit is exactly 0
    and at ``successes == n`` the upper limit is exactly 1.
    """
    k, n_ = _check_successes_n(successes, n)
    conf = check_confidence(confidence)
    if n_ == 0:
        return Interval(0.0, 1.0)
    z = z_for(conf)
    p = k / n_
    z2 = z * z
    denom = 1.0 + z2 / n_
    centre = (p + z2 / (2.0 * n_)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n_ + z2 / (4.0 * n_ * n_)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n_ else min(1.0, centre + half)
    return Interval(low, high)


def clopper_pearson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Clopper-Pearson (1934) "exact" interval from beta quantiles.

    Limits are ``Beta(α/2; k, n-k+1)`` and ``Beta(1-α/2; k+1, n-k)``, which
    guarantees coverage of at least ``confidence`` (it is conservative;
    Newcombe 1998, method 5). At ``successes == 0`` the lower limit is exactly
    0 and at ``successes == n`` the upper limit is exactly 1 (the limiting beta
    quantiles). ``n == 0`` returns ``Interval(0.0, 1.0)``.
    """
    k, n_ = _check_successes_n(successes, n)
    conf = check_confidence(confidence)
    if n_ == 0:
        return Interval(0.0, 1.0)
    alpha = 1.0 - conf
    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2.0, k, n_ - k + 1))
    high = 1.0 if k == n_ else float(stats.beta.ppf(1.0 - alpha / 2.0, k + 1, n_ - k))
    return Interval(low, high)


def below_target_test(successes: int, n: int, target: float) -> float:
    """Exact one-sided binomial p-value that the true rate is *below* ``target``.

    H0: rate >= target; H1: rate < target. Returns the plain float
    ``P(X <= successes)`` for ``X ~ Binomial(n, target)``
    (``scipy.stats.binomtest(..., alternative="less")``). A small value is
    evidence that the service is falling short of the target, not merely
    unlucky in the sample. ``n == 0`` returns 1.0 (no evidence either way).
    ``target`` must be strictly between 0 and 1.
    """
    k, n_ = _check_successes_n(successes, n)
    if isinstance(target, bool) or not isinstance(target, Real):
        raise ValueError(f"target must be a number strictly between 0 and 1, got {target!r}")
    t = float(target)
    if not (math.isfinite(t) and 0.0 < t < 1.0):
        raise ValueError(f"target must be strictly between 0 and 1, got {target!r}")
    if n_ == 0:
        return 1.0
    return float(stats.binomtest(k, n_, t, alternative="less").pvalue)
