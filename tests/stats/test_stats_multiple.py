"""Holm's step-down adjustment, checked against published worked examples."""

import pytest

from audit_app.stats import holm


def test_the_four_hypothesis_example():
    # The worked example of the Wikipedia article "Holm–Bonferroni method" (section
    # "Example"): four p-values 0.01, 0.04, 0.03 and 0.005 at alpha = 0.05. Holm rejects the
    # first and the fourth (0.005 < 0.05/4, 0.01 < 0.05/3, then 0.03 is not < 0.05/2).
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert [p < 0.05 for p in adjusted] == [True, False, False, True]


def test_the_hdlsskst_example_including_a_tie_with_the_threshold():
    # R package HDLSSkST, help page "Holm" (Holm's step-down procedure), example: p-values
    # 0.50, 0.01, 0.001, 0.69, 0.02, 0.05, 0.0025 at alpha = 0.05; published output
    # 0 0 1 0 0 0 1. The third smallest, 0.01, equals 0.05/5, which is not below it.
    p_values = [0.50, 0.01, 0.001, 0.69, 0.02, 0.05, 0.0025]
    adjusted = holm(p_values)
    assert [int(p < 0.05) for p in adjusted] == [0, 0, 1, 0, 0, 0, 1]
    assert adjusted == pytest.approx([1.0, 0.05, 0.007, 1.0, 0.08, 0.15, 0.015])


def test_edge_cases():
    assert holm([]) == []
    assert holm([0.03]) == [0.03]  # one test: nothing to adjust
    assert holm([0.5, 0.5]) == [1.0, 1.0]  # never above 1
    assert holm([0.04, 0.04]) == [0.08, 0.08]  # ties keep their order
    for bad in ([1.5], [-0.1], [float("nan")], ["0.1"], [True]):
        with pytest.raises(ValueError, match="p-value"):
            holm(bad)
