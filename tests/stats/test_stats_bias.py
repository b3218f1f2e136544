"""Grade bias between two raters on an ordered, best-first scale."""

from math import comb

import pytest

from audit_app.stats import GradeBias, grade_bias

SCALE = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]
O, G, RI, I = SCALE  # noqa: E741


def sign_test_two_sided(k, m):
    """Exact two-sided sign-test p-value, by hand: 2 * P(X <= min(k, m-k)), X ~ Bin(m, 1/2)."""
    tail = sum(comb(m, i) for i in range(min(k, m - k) + 1)) / 2**m
    return min(1.0, 2 * tail)


def test_counts_direction_and_mean_difference():
    a = [O, G, G, RI, I]
    b = [I, G, RI, G, I]
    result = grade_bias(a, b, SCALE)
    assert isinstance(result, GradeBias)
    # a better than b in pairs 1 (O vs I) and 3 (G vs RI); worse in pair 4 (RI vs G)
    assert (result.higher, result.lower, result.equal, result.n) == (2, 1, 2, 5)
    # rank_b - rank_a: 3, 0, 1, -1, 0 -> mean 0.6 (positive: a is more generous)
    assert result.mean_difference == pytest.approx(0.6)
    assert result.p_value == pytest.approx(1.0)


def test_sign_test_p_value_is_exact_binomial():
    # 2 pairs where a is more generous, 8 where b is: p = 2 * (1 + 10 + 45) / 1024.
    a = [G] * 2 + [RI] * 8 + [G] * 3
    b = [RI] * 2 + [G] * 8 + [G] * 3
    result = grade_bias(a, b, SCALE)
    assert (result.higher, result.lower, result.equal) == (2, 8, 3)
    assert result.p_value == pytest.approx(112 / 1024, rel=1e-12)
    assert result.p_value == pytest.approx(sign_test_two_sided(2, 10), rel=1e-12)
    assert result.mean_difference == pytest.approx((2 - 8) / 13)


def test_one_sided_run_of_generosity():
    # 10 of 10 discordant pairs favour a: p = 2 / 2**10.
    result = grade_bias([G] * 10, [RI] * 10, SCALE)
    assert result.p_value == pytest.approx(2 / 1024, rel=1e-12)
    assert result.mean_difference == pytest.approx(1.0)


def test_swapping_raters_mirrors_the_result():
    a = [O, G, G, RI, I, G, O]
    b = [G, G, I, G, RI, O, I]
    ab, ba = grade_bias(a, b, SCALE), grade_bias(b, a, SCALE)
    assert (ab.higher, ab.lower) == (ba.lower, ba.higher)
    assert ab.mean_difference == pytest.approx(-ba.mean_difference)
    assert ab.p_value == pytest.approx(ba.p_value)


def test_no_discordant_pairs_gives_p_one():
    result = grade_bias([G, O], [G, O], SCALE)
    assert (result.higher, result.lower, result.equal) == (0, 0, 2)
    assert result.mean_difference == 0.0
    assert result.p_value == 1.0


def test_no_pairs():
    result = grade_bias([None, G], [G, None], SCALE)
    assert result.n == 0 and result.mean_difference is None and result.p_value == 1.0


def test_missing_ratings_are_dropped():
    result = grade_bias([O, None, G], [I, G, None], SCALE)
    assert (result.higher, result.n) == (1, 1)
    assert result.mean_difference == pytest.approx(3.0)


def test_errors():
    with pytest.raises(ValueError, match="'Excellent'"):
        grade_bias(["Excellent"], [G], SCALE)
    with pytest.raises(ValueError, match="different lengths"):
        grade_bias([G, G], [G], SCALE)
