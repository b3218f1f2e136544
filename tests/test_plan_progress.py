"""The action plan's progress rule (audit_app/plan/progress.py) at each of its boundaries.

The reference plan's recommendation 1: a 45% baseline in November 2020, 60% from September
2021, 70% from September 2022. The straight line from the baseline to the September 2021
target is easy to read at a quarter's end chosen half way along it.
"""

from datetime import date, timedelta

import pytest

from audit_app.measures.figures import Figure
from audit_app.plan.progress import (
    ACHIEVED,
    BELOW,
    BY_EDITORS,
    COUNTS,
    NO_FIGURE,
    NO_TARGET,
    ON_TRACK,
    TOO_SMALL,
    VALUE_ALONE,
    Baseline,
    DatedTarget,
    judge,
    line_at,
)

BASELINE = Baseline(0.40, date(2021, 1, 1))
FIRST = DatedTarget(0.60, date(2021, 1, 1) + timedelta(days=200), "60% good or better")
SECOND = DatedTarget(0.80, date(2022, 9, 1), "80% good or better")
TARGETS = [SECOND, FIRST]  # any order
HALF_WAY = date(2021, 1, 1) + timedelta(days=100)  # the line stands at 50%
AFTER_FIRST = date(2021, 12, 31)  # 60% in force; the line to 80% stands part way


def test_the_line_runs_straight_from_the_baseline_to_the_next_target():
    assert line_at(BASELINE, FIRST, HALF_WAY) == 0.5
    assert line_at(BASELINE, FIRST, BASELINE.on - timedelta(days=9)) == 0.4  # held before
    assert line_at(BASELINE, FIRST, FIRST.applies_from + timedelta(days=9)) == 0.6  # and after
    assert line_at(Baseline(None, BASELINE.on), FIRST, HALF_WAY) is None  # words only


@pytest.mark.parametrize(("value", "expected"), [
    (0.60, ACHIEVED),  # exactly on the target in force
    (0.5999, None),  # just below it: then the line decides
])
def test_a_value_on_the_target_in_force_has_achieved_it(value, expected):
    progress = judge(AFTER_FIRST, BASELINE, TARGETS, value=value)
    assert progress.in_force == FIRST and progress.next_target == SECOND
    if expected:
        assert progress.code == expected
    else:
        assert progress.code in (ON_TRACK, BELOW)
    assert progress.basis == VALUE_ALONE
    assert progress.basis_note == "Judged on the value alone: entered without a denominator"


def test_a_value_exactly_on_the_line_is_on_track_and_just_below_it_is_below():
    on_line = judge(HALF_WAY, BASELINE, TARGETS, value=0.50)
    assert (on_line.code, on_line.line, on_line.in_force) == (ON_TRACK, 0.5, None)
    assert on_line.label == "On track to achieve target"
    just_below = judge(HALF_WAY, BASELINE, TARGETS, value=0.4999)
    assert just_below.code == BELOW and just_below.label == "Below target"


def test_above_the_next_target_before_any_target_is_in_force_is_on_track():
    assert judge(HALF_WAY, BASELINE, TARGETS, value=0.95).code == ON_TRACK


def test_after_the_last_target_only_meeting_it_will_do():
    day = date(2023, 3, 31)
    assert judge(day, BASELINE, TARGETS, value=0.80).code == ACHIEVED
    late = judge(day, BASELINE, TARGETS, value=0.79)
    assert (late.code, late.next_target, late.line) == (BELOW, None, None)


def test_counted_figures_are_judged_with_their_interval():
    met = judge(AFTER_FIRST, BASELINE, TARGETS, figure=Figure.from_counts(95, 100))
    assert (met.code, met.basis, met.basis_note) == (ACHIEVED, COUNTS, None)
    # Exactly on the target with many cases: the interval includes it, so it cannot tell.
    assert judge(AFTER_FIRST, BASELINE, TARGETS,
                 figure=Figure.from_counts(600, 1000)).code == TOO_SMALL
    # Clearly short of the target and of the line.
    assert judge(AFTER_FIRST, BASELINE, TARGETS,
                 figure=Figure.from_counts(300, 1000)).code == BELOW


def test_counted_figures_clearly_above_the_line_are_on_track():
    # Half way to 60%: the line is at 50%; 560 of 1000 is clearly above it (not yet at 60%).
    progress = judge(HALF_WAY, BASELINE, TARGETS, figure=Figure.from_counts(560, 1000))
    assert progress.code == ON_TRACK
    # Exactly on the line with counts: the interval includes it.
    assert judge(HALF_WAY, BASELINE, TARGETS,
                 figure=Figure.from_counts(500, 1000)).code == TOO_SMALL
    assert judge(HALF_WAY, BASELINE, TARGETS,
                 figure=Figure.from_counts(400, 1000)).code == BELOW


def test_a_small_sample_is_too_small_to_judge():
    """DESIGN.md's example: 1 of 4 against 70% cannot be told from 70%."""
    target = [DatedTarget(0.70, date(2022, 9, 1))]
    progress = judge(date(2022, 9, 30), Baseline(0.45, date(2020, 11, 1)), target,
                     figure=Figure.from_counts(1, 4))
    assert progress.code == TOO_SMALL and progress.label == "Sample too small to judge"
    # The same 25% entered without its denominator has no interval: it is below.
    alone = judge(date(2022, 9, 30), Baseline(0.45, date(2020, 11, 1)), target, value=0.25)
    assert (alone.code, alone.basis) == (BELOW, VALUE_ALONE)


def test_hand_entered_figures_with_and_without_a_denominator():
    """The reference's foster carer assessments: none of 2 within 16 weeks against 80%."""
    targets = [DatedTarget(0.80, date(2022, 9, 1))]
    baseline = Baseline(1.0, date(2021, 2, 1))
    day = date(2022, 9, 30)
    with_counts = judge(day, baseline, targets, figure=Figure.from_counts(0, 2))
    assert (with_counts.code, with_counts.basis) == (TOO_SMALL, COUNTS)
    without = judge(day, baseline, targets, value=0.0)
    assert (without.code, without.basis) == (BELOW, VALUE_ALONE)
    assert judge(day, baseline, targets, figure=Figure.from_counts(560, 1000)).code == BELOW


def test_without_a_figure_or_a_target_there_is_nothing_to_judge():
    assert judge(HALF_WAY, BASELINE, TARGETS).code == NO_FIGURE
    assert judge(HALF_WAY, BASELINE, TARGETS, figure=Figure.from_counts(0, 0)).code == NO_FIGURE
    # Targets in words only are shown, never judged against.
    words = [DatedTarget(None, date(2021, 9, 1), "Foster carers will feel supported")]
    assert judge(HALF_WAY, BASELINE, words, value=0.9).code == NO_TARGET
    # No target in force yet and no baseline figure to draw the line from.
    assert judge(HALF_WAY, Baseline(None, BASELINE.on), TARGETS, value=0.9).code == NO_TARGET


def test_the_editors_judge_an_outcome_described_in_words():
    progress = judge(HALF_WAY, Baseline(None, BASELINE.on), [], judged=ON_TRACK)
    assert (progress.code, progress.basis) == (ON_TRACK, BY_EDITORS)
    assert progress.basis_note == "Judged by the plan's editors: no figure"


def test_the_reasons_name_the_target_and_the_line():
    progress = judge(AFTER_FIRST, BASELINE, TARGETS, value=0.61)
    assert progress.reasons() == [
        "Target in force on 31 December 2021: 60%, from 20 July 2021.",
        "Next target: 80%, from 1 September 2022; the straight line to it from the baseline "
        "of 40% on 1 January 2021 stands at 64% on 31 December 2021.",
    ]
