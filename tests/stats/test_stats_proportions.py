"""Single-proportion intervals and the below-target test against published values."""

import math

import pytest
from scipy import stats

from audit_app.stats import (
    Interval,
    below_target_test,
    clopper_pearson_interval,
    wilson_interval,
)

# Newcombe, R.G. (1998) "Two-sided confidence intervals for the single proportion:
# comparison of seven methods", Stat Med 17:857-872, Table II: 95% limits for the
# illustrative cases, method 3 (Wilson score, no continuity correction) and method 5
# (Clopper-Pearson "exact"), printed to 4 decimals.
NEWCOMBE_WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]
NEWCOMBE_CLOPPER_PEARSON = [
    (81, 263, 0.2527, 0.3676),
    (15, 148, 0.0578, 0.1617),
    (0, 20, 0.0000, 0.1684),
    (1, 29, 0.0009, 0.1776),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE_WILSON)
def test_wilson_matches_newcombe_1998_method_3(k, n, low, high):
    result = wilson_interval(k, n)
    assert result.low == pytest.approx(low, abs=5e-5)
    assert result.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE_CLOPPER_PEARSON)
def test_clopper_pearson_matches_newcombe_1998_method_5(k, n, low, high):
    result = clopper_pearson_interval(k, n)
    assert result.low == pytest.approx(low, abs=5e-5)
    assert result.high == pytest.approx(high, abs=5e-5)


def test_clopper_pearson_matches_r_binom_test_example():
    # R stats::binom.test help-page example (Mendel's peas, Conover 1971 p. 97f):
    # binom.test(682, 925, p = 3/4) prints the Clopper-Pearson 95% CI 0.7076683 0.7654066.
    low, high = clopper_pearson_interval(682, 925)
    assert low == pytest.approx(0.7076683, abs=5e-8)
    assert high == pytest.approx(0.7654066, abs=5e-8)


@pytest.mark.parametrize("n", [1, 2, 7, 30, 263])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_intervals_agree_with_scipy_binomtest(n, confidence):
    # Independent implementation: scipy.stats.binomtest(...).proportion_ci.
    for k in range(n + 1):
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        got = wilson_interval(k, n, confidence)
        assert got.low == pytest.approx(ref.low, abs=1e-12)
        assert got.high == pytest.approx(ref.high, abs=1e-12)
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="exact")
        got = clopper_pearson_interval(k, n, confidence)
        assert got.low == pytest.approx(ref.low, abs=1e-10)
        assert got.high == pytest.approx(ref.high, abs=1e-10)


@pytest.mark.parametrize("func", [wilson_interval, clopper_pearson_interval])
def test_n_zero_gives_whole_unit_interval(func):
    assert func(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("func", [wilson_interval, clopper_pearson_interval])
def test_all_or_nothing_edges_are_exact(func):
    assert func(0, 12).low == 0.0
    assert func(12, 12).high == 1.0
    assert func(0, 12).high < 1.0
    assert func(12, 12).low > 0.0


@pytest.mark.parametrize("func", [wilson_interval, clopper_pearson_interval])
def test_interval_is_a_named_tuple_that_unpacks(func):
    result = func(5, 10)
    assert isinstance(result, Interval)
    low, high = result
    assert (low, high) == (result.low, result.high)
    assert low < 0.5 < high


@pytest.mark.parametrize("func", [wilson_interval, clopper_pearson_interval])
def test_higher_confidence_gives_wider_interval(func):
    narrow, wide = func(30, 50, 0.90), func(30, 50, 0.99)
    assert wide.low < narrow.low and wide.high > narrow.high


@pytest.mark.parametrize("func", [wilson_interval, clopper_pearson_interval])
@pytest.mark.parametrize(
    ("k", "n", "message"),
    [
        (11, 10, "cannot exceed"),
        (0, -1, "negative"),
        (-1, 10, "negative"),
        (2.5, 10, "whole number"),
        (2, 10.0, "whole number"),
        (True, 10, "whole number"),
        ("3", 10, "whole number"),
    ],
)
def test_bad_counts_raise(func, k, n, message):
    with pytest.raises(ValueError, match=message):
        func(k, n)


@pytest.mark.parametrize("func", [wilson_interval, clopper_pearson_interval])
@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.2, math.nan, "0.95", True])
def test_confidence_outside_open_unit_interval_raises(func, confidence):
    with pytest.raises(ValueError, match="confidence"):
        func(3, 10, confidence)


def test_below_target_matches_scipy_documented_example():
    # scipy.stats.binomtest docs: "A car manufacturer claims that no more than 10% of
    # their cars are unsafe. 15 cars are inspected ..., 3 were found to be unsafe":
    # binomtest(3, n=15, p=0.1, alternative='greater').pvalue == 0.18406106910639114.
    # Counting safe cars instead, P(X >= 3 | 15, 0.1) = P(Y <= 12 | 15, 0.9).
    assert below_target_test(12, 15, 0.9) == pytest.approx(0.18406106910639114, rel=1e-12)


def test_below_target_exact_binomial_tail():
    # P(X <= k | n=10, p=1/2) = sum C(10, i) / 2**10 for i <= k.
    assert below_target_test(0, 10, 0.5) == pytest.approx(1 / 1024, rel=1e-12)
    assert below_target_test(2, 10, 0.5) == pytest.approx(56 / 1024, rel=1e-12)
    assert below_target_test(10, 10, 0.5) == pytest.approx(1.0)


def test_below_target_returns_plain_float_and_handles_n_zero():
    assert below_target_test(0, 0, 0.8) == 1.0
    assert type(below_target_test(7, 10, 0.8)) is float


@pytest.mark.parametrize("target", [0, 1, -0.1, 1.2, math.nan, "0.8", None, True])
def test_below_target_rejects_target_outside_open_unit_interval(target):
    with pytest.raises(ValueError, match="target"):
        below_target_test(3, 10, target)


@pytest.mark.parametrize(("k", "n"), [(11, 10), (-1, 10), (0, -5)])
def test_below_target_rejects_bad_counts(k, n):
    with pytest.raises(ValueError):
        below_target_test(k, n, 0.8)
