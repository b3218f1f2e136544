"""Chance-corrected agreement between two raters: Cohen's kappa and Gwet's AC1.

Sources:

* Cohen, J. (1960) "A coefficient of agreement for nominal scales", Educ
  Psychol Meas 20:37-46; Cohen, J. (1968) weighted kappa, Psychol Bull
  70:213-220.
* Fleiss, J.L., Cohen, J. & Everitt, B.S. (1969) "Large sample standard
  errors of kappa and weighted kappa", Psychol Bull 72:323-327; as given in
  Fleiss, Levin & Paik (2003) *Statistical Methods for Rates and
  Proportions*, 3rd ed., ch. 18, and used for the "ASE" of simple and
  weighted kappa in SAS PROC FREQ (AGREE option).
* Gwet, K.L. (2008) "Computing inter-rater reliability and its variance in
  the presence of high agreement", Br J Math Stat Psychol 61:29-48.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from audit_app.stats._inputs import check_confidence, paired, table, z_for

__all__ = ["AC1Result", "KappaResult", "cohen_kappa", "gwet_ac1"]

_WEIGHTS = (None, "linear", "quadratic")
_NO_PAIRS = "no paired ratings (every pair had a missing rating, or there were none)"


@dataclass(frozen=True, slots=True)
class KappaResult:
    """Cohen's kappa with its large-sample standard error and normal interval.

    ``kappa``, ``se``, ``ci_low``, ``ci_high`` are ``None`` when kappa is
    undefined; ``reason`` then says why (otherwise it is ``None``).
    ``observed_agreement``/``expected_agreement`` are p_o and p_e (weighted
    when ``weights`` is set).
    """

    kappa: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    reason: str | None = None
    observed_agreement: float | None = None
    expected_agreement: float | None = None
    weights: str | None = None


@dataclass(frozen=True, slots=True)
class AC1Result:
    """Gwet's AC1 with its standard error and normal interval.

    Fields are ``None`` (with ``reason`` set) when AC1 is undefined.
    """

    ac1: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    reason: str | None = None
    observed_agreement: float | None = None
    expected_agreement: float | None = None


def _agreement_weights(k: int, weights: str | None) -> np.ndarray:
    """Agreement weights w_ij (1 on the diagonal) for ``k`` ordered categories.

    linear: 1 - |i-j|/(k-1) (Cicchetti-Allison, the SAS default);
    quadratic: 1 - (i-j)²/(k-1)² (Fleiss-Cohen).
    """
    if weights is None or k == 1:
        return np.eye(k)
    idx = np.arange(k)
    dist = np.abs(idx[:, None] - idx[None, :]) / (k - 1)
    return 1.0 - (dist if weights == "linear" else dist**2)


def _clip(value: float) -> float:
    # Both coefficients lie in [-1, 1]; this only removes floating-point drift
    # (e.g. -1.0000000000000004) and keeps normal intervals inside the range.
    return min(1.0, max(-1.0, value))


def _standard_error(first: float, second: float, denominator: float) -> float:
    """sqrt((first - second) / denominator), treating rounding noise as zero.

    Both variance formulas are a difference of two nearly equal sums when the
    true variance is 0 (e.g. perfect agreement); without this the square root
    turns ~1e-16 of rounding into an se of ~1e-8 that differs between a/b orders.
    """
    difference = first - second
    if difference <= 1e-12 * max(abs(first), abs(second), 1e-300):
        return 0.0
    return math.sqrt(difference / denominator)


def _interval(estimate: float, se: float, z: float) -> tuple[float, float]:
    return _clip(estimate - z * se), _clip(estimate + z * se)


def cohen_kappa(
    a: Sequence[Hashable | None],
    b: Sequence[Hashable | None],
    categories: Sequence[Hashable] | None = None,
    weights: Literal["linear", "quadratic"] | None = None,
    confidence: float = 0.95,
) -> KappaResult:
    """Cohen's kappa (simple or weighted) for two raters.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with p_o = Σ w_ij p_ij and
    p_e = Σ w_ij p_i. p_.j (rows = rater ``a``). ``weights`` is ``None``
    (simple kappa), ``"linear"`` or ``"quadratic"``; weighted kappa needs the
    ORDERED ``categories`` because the weights depend on the order. Without
    ``categories`` the sorted distinct labels are used (simple kappa does not
    depend on order or on unused categories).

    Standard error: the large-sample (non-null) variance of Fleiss, Cohen &
    Everitt (1969), in the weighted form of Fleiss, Levin & Paik (2003) ch. 18::

        var = [Σ p_ij (w_ij - (w̄_i. + w̄_.j)(1-κ))² - (κ - p_e(1-κ))²] / (n (1-p_e)²)

    with w̄_i. = Σ_j p_.j w_ij and w̄_.j = Σ_i p_i. w_ij. This is the ASE that
    SAS PROC FREQ reports. The interval is ``kappa ± z·se`` (z the normal
    quantile for ``confidence``) clipped to [-1, 1].

    Kappa is undefined when p_e = 1 (both raters used one and the same
    category) or when there are no complete pairs: the numeric fields are then
    ``None`` and ``reason`` explains.
    """
    if weights not in _WEIGHTS:
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    if weights is not None and categories is None:
        raise ValueError(
            "weighted kappa needs the ordered categories: pass categories=[...] in scale order"
        )
    conf = check_confidence(confidence)
    kept_a, kept_b, cats = paired(a, b, categories)
    n = len(kept_a)
    if n == 0:
        return KappaResult(None, None, None, None, 0, reason=_NO_PAIRS, weights=weights)

    counts = table(kept_a, kept_b, cats)
    p = counts / n
    w = _agreement_weights(len(cats), weights)
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o = float((w * counts).sum() / n)  # from counts: exactly 1.0 when all agree
    p_e = float(rows @ w @ cols)
    used = set(kept_a) | set(kept_b)
    # With these weights w_ij == 1 only on the diagonal, so p_e == 1 exactly when
    # both raters used one and the same category.
    if len(used) == 1:
        (only,) = used
        return KappaResult(
            None,
            None,
            None,
            None,
            n,
            reason=f"kappa is undefined: both raters used only {only!r}, so chance agreement is 1",
            observed_agreement=p_o,
            expected_agreement=p_e,
            weights=weights,
        )

    kappa = _clip((p_o - p_e) / (1.0 - p_e))
    w_row = w @ cols  # w̄_i.
    w_col = rows @ w  # w̄_.j
    spread = w - (w_row[:, None] + w_col[None, :]) * (1.0 - kappa)
    se = _standard_error(
        float((p * spread**2).sum()),
        (kappa - p_e * (1.0 - kappa)) ** 2,
        n * (1.0 - p_e) ** 2,
    )
    low, high = _interval(kappa, se, z_for(conf))
    return KappaResult(
        kappa=kappa,
        se=se,
        ci_low=low,
        ci_high=high,
        n=n,
        observed_agreement=p_o,
        expected_agreement=p_e,
        weights=weights,
    )


def gwet_ac1(
    a: Sequence[Hashable | None],
    b: Sequence[Hashable | None],
    categories: Sequence[Hashable] | None = None,
    confidence: float = 0.95,
) -> AC1Result:
    """Gwet's (2008) AC1 for two raters, with Gwet's variance.

    AC1 replaces kappa's chance agreement by
    ``p_e = Σ_k π_k (1 - π_k) / (q - 1)``, π_k = (p_k. + p_.k)/2, so it stays
    stable when nearly every file gets the same grade (the "kappa paradox"
    of high agreement but low kappa). ``q`` is the number of categories: pass
    the full scale as ``categories``; without it, q is the number of distinct
    labels seen, which changes AC1 if some grades were never used.

    Variance (Gwet 2008, two raters, conditional on the raters, infinite
    population so no finite-population correction)::

        var = [Σ_kl p_kl (δ_kl - 2(1-γ)(1 - (π_k + π_l)/2)/(q-1))²
               - (p_a - 2(1-γ) p_e)²] / (n (1 - p_e)²)

    (δ_kl = 1 if k == l; algebraically the same as the paper's expanded form and
    what irrCAC's ``gwet.ac1.table`` computes.) Interval ``ac1 ± z·se``
    (normal quantile; irrCAC uses a t quantile on n-1 df) clipped to [-1, 1].
    Undefined (``None`` with ``reason``) with no complete pairs or q < 2.
    """
    conf = check_confidence(confidence)
    kept_a, kept_b, cats = paired(a, b, categories)
    n = len(kept_a)
    if n == 0:
        return AC1Result(None, None, None, None, 0, reason=_NO_PAIRS)
    q = len(cats)
    if q < 2:
        return AC1Result(
            None,
            None,
            None,
            None,
            n,
            reason=(
                "AC1 needs at least two categories; pass the full category list as categories=[...]"
            ),
        )

    counts = table(kept_a, kept_b, cats)
    p = counts / n
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2.0
    p_a = float(np.trace(counts) / n)  # from counts: exactly 1.0 when all agree
    p_e = float((pi * (1.0 - pi)).sum() / (q - 1))  # at most 1/q, so 1 - p_e > 0
    ac1 = _clip((p_a - p_e) / (1.0 - p_e))
    spread = np.eye(q) - 2.0 * (1.0 - ac1) * (1.0 - (pi[:, None] + pi[None, :]) / 2.0) / (q - 1)
    se = _standard_error(
        float((p * spread**2).sum()),
        (p_a - 2.0 * (1.0 - ac1) * p_e) ** 2,
        n * (1.0 - p_e) ** 2,
    )
    low, high = _interval(ac1, se, z_for(conf))
    return AC1Result(
        ac1=ac1,
        se=se,
        ci_low=low,
        ci_high=high,
        n=n,
        observed_agreement=p_a,
        expected_agreement=p_e,
    )
