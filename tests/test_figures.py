"""Figures and their status against a target, from hand-checked counts.

Wilson intervals: Newcombe, R.G. (1998) "Two-sided confidence intervals for the single
proportion: comparison of seven methods", Stat Med 17:857-872, Table II, method 3 (score
interval without continuity correction): 81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605,
0/20 -> 0-0.1611, 1/29 -> 0.0061-0.1718.
"""

import pytest

from audit_app.measures.figures import (
    ACHIEVED,
    BELOW,
    NO_DATA,
    TOO_SMALL,
    Figure,
    TargetStatus,
    p_text,
    percent,
)
from audit_app.stats import below_target_test


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_figure_carries_the_published_wilson_interval(k, n, low, high):
    figure = Figure.from_counts(k, n)
    assert (figure.numerator, figure.denominator) == (k, n)
    assert figure.value == pytest.approx(k / n)
    assert figure.ci_low == pytest.approx(low, abs=5e-5)
    assert figure.ci_high == pytest.approx(high, abs=5e-5)


def test_design_example_sentence():
    # DESIGN.md: "25% (1 of 4; 95% CI 5%–70%) — sample too small to judge against 70%".
    figure = Figure.from_counts(1, 4)
    assert figure.ci_low == pytest.approx(0.0456, abs=5e-5)
    assert figure.ci_high == pytest.approx(0.6994, abs=5e-5)
    assert figure.small_sample
    assert figure.describe(0.70) == (
        "25% (1 of 4; 95% CI 5%–70%) — sample too small to judge against 70%"
    )


def test_wilson_alone_would_call_1_of_4_below_70_but_the_exact_test_does_not():
    figure = Figure.from_counts(1, 4)
    assert figure.ci_high < 0.70  # 69.9%
    # P(X <= 1) for X ~ Binomial(4, 0.7) = 0.3^4 + 4(0.7)(0.3^3) = 0.0837
    status = figure.status(0.70)
    assert status.p_value == pytest.approx(0.0837, abs=1e-4)
    assert status.code == TOO_SMALL
    assert status.label == "Sample too small to judge against 70%"


def test_ten_moderations_eight_agree():
    figure = Figure.from_counts(8, 10)
    assert figure.value == 0.8
    assert figure.ci_low == pytest.approx(0.4902, abs=5e-5)
    assert figure.ci_high == pytest.approx(0.9433, abs=5e-5)
    assert figure.summary() == "80% (8 of 10; 95% CI 49%–94%)"
    assert figure.status(0.80).code == TOO_SMALL
    assert figure.status(0.90).code == TOO_SMALL


def test_achieved_needs_the_whole_interval_at_or_above_the_target():
    # 30 of 30: Wilson 88.6%-100%, Clopper-Pearson lower 0.025^(1/30) = 88.4%.
    assert Figure.from_counts(30, 30).status(0.80).code == ACHIEVED
    assert Figure.from_counts(30, 30).status(0.90).code == TOO_SMALL
    status = Figure.from_counts(30, 30).status(0.80)
    assert status.label == "Achieved target" and status.tag_class == "govuk-tag--green"
    assert Figure.from_counts(30, 30).describe(0.8) == (
        "100% (30 of 30; 95% CI 89%–100%) — achieved the 80% target"
    )


def test_achieved_also_needs_the_exact_test():
    # 9 of 9: the Wilson lower bound is 70.1%, but the exact one-sided test that the rate is
    # above 70% gives 0.7^9 = 0.040 > 0.025 (Clopper-Pearson lower 66.4%): not yet proven.
    figure = Figure.from_counts(9, 9)
    assert figure.ci_low >= 0.70
    assert figure.status(0.70).code == TOO_SMALL


def test_below_target_with_its_exact_p_value():
    # 50 of 100 against 80%: Wilson 40.4%-59.6%, far below.
    figure = Figure.from_counts(50, 100)
    status = figure.status(0.80)
    assert status.code == BELOW
    assert status.p_value == pytest.approx(below_target_test(50, 100, 0.80))
    assert status.label == "Below target" and status.tag_class == "govuk-tag--red"
    assert figure.describe(0.80) == (
        "50% (50 of 100; 95% CI 40%–60%) — below the 80% target "
        "(exact one-sided binomial test p < 0.001)"
    )
    assert not figure.small_sample


def test_sixty_of_a_hundred_is_below_seventy():
    status = Figure.from_counts(60, 100).status(0.70)
    assert status.code == BELOW
    assert status.p_value == pytest.approx(0.0210, abs=1e-4)
    assert "p = 0.021" in status.phrase


def test_no_data():
    figure = Figure.from_counts(0, 0)
    assert figure.value is None and (figure.ci_low, figure.ci_high) == (0.0, 1.0)
    assert figure.status(0.8).code == NO_DATA
    assert figure.describe(0.8) == "No data (0 of 0) — no data to judge against 80%"


def test_small_sample_threshold_and_label():
    assert Figure.from_counts(20, 29).small_sample
    assert not Figure.from_counts(20, 30).small_sample
    assert Figure.from_counts(3, 4).describe().endswith("— small sample")
    assert Figure.from_counts(30, 40).describe() == "75% (30 of 40; 95% CI 60%–86%)"


def test_percent_rounds_halves_up_and_never_rounds_to_certainty():
    assert percent(0.125) == "13%"
    assert percent(0.5) == "50%"
    assert percent(0.996) == ">99%"
    assert percent(0.004) == "<1%"
    assert percent(1.0) == "100%" and percent(0.0) == "0%"
    assert percent(None) == "No data"


def test_p_text():
    assert p_text(2 / 512) == "p = 0.004"
    assert p_text(0.0004) == "p < 0.001"


def test_status_is_immutable():
    status = TargetStatus(0.8, TOO_SMALL, 0.5)
    with pytest.raises(AttributeError):
        status.code = ACHIEVED  # type: ignore[misc]
