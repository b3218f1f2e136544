"""Confusion matrix, percent agreement and the shared input rules."""

import random

import pytest

from audit_app.stats import confusion_matrix, percent_agreement, wilson_interval

# SAS/STAT PROC FREQ documentation, "Getting Started: Agreement Study", Table "Skin
# Condition Data" (rows = Dermatologist 1, columns = Dermatologist 2).
SKIN_CATS = ["terrible", "poor", "marginal", "clear"]
SKIN = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]

# R package irrCAC (Gwet), dataset cont3x3abstractors, as printed in its README.
ABSTRACTOR_CATS = ["Ectopic", "AIU", "NIU"]
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def expand(counts, cats, seed=0):
    """Turn a contingency table into two shuffled, position-paired label lists."""
    pairs = [
        (cats[i], cats[j])
        for i, row in enumerate(counts)
        for j, count in enumerate(row)
        for _ in range(count)
    ]
    random.Random(seed).shuffle(pairs)
    return [x for x, _ in pairs], [y for _, y in pairs]


def test_confusion_matrix_rebuilds_the_sas_skin_condition_table():
    a, b = expand(SKIN, SKIN_CATS)
    assert confusion_matrix(a, b, SKIN_CATS) == SKIN
    # rows follow a: swapping the raters transposes the table
    assert confusion_matrix(b, a, SKIN_CATS) == [list(col) for col in zip(*SKIN, strict=True)]


def test_confusion_matrix_follows_category_order_and_keeps_unused_categories():
    a = ["Good", "Good", "Inadequate", None]
    b = ["Good", "Outstanding", "Good", "Good"]
    cats = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]
    assert confusion_matrix(a, b, cats) == [
        [0, 0, 0, 0],
        [1, 1, 0, 0],
        [0, 0, 0, 0],
        [0, 1, 0, 0],
    ]
    assert all(type(x) is int for row in confusion_matrix(a, b, cats) for x in row)


def test_percent_agreement_matches_irrcac_pa2_table():
    # irrCAC README: pa2.table(cont3x3abstractors) -> Percent Agreement 0.89.
    a, b = expand(ABSTRACTORS, ABSTRACTOR_CATS)
    result = percent_agreement(a, b, ABSTRACTOR_CATS)
    assert (result.value, result.agree, result.n) == (0.89, 89, 100)
    assert (result.ci_low, result.ci_high) == wilson_interval(89, 100)


def test_percent_agreement_with_no_pairs():
    result = percent_agreement([None, "Good"], ["Good", None])
    assert result.value is None
    assert (result.n, result.agree) == (0, 0)
    assert (result.ci_low, result.ci_high) == (0.0, 1.0)
    assert percent_agreement([], []).value is None


def test_none_drops_the_pair():
    a = ["Good", None, "Good", "Inadequate", "Good"]
    b = ["Good", "Good", None, "Good", "Good"]
    result = percent_agreement(a, b)
    assert (result.n, result.agree) == (3, 2)
    assert result.value == pytest.approx(2 / 3)


def test_percent_agreement_all_disagree_and_all_agree():
    assert percent_agreement(["x", "y"], ["y", "x"]).value == 0.0
    agree = percent_agreement(["x"] * 5, ["x"] * 5)
    assert agree.value == 1.0 and agree.ci_high == 1.0


def test_percent_agreement_confidence_validated():
    with pytest.raises(ValueError, match="confidence"):
        percent_agreement(["x"], ["x"], confidence=95)


@pytest.mark.parametrize("func", [confusion_matrix, percent_agreement])
def test_mismatched_lengths_raise(func):
    with pytest.raises(ValueError, match="different lengths"):
        func(["Good", "Good"], ["Good"], ["Good"])


@pytest.mark.parametrize("func", [confusion_matrix, percent_agreement])
def test_unknown_category_is_named(func):
    with pytest.raises(ValueError, match="'Excellent'"):
        func(["Good", "Excellent"], ["Good", "Good"], ["Outstanding", "Good"])
    # also when the other rating of that pair is missing
    with pytest.raises(ValueError, match="'Excellent'"):
        func(["Good", "Excellent"], ["Good", None], ["Outstanding", "Good"])


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ([], "empty"),
        (["Good", "Good"], "unique"),
        (["Good", None], "None"),
        ("Good", "sequence"),
    ],
)
def test_bad_category_lists_raise(categories, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(["Good"], ["Good"], categories)


def test_string_instead_of_sequence_raises():
    with pytest.raises(ValueError, match="sequence"):
        percent_agreement("Good", "Good")
