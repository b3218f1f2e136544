"""Charts of figures, drawn on the server as plain SVG: the geometry is worked out here (pure
functions, tested), and templates/macros/charts.html writes it out as markup.

Why plain SVG from a template: a chart here is a few lines, dots and words, which a Jinja
macro writes in a few dozen lines with no dependency, no script and no style attribute, so
the Content-Security-Policy stays as strict as it is (a plotting library would bring inline
styles or a raster image, and far more than these charts need). Each chart:
- is an <svg role="img"> named by its <title> and described by its <desc>, which says every
  figure in words; the page puts the same figures in a table beside it;
- scales to its container (viewBox, width 100%), so it stays whole at 400% zoom;
- does not rely on colour: the figure is a solid line with round markers and its value
  written beside each, the interval a pale band or whiskers, the target a dashed line, with
  a legend; it reads the same in grey scale.

Values are fractions from 0 to 1 (a count against a plan, such as moderation coverage, may
pass 1: the axis then goes further).
"""

import math
from dataclasses import dataclass

from audit_app.measures.figures import percent

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 44, 52  # trend chart margins: axis labels, legend, quarters
TREND_HEIGHT = 320
ROW, LABEL_WIDTH, VALUE_WIDTH = 32, 210, 170  # breakdown rows and columns
LABEL_CHARACTERS = 24  # what fits in LABEL_WIDTH at the charts' font size (16)
ISOLATED_HALF_WIDTH = 8  # a band around a quarter with no neighbour to join


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float | None  # None: nothing counted that quarter
    value: str  # the figure as written beside its marker
    period: str  # "Q2"
    year: str  # "2022-23"


@dataclass(frozen=True)
class TrendChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    y_ticks: list
    points: list
    lines: list  # "x,y x,y ..." for each run of quarters with a figure
    bands: list  # polygon points of the interval around each run
    targets: list  # "x,y ..." step line for each run of quarters with a target


@dataclass(frozen=True)
class DotRow:
    y: float
    label: str  # shortened to fit; the table has it whole
    x: float | None  # the figure; None when nothing was counted
    low: float | None
    high: float | None
    target: float | None
    value: str


@dataclass(frozen=True)
class DotChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: list
    rows: list
    has_interval: bool
    has_target: bool


def _axis_top(values):
    """1 (100%), or the next quarter step above the largest value when one passes it."""
    largest = max((v for v in values if v is not None), default=0)
    return max(1.0, math.ceil(largest * 4) / 4)


def _ticks(top):
    steps = round(top * 4)
    return [i / 4 for i in range(steps + 1)]


def _runs(items, present):
    """Consecutive runs of `items` for which `present(item)` holds."""
    runs, run = [], []
    for item in items:
        if present(item):
            run.append(item)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _points(pairs):
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pairs)


def _figure_words(result):
    figure = result.figure
    if not figure.denominator:
        return "no data"
    return figure.summary()


def trend_description(title, results):
    """Every quarter's figure and target in words, oldest first."""
    parts = []
    for result in results:
        words = f"{result.period.label}: {_figure_words(result)}"
        if result.target:
            words += f", target {percent(result.target.rate)}"
        parts.append(words)
    return f"{title}, by quarter. " + "; ".join(parts) + "."


def trend(chart_id, title, results, height=TREND_HEIGHT):
    """A TrendChart of `results` (one Result a quarter, oldest first): the figure as a line
    with markers, its 95% interval as a band, and the target in force as a dashed step line."""
    top_value = _axis_top([r.figure.value for r in results])
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, height - BOTTOM
    step = (right - left) / max(len(results), 1)

    def y_of(value):
        return round(bottom - value / top_value * (bottom - top), 1)

    xs = [round(left + (i + 0.5) * step, 1) for i in range(len(results))]
    points = [TrendPoint(
        x=x, y=y_of(r.figure.value) if r.figure.value is not None else None,
        value=percent(r.figure.value) if r.figure.value is not None else "",
        period=f"Q{r.period.number}", year=r.period.financial_year)
        for x, r in zip(xs, results, strict=True)]
    indexed = list(zip(xs, results, strict=True))
    lines, bands = [], []
    for run in _runs(indexed, lambda item: item[1].figure.value is not None):
        lines.append(_points((x, y_of(r.figure.value)) for x, r in run))
        with_interval = [(x, r) for x, r in run if r.figure.has_interval]
        if with_interval:
            upper = [(x, y_of(r.figure.ci_high)) for x, r in with_interval]
            lower = [(x, y_of(r.figure.ci_low)) for x, r in with_interval]
            if len(with_interval) == 1:
                (x, high), (_, low) = upper[0], lower[0]
                upper = [(x - ISOLATED_HALF_WIDTH, high), (x + ISOLATED_HALF_WIDTH, high)]
                lower = [(x - ISOLATED_HALF_WIDTH, low), (x + ISOLATED_HALF_WIDTH, low)]
            bands.append(_points(upper + lower[::-1]))
    targets = []
    for run in _runs(indexed, lambda item: item[1].target is not None):
        steps = []
        for x, r in run:
            y = y_of(r.target.rate)
            steps.extend([(x - step / 2, y), (x + step / 2, y)])  # in force all quarter
        targets.append(_points(steps))
    return TrendChart(
        id=chart_id, title=title, description=trend_description(title, results),
        width=WIDTH, height=height, left=left, right=right, top=top, bottom=bottom,
        y_ticks=[Tick(y_of(v), percent(v)) for v in _ticks(top_value)], points=points,
        lines=lines, bands=bands, targets=targets)


def _short(label):
    return label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1] + "…"


def breakdown_description(title, rows):
    """Every row's figure and target in words."""
    parts = []
    for label, result in rows:
        words = f"{label}: {_figure_words(result)}"
        if result.target:
            words += f", target {percent(result.target.rate)}"
        parts.append(words)
    return f"{title}. " + ("; ".join(parts) if parts else "Nothing counted") + "."


def breakdown(chart_id, title, rows):
    """A DotChart of `rows` ((label, Result) pairs, in the order shown): one row each, the
    figure a dot, its 95% interval whiskers, the target a dashed mark."""
    top_value = _axis_top([r.figure.value for _, r in rows])
    left, right = LABEL_WIDTH, WIDTH - VALUE_WIDTH
    top = TOP
    height = top + ROW * len(rows) + BOTTOM - 20

    def x_of(value):
        return round(left + value / top_value * (right - left), 1)

    dots = []
    for index, (label, result) in enumerate(rows):
        figure = result.figure
        counted = figure.value is not None
        dots.append(DotRow(
            y=top + ROW * (index + 0.5), label=_short(label),
            x=x_of(figure.value) if counted else None,
            low=x_of(figure.ci_low) if counted and figure.has_interval else None,
            high=x_of(figure.ci_high) if counted and figure.has_interval else None,
            target=x_of(result.target.rate) if result.target else None,
            value=(f"{percent(figure.value)} ({figure.numerator} of {figure.denominator})"
                   if counted else "No data")))
    return DotChart(
        id=chart_id, title=title, description=breakdown_description(title, rows),
        width=WIDTH, height=height, left=left, right=right, top=top,
        bottom=top + ROW * len(rows),
        x_ticks=[Tick(x_of(v), percent(v)) for v in _ticks(top_value)], rows=dots,
        has_interval=any(row.low is not None for row in dots),
        has_target=any(row.target is not None for row in dots))
