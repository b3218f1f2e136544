"""Progress relative to targets: the action plan's rule for one outcome measure in one
reporting quarter. Plain values in, a status out: no Flask, no database.

Everything is read on the quarter's last day, as targets are (audit_app/measures/targets.py):

- "Achieved target": the figure meets the target in force.
- "On track to achieve target": it does not, but it is at or above the straight line from
  the baseline to the next target, read on that day.
- "Below target": otherwise.
- "Sample too small to judge": a figure counted from cases (computed from audits, or
  entered with its numerator and denominator) is compared through the measures' own status
  rule (`Figure.status`, audit_app/measures/figures.py): it meets a point only when its
  whole 95% interval is at or above it, falls short only when the interval is below it and
  an exact test agrees; when the interval cannot tell, neither does the plan.
- A figure entered as a value alone has no interval: it is compared as it stands, and the
  status says so.
- An outcome described only in words has no figure: the plan's editors record its progress,
  and the status says that too.
"""

from dataclasses import dataclass
from datetime import date

from audit_app.measures.figures import ACHIEVED as MEETS
from audit_app.measures.figures import BELOW as SHORT
from audit_app.measures.figures import TOO_SMALL as CANNOT_TELL
from audit_app.measures.figures import percent

ACHIEVED, ON_TRACK, BELOW = "achieved", "on_track", "below"
TOO_SMALL, NO_FIGURE, NO_TARGET = "too_small", "no_figure", "no_target"
LABELS = {
    ACHIEVED: "Achieved target",
    ON_TRACK: "On track to achieve target",
    BELOW: "Below target",
    TOO_SMALL: "Sample too small to judge",
    NO_FIGURE: "No figure for this quarter",
    NO_TARGET: "No target to judge against",
}
TAG_CLASSES = {
    ACHIEVED: "govuk-tag--green",
    ON_TRACK: "govuk-tag--yellow",
    BELOW: "govuk-tag--red",
    TOO_SMALL: "govuk-tag--grey",
    NO_FIGURE: "govuk-tag--grey",
    NO_TARGET: "govuk-tag--grey",
}
# What the plan's editors may record for a quarter of an outcome that has no figure.
JUDGEMENTS = {code: LABELS[code] for code in (ACHIEVED, ON_TRACK, BELOW)}

# How a figure was judged.
COUNTS, VALUE_ALONE, BY_EDITORS = "counts", "value_alone", "editors"

# The rule in words, for the plan page: (status, when).
RULE = [
    (LABELS[ACHIEVED], "the figure meets the target in force on the last day of the quarter."),
    (LABELS[ON_TRACK], "it does not, but it is at or above the straight line from the "
                       "baseline to the next target, read on the last day of the quarter."),
    (LABELS[BELOW], "otherwise."),
    (LABELS[TOO_SMALL], "a figure counted from cases (computed from audits, or entered with "
                        "its numerator and denominator) meets a target or the line only when "
                        "its whole 95% interval is at or above it, and falls short only when "
                        "the whole interval is below it and an exact binomial test agrees. "
                        "When the interval includes it, the cases counted cannot tell."),
    ("Judged on the value alone", "a figure entered without a numerator and denominator has "
                                  "no interval, so it is compared as it stands."),
    ("Judged by the plan's editors", "an outcome described only in words has no figure to "
                                     "apply the rule to: the quality assurance officer "
                                     "records its progress each quarter."),
]


@dataclass(frozen=True)
class DatedTarget:
    rate: float | None  # a fraction; None for a target in words only, which is not judged
    applies_from: date
    text: str = ""


@dataclass(frozen=True)
class Baseline:
    value: float | None  # a fraction; None for a baseline in words only
    on: date


def _day(value):
    return f"{value.day} {value:%B %Y}"


def line_at(baseline, target, day):
    """The straight line from the baseline to `target`, read at `day` (held at the baseline
    before it and at the target after it); None without a baseline figure. Rounded to six
    places, so that a figure exactly on the line is not below it by a rounding error."""
    if baseline is None or baseline.value is None:
        return None
    span = (target.applies_from - baseline.on).days
    if span <= 0:
        return target.rate
    done = min(max((day - baseline.on).days / span, 0.0), 1.0)
    return round(baseline.value + (target.rate - baseline.value) * done, 6)


@dataclass(frozen=True)
class Progress:
    code: str
    basis: str | None  # COUNTS, VALUE_ALONE, BY_EDITORS; None without a figure
    day: date
    in_force: DatedTarget | None = None
    next_target: DatedTarget | None = None
    line: float | None = None  # the line to the next target, read on `day`
    baseline: Baseline | None = None

    @property
    def label(self):
        return LABELS[self.code]

    @property
    def tag_class(self):
        return TAG_CLASSES[self.code]

    @property
    def basis_note(self):
        """How the figure was judged, when it was not with its interval."""
        return {VALUE_ALONE: "Judged on the value alone: entered without a denominator",
                BY_EDITORS: "Judged by the plan's editors: no figure"}.get(self.basis)

    def reasons(self):
        """What the status was read against, in sentences."""
        lines = []
        if self.in_force is not None:
            lines.append(f"Target in force on {_day(self.day)}: {percent(self.in_force.rate)}, "
                         f"from {_day(self.in_force.applies_from)}.")
        elif self.next_target is not None:
            lines.append(f"No target was in force yet on {_day(self.day)}.")
        if self.next_target is not None:
            text = (f"Next target: {percent(self.next_target.rate)}, from "
                    f"{_day(self.next_target.applies_from)}")
            if self.line is not None:
                text += (f"; the straight line to it from the baseline of "
                         f"{percent(self.baseline.value)} on {_day(self.baseline.on)} stands "
                         f"at {percent(self.line)} on {_day(self.day)}.")
            else:
                text += "; the baseline has no figure to draw a line from."
            lines.append(text)
        return lines


def judge(day, baseline, targets, figure=None, value=None, judged=None):
    """The progress of one outcome measure on `day` (the reporting quarter's last day).

    `targets` are DatedTargets (those in words only are shown, never judged against); the
    quarter's figure is one of: `figure`, a Figure (audit_app/measures/figures.py) counted
    from cases; `value`, a fraction entered without a denominator; `judged`, a code of
    JUDGEMENTS that the plan's editors recorded for an outcome without a figure.
    """
    rated = sorted((t for t in targets if t.rate is not None), key=lambda t: t.applies_from)
    in_force = next((t for t in reversed(rated) if t.applies_from <= day), None)
    upcoming = next((t for t in rated if t.applies_from > day), None)
    line = line_at(baseline, upcoming, day) if upcoming is not None else None

    def progress(code, basis):
        return Progress(code=code, basis=basis, day=day, in_force=in_force,
                        next_target=upcoming, line=line, baseline=baseline)

    if judged is not None:
        return progress(judged, BY_EDITORS)
    if figure is not None and not figure.denominator:
        figure = None  # no cases counted: no figure
    if figure is None and value is None:
        return progress(NO_FIGURE, None)
    basis = COUNTS if figure is not None else VALUE_ALONE
    if in_force is None and line is None:
        return progress(NO_TARGET, basis)
    if figure is None:
        if in_force is not None and value >= in_force.rate:
            return progress(ACHIEVED, basis)
        if line is not None and value >= line:
            return progress(ON_TRACK, basis)
        return progress(BELOW, basis)
    against_target = figure.status(in_force.rate).code if in_force is not None else None
    against_line = _counts_against(figure, line) if line is not None else None
    if against_target == MEETS:
        return progress(ACHIEVED, basis)
    if against_line == MEETS:
        return progress(ON_TRACK, basis)
    if CANNOT_TELL in (against_target, against_line):
        return progress(TOO_SMALL, basis)
    return progress(BELOW, basis)


def _counts_against(figure, point):
    """The measures' status rule against a point of the line; a line from a 0% or 100%
    baseline can reach a point the exact test cannot take, compared on the value."""
    if 0 < point < 1:
        return figure.status(point).code
    return MEETS if figure.value >= point else SHORT
