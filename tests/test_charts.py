"""Chart geometry (audit_app/charts.py), pure: where the lines, bands, dots and words go, and
the words that describe each chart to someone who cannot see it."""

from datetime import date

from audit_app import charts
from audit_app.measures import catalogue
from audit_app.measures.compute import Result
from audit_app.measures.figures import Figure
from audit_app.measures.periods import Quarter, quarters_ending
from audit_app.measures.targets import TargetInForce

GOOD = catalogue.find("good_or_better")
COVERAGE = catalogue.find("moderation_coverage")


def result(quarter, numerator, denominator, target=None, measure=GOOD):
    figure = (Figure.from_counts(numerator, denominator) if measure.judged
              else Figure.against_plan(numerator, denominator))
    in_force = TargetInForce(target, "plan", date(2021, 9, 1), "all", "") if target else None
    return Result(measure=measure, period=quarter, scope="all", figure=figure,
                  target=in_force, status=figure.status(target) if target else None)


def points(text):
    return [tuple(float(v) for v in pair.split(",")) for pair in text.split()]


def test_a_trend_line_breaks_where_a_quarter_has_no_data():
    quarters = quarters_ending(Quarter(2022, 2), 5)
    results = [result(quarters[0], 5, 10), result(quarters[1], 6, 10),
               result(quarters[2], 0, 0), result(quarters[3], 3, 4), result(quarters[4], 8, 10)]
    chart = charts.trend("trend-x", "Good or better", results)
    assert [len(points(line)) for line in chart.lines] == [2, 2]
    assert [len(points(band)) for band in chart.bands] == [4, 4]
    assert chart.points[2].y is None and chart.points[2].value == ""
    assert [p.value for p in chart.points] == ["50%", "60%", "", "75%", "80%"]
    assert [(p.period, p.year) for p in chart.points][:2] == [("Q2", "2021-22"), ("Q3", "2021-22")]
    # Higher figures are drawn higher (smaller y), inside the plot.
    first, second = chart.points[0].y, chart.points[1].y
    assert chart.top <= second < first <= chart.bottom
    # The band holds the interval: its top edge is above the line, its bottom edge below.
    band = points(chart.bands[0])
    assert band[0][1] < first < band[-1][1]


def test_a_lone_quarter_still_gets_a_visible_band():
    quarters = quarters_ending(Quarter(2022, 2), 3)
    results = [result(quarters[0], 0, 0), result(quarters[1], 1, 4), result(quarters[2], 0, 0)]
    chart = charts.trend("trend-x", "Good or better", results)
    (band,) = chart.bands
    xs = {x for x, _ in points(band)}
    assert max(xs) - min(xs) == 2 * charts.ISOLATED_HALF_WIDTH


def test_the_target_is_a_step_line_over_the_quarters_it_is_in_force():
    quarters = quarters_ending(Quarter(2022, 3), 4)
    results = [result(quarters[0], 5, 10), result(quarters[1], 5, 10, 0.6),
               result(quarters[2], 5, 10, 0.6), result(quarters[3], 5, 10, 0.7)]
    chart = charts.trend("trend-x", "Good or better", results)
    (line,) = chart.targets
    steps = points(line)
    assert len(steps) == 6  # two ends for each of the three quarters with a target
    assert steps[0][1] == steps[3][1] > steps[4][1]  # 60% then higher up, 70%
    assert "Q3 2022-23: 50% (5 of 10; 95% CI 24%–76%), target 70%" in chart.description
    assert chart.description.startswith("Good or better, by quarter. Q4 2021-22: 50%")


def test_an_axis_goes_past_100_percent_only_when_a_figure_does():
    quarters = quarters_ending(Quarter(2022, 2), 2)
    normal = charts.trend("a", "Good or better", [result(q, 9, 10) for q in quarters])
    assert [t.label for t in normal.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    over = charts.trend("b", "Coverage", [result(quarters[0], 9, 9, measure=COVERAGE),
                                          result(quarters[1], 12, 9, measure=COVERAGE)])
    assert over.y_ticks[-1].label == "150%"
    assert over.bands == [] and over.targets == []  # a count against a plan: no interval
    assert over.points[1].value == "133%"


def test_an_empty_trend_says_so():
    quarters = quarters_ending(Quarter(2022, 2), 2)
    chart = charts.trend("a", "Good or better", [result(q, 0, 0) for q in quarters])
    assert chart.lines == chart.bands == chart.targets == []
    assert "Q1 2022-23: no data; Q2 2022-23: no data." in chart.description


def test_a_breakdown_has_a_row_for_each_group():
    quarter = Quarter(2022, 2)
    rows = [("Crewe CIN/CP", result(quarter, 4, 5, 0.7)),
            ("A team with a very long name indeed, longer than fits", result(quarter, 0, 0)),
            ("Macclesfield CIN/CP", result(quarter, 0, 1, 0.7))]
    chart = charts.breakdown("teams-x", "Good or better, by team", rows)
    crewe, long_name, macclesfield = chart.rows
    assert crewe.label == "Crewe CIN/CP"
    assert long_name.label.endswith("…") and len(long_name.label) == charts.LABEL_CHARACTERS
    assert long_name.x is None and long_name.value == "No data"
    assert crewe.low < crewe.x < crewe.high
    assert macclesfield.x == chart.left  # 0%
    assert crewe.target == macclesfield.target
    assert crewe.value == "80% (4 of 5)"
    assert crewe.y < long_name.y < macclesfield.y <= chart.bottom
    assert chart.has_interval and chart.has_target
    assert ("Good or better, by team. Crewe CIN/CP: 80% (4 of 5; 95% CI 38%–96%), target 70%; "
            "A team with a very long name indeed, longer than fits: no data;") \
        in chart.description
