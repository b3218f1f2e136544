"""Cohen's kappa (simple and weighted) and Gwet's AC1 against published values."""

import random

import pytest
from scipy import stats

from audit_app.stats import AC1Result, KappaResult, cohen_kappa, gwet_ac1


def expand(counts, cats, seed=0):
    """Turn a contingency table (rows = rater a) into two paired label lists."""
    pairs = [
        (cats[i], cats[j])
        for i, row in enumerate(counts)
        for j, count in enumerate(row)
        for _ in range(count)
    ]
    random.Random(seed).shuffle(pairs)
    return [x for x, _ in pairs], [y for _, y in pairs]


# SAS/STAT PROC FREQ documentation, "Getting Started: Agreement Study" (skin condition
# rated by two dermatologists, 88 patients). The "Simple Kappa Coefficient" table
# shows Kappa 0.3449, ASE 0.0724, 95% confidence limits 0.2030 and 0.4868 (the text
# also quotes 0.3449 and (0.2030, 0.4868)).
SKIN_CATS = ["terrible", "poor", "marginal", "clear"]
SKIN = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]

# SAS PROC FREQ printout reproduced in statsmodels' test suite
# (statsmodels/stats/tests/test_inter_rater.py, UnweightedCohens / TestWeightedCohens,
# "comparison to printout of a SAS example"): simple kappa 0.4842, ASE 0.1380,
# CI 0.2137-0.7547; weighted kappa (SAS default Cicchetti-Allison = linear weights)
# 0.4701, ASE 0.1457, CI 0.1845-0.7558.
SAS3_CATS = ["1", "2", "3"]
SAS3 = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]

# R package irrCAC (K.L. Gwet), README / vignette "overview", dataset cont3x3abstractors:
#   kappa2.table   -> Cohen's Kappa 0.7964094, se 0.05891072
#   gwet.ac1.table -> Gwet's AC1   0.8493305, se 0.04321747, CI (0.764, 0.935)
ABSTRACTOR_CATS = ["Ectopic", "AIU", "NIU"]
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]

# R package irr, dataset anxiety (20 subjects, columns rater2 and rater3), values from
# irr::kappa2 as recorded in statsmodels' test_inter_rater.py (test_cohens_kappa_irr):
# unweighted -0.006289308, "equal" (linear) 0.1459075, "squared" (quadratic) 0.2520325.
# irr spaces the weights over the levels present: 1, 2, 3, 4, 6.
ANXIETY_RATER2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
ANXIETY_RATER3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]
ANXIETY_CATS = ["1", "2", "3", "4", "6"]


def test_simple_kappa_matches_sas_agreement_study():
    a, b = expand(SKIN, SKIN_CATS)
    result = cohen_kappa(a, b)
    assert isinstance(result, KappaResult)
    assert result.n == 88 and result.reason is None
    assert result.kappa == pytest.approx(0.3449, abs=5e-5)
    assert result.se == pytest.approx(0.0724, abs=5e-5)
    assert result.ci_low == pytest.approx(0.2030, abs=5e-5)
    assert result.ci_high == pytest.approx(0.4868, abs=5e-5)


def test_simple_and_weighted_kappa_match_sas_printout():
    a, b = expand(SAS3, SAS3_CATS)
    simple = cohen_kappa(a, b, SAS3_CATS)
    assert (simple.kappa, simple.se, simple.ci_low, simple.ci_high) == pytest.approx(
        (0.4842, 0.1380, 0.2137, 0.7547), abs=5e-5
    )
    weighted = cohen_kappa(a, b, SAS3_CATS, weights="linear")
    assert weighted.weights == "linear"
    assert (weighted.kappa, weighted.se, weighted.ci_low, weighted.ci_high) == pytest.approx(
        (0.4701, 0.1457, 0.1845, 0.7558), abs=5e-5
    )


def test_kappa_and_se_match_irrcac():
    a, b = expand(ABSTRACTORS, ABSTRACTOR_CATS)
    result = cohen_kappa(a, b)
    assert result.kappa == pytest.approx(0.7964094, abs=5e-8)
    assert result.se == pytest.approx(0.05891072, abs=5e-9)
    assert result.observed_agreement == pytest.approx(0.89)


@pytest.mark.parametrize(
    ("weights", "expected"),
    [(None, -0.006289308), ("linear", 0.1459075), ("quadratic", 0.2520325)],
)
def test_weighted_kappa_values_match_r_irr(weights, expected):
    a = [str(x) for x in ANXIETY_RATER2]
    b = [str(x) for x in ANXIETY_RATER3]
    result = cohen_kappa(a, b, ANXIETY_CATS, weights=weights)
    assert result.kappa == pytest.approx(expected, abs=5e-7)


def test_interval_uses_normal_quantile_for_confidence():
    a, b = expand(SKIN, SKIN_CATS)
    result = cohen_kappa(a, b, confidence=0.90)
    z = stats.norm.ppf(0.95)
    assert result.ci_low == pytest.approx(result.kappa - z * result.se)
    assert result.ci_high == pytest.approx(result.kappa + z * result.se)
    with pytest.raises(ValueError, match="confidence"):
        cohen_kappa(a, b, confidence=1.0)


def test_two_categories_weighting_makes_no_difference():
    a, b = expand([[20, 5], [10, 15]], ["yes", "no"])
    simple = cohen_kappa(a, b, ["yes", "no"])
    for weights in ("linear", "quadratic"):
        weighted = cohen_kappa(a, b, ["yes", "no"], weights=weights)
        assert weighted.kappa == pytest.approx(simple.kappa)
        assert weighted.se == pytest.approx(simple.se)


def test_unused_categories_do_not_change_simple_kappa():
    a, b = expand(SKIN, SKIN_CATS)
    base = cohen_kappa(a, b)
    wider = cohen_kappa(a, b, [*SKIN_CATS, "not assessed"])
    assert wider.kappa == pytest.approx(base.kappa)
    assert wider.se == pytest.approx(base.se)


def test_kappa_is_symmetric_in_the_raters():
    a, b = expand(SKIN, SKIN_CATS)
    for weights in (None, "linear", "quadratic"):
        ab = cohen_kappa(a, b, SKIN_CATS, weights)
        ba = cohen_kappa(b, a, SKIN_CATS, weights)
        assert ba.kappa == pytest.approx(ab.kappa)
        assert ba.se == pytest.approx(ab.se)


def test_kappa_undefined_when_both_raters_use_one_category():
    result = cohen_kappa(["Good"] * 4, ["Good"] * 4)
    assert result.kappa is None and result.se is None
    assert result.ci_low is None and result.ci_high is None
    assert result.n == 4
    assert "'Good'" in result.reason
    weighted = cohen_kappa(["Good"] * 4, ["Good"] * 4, ["Outstanding", "Good"], "quadratic")
    assert weighted.kappa is None and weighted.reason


def test_kappa_with_no_pairs():
    result = cohen_kappa([None, "Good"], ["Good", None])
    assert result.kappa is None and result.n == 0 and result.reason
    assert cohen_kappa([], []).kappa is None


def test_perfect_agreement_gives_kappa_one_with_zero_se():
    result = cohen_kappa(["a", "b", "c", "a"], ["a", "b", "c", "a"])
    assert result.kappa == pytest.approx(1.0)
    assert result.se == pytest.approx(0.0, abs=1e-12)
    assert result.ci_high == pytest.approx(1.0)


def test_total_disagreement_gives_kappa_minus_one():
    result = cohen_kappa(["a", "b"] * 5, ["b", "a"] * 5)
    assert result.kappa == pytest.approx(-1.0)
    assert result.ci_low >= -1.0
    assert result.observed_agreement == 0.0


def test_none_pairs_are_dropped():
    a, b = expand(SKIN, SKIN_CATS)
    with_missing = cohen_kappa([*a, None, "poor"], [*b, "clear", None])
    base = cohen_kappa(a, b)
    assert with_missing.n == base.n == 88
    assert with_missing.kappa == pytest.approx(base.kappa)


def test_weighted_kappa_needs_ordered_categories():
    with pytest.raises(ValueError, match="ordered categories"):
        cohen_kappa(["a"], ["a"], weights="linear")


def test_unknown_weighting_rejected():
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa(["a"], ["a"], ["a", "b"], weights="cubic")


def test_kappa_input_errors():
    with pytest.raises(ValueError, match="different lengths"):
        cohen_kappa(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="'z'"):
        cohen_kappa(["a", "z"], ["a", "b"], ["a", "b"])


def test_ac1_matches_irrcac_gwet_ac1_table():
    a, b = expand(ABSTRACTORS, ABSTRACTOR_CATS)
    result = gwet_ac1(a, b, ABSTRACTOR_CATS)
    assert isinstance(result, AC1Result)
    assert result.n == 100 and result.reason is None
    assert result.ac1 == pytest.approx(0.8493305, abs=5e-8)
    assert result.se == pytest.approx(0.04321747, abs=5e-9)
    # Our interval is normal-based; irrCAC's (0.764, 0.935) uses a t(n-1) quantile.
    z = stats.norm.ppf(0.975)
    assert result.ci_low == pytest.approx(result.ac1 - z * result.se)
    assert result.ci_high == pytest.approx(result.ac1 + z * result.se)
    assert result.ci_low == pytest.approx(0.764, abs=2e-3)
    assert result.ci_high == pytest.approx(0.935, abs=2e-3)


def test_ac1_stays_high_where_kappa_collapses():
    # The "kappa paradox" (Feinstein & Cicchetti 1990, J Clin Epidemiol 43:543-549)
    # that motivates AC1: 118 of 125 files agreed, nearly all in one grade.
    a, b = expand([[118, 5], [2, 0]], ["met", "not met"])
    kappa = cohen_kappa(a, b)
    ac1 = gwet_ac1(a, b, ["met", "not met"])
    assert kappa.kappa < 0.0
    assert ac1.ac1 > 0.9
    # hand calculation: p_a = 0.944, pi = (0.972, 0.028), p_e = 2 * 0.972 * 0.028
    p_e = 2 * 0.972 * 0.028
    assert ac1.ac1 == pytest.approx((0.944 - p_e) / (1 - p_e))


def test_ac1_needs_two_categories():
    result = gwet_ac1(["Good"] * 3, ["Good"] * 3)
    assert result.ac1 is None and result.reason and result.n == 3
    # with the full scale it is defined: everyone agreeing is AC1 = 1
    full = gwet_ac1(["Good"] * 3, ["Good"] * 3, ["Outstanding", "Good", "Inadequate"])
    assert full.ac1 == pytest.approx(1.0)


def test_ac1_with_no_pairs_and_bad_input():
    assert gwet_ac1([None], ["a"]).ac1 is None
    assert gwet_ac1([], []).n == 0
    with pytest.raises(ValueError, match="different lengths"):
        gwet_ac1(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="'q'"):
        gwet_ac1(["a", "q"], ["a", "b"], ["a", "b"])
    with pytest.raises(ValueError, match="confidence"):
        gwet_ac1(["a"], ["a"], confidence=0)


def test_ac1_total_disagreement_is_negative_and_bounded():
    result = gwet_ac1(["a", "b"] * 5, ["b", "a"] * 5)
    assert result.ac1 == pytest.approx(-1.0)
    assert result.ci_low >= -1.0
