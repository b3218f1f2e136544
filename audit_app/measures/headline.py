"""The headline figures of a quarter: what the leaders' dashboard shows, and what a quarterly
report can reuse.

For a quarter and a scope (the whole council, a service or a team): each headline measure's
figure with its target and status, its trend over the quarters up to it, and the domain
figures (graded questions good or better, and yes/no compliance, per domain); and, for one
measure, its figure for each team. Every figure is a Result of audit_app/measures/compute.py,
each family of measures counted in one query (the trend grouped by quarter), so the number
of queries is the same whatever the data and however many quarters the trend shows.
"""

from dataclasses import dataclass

from audit_app.measures import catalogue
from audit_app.measures.compute import compute, compute_by_period
from audit_app.measures.periods import quarters_ending

# In the order the dashboard shows them: findings, moderation, then actions.
HEADLINE = ("good_or_better", "good_or_better_as_audited", "agreement", "moderation_coverage",
            "actions_on_time", "dip_sample_followed_up")
# The per-domain rates, each shown as one breakdown by domain.
BY_DOMAIN = ("domain_good_or_better", "compliance")
TREND_QUARTERS = 8


@dataclass(frozen=True)
class QuarterFigures:
    quarter: object  # Quarter
    named: object  # Named: the scope as people call it
    quarters: list  # the trend's quarters, oldest first, ending with `quarter`
    trends: dict  # headline measure key -> [Result for each of `quarters`]
    by_domain: dict  # BY_DOMAIN key -> [Result for each domain]

    @property
    def headline(self):
        """The quarter's Result of each headline measure that applies to the scope."""
        return [results[-1] for results in self.trends.values()]


def headline_measures(named):
    """The headline measures that can be counted for the scope: moderation coverage is for
    the whole council only."""
    return [measure for measure in map(catalogue.find, HEADLINE)
            if not (measure.whole_council and named.kind != "all")]


def domain_measures(rate_key):
    return [m for m in catalogue.MEASURES if m.rate and m.rate.key == rate_key and m.domain]


def quarter_figures(quarter, scope, named, quarters=TREND_QUARTERS):
    """The QuarterFigures of `quarter` for `scope` (a Scope; `named` says how it is called)."""
    periods = quarters_ending(quarter, quarters)
    measures = headline_measures(named)
    trends = {measure.key: [] for measure in measures}
    for result in compute_by_period(periods, scope, named, measures=measures):
        trends[result.measure.key].append(result)
    domains = compute(quarter, scope, named,
                      measures=[m for key in BY_DOMAIN for m in domain_measures(key)])
    by_domain = {key: [r for r in domains if r.measure.rate.key == key] for key in BY_DOMAIN}
    return QuarterFigures(quarter=quarter, named=named, quarters=periods, trends=trends,
                          by_domain=by_domain)


def measure_trend(measure, quarter, scope, named, quarters=TREND_QUARTERS):
    """[Result for each quarter] of one measure, oldest first, ending with `quarter`."""
    return compute_by_period(quarters_ending(quarter, quarters), scope, named,
                             measures=[measure])


def by_team(measure, quarter, scope, named):
    """[Result for each team] of one measure in the quarter: the teams with something
    counted, by name. Not for a whole-council measure (MeasureError)."""
    return compute(quarter, scope, named, by="team", measures=[measure])
