"""Counting the catalogue's measures for a period and a scope, optionally by team, service,
template or auditor, with each figure judged against the target in force.

One query per family of measures (the rates over audits, over graded answers, over yes/no
answers, moderation coverage, and each action measure) plus one for the targets: the number
of queries depends on which measures are asked for, never on the amount of data.
"""

from dataclasses import dataclass, replace

from sqlalchemy import and_, case, func

from audit_app.extensions import db
from audit_app.measures import actions, catalogue
from audit_app.measures.coverage import coverage
from audit_app.measures.figures import Figure
from audit_app.measures.rate import AUDITS
from audit_app.measures.scope import ALL, BY, Named, Scope
from audit_app.measures.targets import in_force
from audit_app.measures.units import UNITS

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


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _unit_counts(unit, measures, scope, by):
    """{(group, domain): {rate key: (numerator, denominator)}} and the groups with units, for
    the rates over one kind of unit (one GROUP BY query)."""
    units = UNITS[unit](scope)
    rates = list({m.rate.key: m.rate for m in measures}.values())
    per_domain = any(rate.per_domain for rate in rates)
    group = [BY[by].id, BY[by].name] if by else []
    if per_domain:
        group.append(units.domain)
    aggregates = [func.count().label("units")]
    for index, rate in enumerate(rates):
        denominator = rate.denominator(units.columns)
        aggregates.append(_count_if(and_(denominator, rate.numerator(units.columns)))
                          .label(f"n{index}"))
        aggregates.append(_count_if(denominator).label(f"d{index}"))
    query = units.query(*group, *aggregates)
    if by:
        query = BY[by].join(query)
    if group:
        query = query.group_by(*group)
    counts, groups = {}, set()
    for row in db.session.execute(query):
        key = Named(by, str(row[0]), row[1]) if by else ALL
        domain = row[len(group) - 1] if per_domain else None
        if row.units:
            groups.add(key)
        counts[(key, domain)] = {
            rate.key: (row._mapping[f"n{index}"], row._mapping[f"d{index}"])
            for index, rate in enumerate(rates)
        }
    return counts, groups


def compute(period, scope=None, named=ALL, by=None, measures=None):
    """The figures of `measures` (catalogue entries; all that apply by default) for the
    period and scope (`named` says how the scope is called), one per measure and, with `by`,
    per team, service, template or auditor that has counted audits in the period."""
    scope = replace(scope or Scope(), start=period.start, end=period.end)
    if measures is None:
        measures = [m for m in catalogue.MEASURES
                    if not (m.whole_council and (named.kind != "all" or by))]
    check(measures, named, by)
    families = {}
    for measure in measures:
        families.setdefault(measure.family, []).append(measure)

    counts, groups = {}, None
    unit_families = [family for family in families if family in UNITS]
    if by and AUDITS not in unit_families:
        unit_families.insert(0, AUDITS)  # which groups have audits
    for unit in unit_families:
        family_counts, family_groups = _unit_counts(unit, families.get(unit, []), scope, by)
        counts.update({(group, domain, key): pair
                       for (group, domain), found in family_counts.items()
                       for key, pair in found.items()})
        if unit == AUDITS:
            groups = family_groups
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
            rate_key = measure.rate.key if measure.rate else measure.key
            counted_as = group if by else ALL
            numerator, denominator = counts.get((counted_as, measure.domain, rate_key), (0, 0))
            if measure.judged:
                figure = Figure.from_counts(numerator, denominator)
            else:
                figure = Figure.against_plan(numerator, denominator)
            refs = [(g.kind, g.ref) for g in (group, named) if g.kind != "all"]
            target = targets.find(measure.key, refs) if measure.judged else None
            code = group.code if not (by and named.kind != "all") else (
                f"{named.code};{group.code}")
            results.append(Result(
                measure=measure, period=period, scope=code, figure=figure, target=target,
                status=figure.status(target.rate) if target else None))
    return results
