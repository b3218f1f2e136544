"""Counting the catalogue's measures for a period and a scope, optionally by team, service,
template or auditor, with each figure judged against the target in force.

One query per family of measures (the rates over audits, over graded answers, over yes/no
answers, moderation coverage, and each action measure) plus one for the targets: the number
of queries depends on which measures are asked for, never on the amount of data.
`compute_by_period` counts a run of periods (a trend) the same way, grouped by period: its
number of queries does not grow with the number of periods either.
"""

from dataclasses import dataclass, replace

from sqlalchemy import and_, case, func

from audit_app.extensions import db
from audit_app.measures import actions, catalogue
from audit_app.measures.coverage import coverage, coverage_by_period
from audit_app.measures.figures import Figure
from audit_app.measures.grouping import period_of
from audit_app.measures.rate import AUDITS
from audit_app.measures.scope import ALL, BY, Named, Scope
from audit_app.measures.targets import in_force, in_force_on
from audit_app.measures.units import UNITS
from audit_app.models import Audit

# The keys of `Result.as_dict`, in order: the measures command's JSON and the feed's columns.
KEYS = ("measure", "period", "scope", "numerator", "denominator", "value", "ci_low", "ci_high",
        "target", "status")


@dataclass(frozen=True)
class Result:
    measure: object  # catalogue.Measure
    period: object  # Quarter, FinancialYear or Month
    scope: str  # "all", "team:<name>", ... ("<filter>;<breakdown>" when both are given)
    figure: Figure
    target: object = None  # TargetInForce
    status: object = None  # TargetStatus
    group: object = None  # Named: what the figure is for (with `by`, its team, service, ...)

    def as_dict(self):
        """The measures command's JSON object: exactly these keys, fractions from 0 to 1."""
        figure = self.figure
        return {
            "measure": self.measure.key,
            "period": self.period.code,
            "scope": self.scope,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "value": figure.value,
            "ci_low": figure.ci_low if figure.denominator else None,
            "ci_high": figure.ci_high if figure.denominator else None,
            "target": self.target.rate if self.target else None,
            "status": self.status.code if self.status else None,
        }


class MeasureError(ValueError):
    """A request for figures that cannot be answered as asked."""


def check(measures, named, by):
    """Refuse a whole-council measure asked for a narrower scope or a breakdown."""
    for measure in measures:
        if measure.whole_council and (named.kind != "all" or by):
            raise MeasureError(
                f"{measure.key} is counted for the whole council only: a moderation round's "
                "quota is not split by team, service, template, auditor or cohort")


def count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _unit_counts(unit, measures, scope, group=(), join=None):
    """{(group values, domain): {rate key: (numerator, denominator)}} and the group values
    with units, for the rates over one kind of unit (one GROUP BY query). `group`: SQL
    columns to group by besides the domain; `join`: the joins they need."""
    units = UNITS[unit](scope)
    rates = list({m.rate.key: m.rate for m in measures}.values())
    per_domain = any(rate.per_domain for rate in rates)
    columns = [*group, units.domain] if per_domain else list(group)
    aggregates = [func.count().label("units")]
    for index, rate in enumerate(rates):
        denominator = rate.denominator(units.columns)
        aggregates.append(count_if(and_(denominator, rate.numerator(units.columns)))
                          .label(f"n{index}"))
        aggregates.append(count_if(denominator).label(f"d{index}"))
    query = units.query(*columns, *aggregates)
    if join:
        query = join(query)
    if columns:
        query = query.group_by(*columns)
    counts, groups = {}, set()
    for row in db.session.execute(query):
        key = tuple(row[:len(group)])
        domain = row[len(group)] if per_domain else None
        if row.units:
            groups.add(key)
        counts[(key, domain)] = {
            rate.key: (row._mapping[f"n{index}"], row._mapping[f"d{index}"])
            for index, rate in enumerate(rates)
        }
    return counts, groups


def _applicable(measures, named, by):
    """The measures asked for, or all that apply to the scope and breakdown; refused when one
    cannot be counted so."""
    if measures is None:
        measures = [m for m in catalogue.MEASURES
                    if not (m.whole_council and (named.kind != "all" or by))]
    check(measures, named, by)
    return measures


def _families(measures):
    families = {}
    for measure in measures:
        families.setdefault(measure.family, []).append(measure)
    return families


def _rate_key(measure):
    return measure.rate.key if measure.rate else measure.key


def _result(measure, period, group, named, code, pair, targets):
    """The Result of `measure` for one period and group from its (numerator, denominator),
    judged against the target in force (`targets`: TargetsInForce of the period's end)."""
    numerator, denominator = pair or (0, 0)
    if measure.judged:
        figure = Figure.from_counts(numerator, denominator)
    else:
        figure = Figure.against_plan(numerator, denominator)
    refs = [(g.kind, g.ref) for g in (group, named) if g.kind != "all"]
    target = targets.find(measure.key, refs) if measure.judged else None
    return Result(measure=measure, period=period, scope=code, figure=figure, target=target,
                  status=figure.status(target.rate) if target else None, group=group)


def compute(period, scope=None, named=ALL, by=None, measures=None):
    """The figures of `measures` (catalogue entries; all that apply by default) for the
    period and scope (`named` says how the scope is called), one per measure and, with `by`,
    per team, service, template or auditor that has counted audits in the period."""
    scope = replace(scope or Scope(), start=period.start, end=period.end)
    measures = _applicable(measures, named, by)
    families = _families(measures)

    def named_group(values):
        return Named(by, str(values[0]), values[1]) if by else ALL

    counts, groups = {}, None
    unit_families = [family for family in families if family in UNITS]
    if by and AUDITS not in unit_families:
        unit_families.insert(0, AUDITS)  # which groups have audits
    for unit in unit_families:
        family_counts, family_groups = _unit_counts(
            unit, families.get(unit, []), scope, group=[BY[by].id, BY[by].name] if by else (),
            join=BY[by].join if by else None)
        counts.update({(named_group(values), domain, key): pair
                       for (values, domain), found in family_counts.items()
                       for key, pair in found.items()})
        if unit == AUDITS:
            groups = {named_group(values) for values in family_groups}
    if catalogue.COVERAGE_FAMILY in families:
        found = coverage(scope)
        counts[(ALL, None, "moderation_coverage")] = (found.moderated, found.quota)
    # The action measures count actions, not audits: with `by`, their groups are those that
    # have actions counted.
    action_groups = {}
    for key in actions.WORDS:
        if key in families:
            found = actions.counts(key, scope, by)
            counts.update({(group, None, key): pair for group, pair in found.items()})
            action_groups[key] = set(found)

    def scopes_of(measure):
        if not by:
            return [named]
        return sorted(action_groups.get(measure.key, groups) or (), key=lambda g: g.name)

    targets = in_force([m.key for m in measures if m.judged], period.end)
    results = []
    for measure in measures:
        for group in scopes_of(measure):
            counted_as = group if by else ALL
            code = group.code if not (by and named.kind != "all") else (
                f"{named.code};{group.code}")
            results.append(_result(measure, period, group, named, code,
                                   counts.get((counted_as, measure.domain, _rate_key(measure))),
                                   targets))
    return results


def compute_by_period(periods, scope=None, named=ALL, measures=None):
    """compute() for each of `periods` (consecutive, oldest first: a trend's quarters), with
    each family counted in one query grouped by period, so the number of queries is the same
    for two periods or twenty. The Results of the first period, then the next, and so on."""
    scope = replace(scope or Scope(), start=periods[0].start, end=periods[-1].end)
    measures = _applicable(measures, named, None)
    families = _families(measures)
    counts = {}
    for unit in (family for family in families if family in UNITS):
        found, _groups = _unit_counts(unit, families[unit], scope,
                                      group=[period_of(Audit.audited_on, periods)])
        counts.update({(values[0], domain, key): pair
                       for (values, domain), pairs in found.items()
                       for key, pair in pairs.items()})
    if catalogue.COVERAGE_FAMILY in families:
        counts.update({(code, None, "moderation_coverage"): (found.moderated, found.quota)
                       for code, found in coverage_by_period(scope, periods).items()})
    for key in actions.WORDS:
        if key in families:
            counts.update({(code, None, key): pair
                           for code, pair in actions.counts(key, scope, periods=periods).items()})
    targets = in_force_on([m.key for m in measures if m.judged], [p.end for p in periods])
    return [_result(measure, period, named, named, named.code,
                    counts.get((period.code, measure.domain, _rate_key(measure))),
                    targets[period.end])
            for period in periods for measure in measures]
