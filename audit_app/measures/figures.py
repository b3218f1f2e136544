"""A figure: a count over a count with its 95% Wilson interval, and its status against a target.

DESIGN.md, "Figures that must be right": every figure shows numerator, denominator, value and
a 95% interval, and a figure from a small sample says so, e.g.
"25% (1 of 4; 95% CI 5%–70%) — sample too small to judge against 70%".
"""

import math
from dataclasses import dataclass

from audit_app.stats import below_target_test, clopper_pearson_interval, wilson_interval

# Below this many cases a figure is labelled "small sample". 30 is the usual official-
# statistics threshold for "treat with caution"; the interval says how imprecise it is.
SMALL_SAMPLE = 30
# One-sided level for each side of the target, so the status agrees with a two-sided 95%
# interval: a figure is judged against a target only when the 95% interval excludes it.
ONE_SIDED_ALPHA = 0.025

ACHIEVED, BELOW, TOO_SMALL, NO_DATA = "achieved", "below", "too_small", "no_data"
TAG_CLASSES = {
    ACHIEVED: "govuk-tag--green",
    BELOW: "govuk-tag--red",
    TOO_SMALL: "govuk-tag--grey",
    NO_DATA: "govuk-tag--grey",
}


# The status rule of `Figure.status`, in words for the "How figures are counted" page.
STATUS_RULE = [
    "Achieved target: the whole 95% interval is at or above the target, and an exact "
    "binomial test agrees.",
    "Below target: the whole 95% interval is below the target, and an exact one-sided "
    "binomial test says a rate this low is unlikely (p below 0.025) if the target were being "
    "met.",
    "Sample too small to judge against the target: otherwise. The interval includes the "
    "target, so the audits counted cannot tell the rate from the target either way.",
]


def percent(value):
    """Whole percent, halves rounded up; never shows 0% or 100% unless it is exactly that."""
    if value is None:
        return "No data"
    whole = math.floor(value * 100 + 0.5)
    if whole == 100 and value < 1:
        return ">99%"
    if whole == 0 and value > 0:
        return "<1%"
    return f"{whole}%"


def p_text(p_value):
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


@dataclass(frozen=True, slots=True)
class TargetStatus:
    target: float
    code: str  # ACHIEVED, BELOW, TOO_SMALL or NO_DATA
    p_value: float  # exact one-sided binomial test that the true rate is below the target

    @property
    def target_text(self):
        return percent(self.target)

    @property
    def label(self):
        """The words for a status tag, as the reference action plan uses them."""
        return {
            ACHIEVED: "Achieved target",
            BELOW: "Below target",
            TOO_SMALL: f"Sample too small to judge against {self.target_text}",
            NO_DATA: f"No data to judge against {self.target_text}",
        }[self.code]

    @property
    def tag_class(self):
        return TAG_CLASSES[self.code]

    @property
    def phrase(self):
        """The status as the end of a sentence, after the figure."""
        return {
            ACHIEVED: f"achieved the {self.target_text} target",
            BELOW: (f"below the {self.target_text} target (exact one-sided binomial test "
                    f"{p_text(self.p_value)})"),
            TOO_SMALL: f"sample too small to judge against {self.target_text}",
            NO_DATA: f"no data to judge against {self.target_text}",
        }[self.code]


@dataclass(frozen=True, slots=True)
class Figure:
    numerator: int
    denominator: int
    value: float | None  # None when the denominator is 0
    ci_low: float | None  # 95% Wilson interval; (0, 1) when the denominator is 0; None
    ci_high: float | None  # for a count against a plan (`against_plan`)
    small_sample: bool
    note: str | None = None

    @classmethod
    def from_counts(cls, numerator, denominator, note=None):
        numerator, denominator = int(numerator or 0), int(denominator or 0)
        low, high = wilson_interval(numerator, denominator)
        return cls(
            numerator=numerator,
            denominator=denominator,
            value=numerator / denominator if denominator else None,
            ci_low=low,
            ci_high=high,
            small_sample=denominator < SMALL_SAMPLE,
            note=note,
        )

    @classmethod
    def against_plan(cls, done, planned):
        """Work done against a plan (moderations against a quota): a count of everything
        done, not an estimate from a sample, so it has no interval; it may exceed 100%."""
        done, planned = int(done or 0), int(planned or 0)
        return cls(numerator=done, denominator=planned,
                   value=done / planned if planned else None, ci_low=None, ci_high=None,
                   small_sample=False)

    @property
    def has_interval(self):
        return self.ci_low is not None

    def summary(self):
        """ "25% (1 of 4; 95% CI 5%–70%)" """
        if not self.denominator:
            return "No data (0 of 0)"
        if not self.has_interval:
            return f"{percent(self.value)} ({self.numerator} of {self.denominator})"
        return (f"{percent(self.value)} ({self.numerator} of {self.denominator}; "
                f"95% CI {percent(self.ci_low)}–{percent(self.ci_high)})")

    def status(self, target):
        """Where the figure stands against a target rate (0 < target < 1).

        The rule:

        - no cases: "No data to judge against N%";
        - "Achieved target" when the 95% Wilson interval's lower bound is at or above the
          target AND the exact (Clopper-Pearson) lower bound is too, that is the exact
          one-sided binomial test of "the true rate is below the target" rejects at 2.5%;
        - "Below target" when the Wilson upper bound is below the target AND the exact
          one-sided binomial test that the true rate is below the target gives p < 0.025
          (the p-value is shown);
        - otherwise "Sample too small to judge against N%": the interval contains the
          target, so the sample cannot tell the rate from the target either way. This is
          always the case for small samples unless the rate is far from the target.

        Why both: the Wilson interval is the one shown, so a status never contradicts it;
        the exact test keeps an approximation from deciding a borderline case. 1 of 4
        against 70% has a Wilson upper bound of 69.9% but an exact p of 0.084, so it is
        "sample too small to judge against 70%", as DESIGN.md says, not "below target".
        Without a trajectory over time this never says "On track to achieve target".
        """
        p_value = below_target_test(self.numerator, self.denominator, target)
        if not self.denominator:
            code = NO_DATA
        elif (self.ci_low >= target
              and clopper_pearson_interval(self.numerator, self.denominator).low >= target):
            code = ACHIEVED
        elif self.ci_high < target and p_value < ONE_SIDED_ALPHA:
            code = BELOW
        else:
            code = TOO_SMALL
        return TargetStatus(target=target, code=code, p_value=p_value)

    def describe(self, target=None):
        """ "25% (1 of 4; 95% CI 5%–70%) — sample too small to judge against 70%" """
        text = self.summary()
        if target is not None:
            text += " — " + self.status(target).phrase
        elif self.small_sample and self.denominator:
            text += " — small sample"
        return text
