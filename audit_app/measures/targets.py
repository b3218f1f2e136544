"""Which target a figure is judged against.

Targets are data (audit_app/models/targets.py), edited by admins: a rate for a measure and a
scope, in force from a date until a later target for the same measure and scope. A figure
for a period is judged against the target in force on the period's last day: the most
specific one, the figure's own scope (a team, say) before the whole council's.
"""

from dataclasses import dataclass

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Target

ALL = ("all", "")


@dataclass(frozen=True)
class TargetInForce:
    rate: float
    source: str
    applies_from: object  # date
    scope_kind: str
    scope_ref: str


class TargetsInForce:
    """The targets in force on one day, for some measures: found in one query."""

    def __init__(self, rows):
        self.found = {}
        for row in rows:  # oldest first, so a later target replaces an earlier one
            self.found[(row.measure, row.scope_kind, row.scope_ref)] = TargetInForce(
                rate=row.rate, source=row.source, applies_from=row.applies_from,
                scope_kind=row.scope_kind, scope_ref=row.scope_ref)

    def find(self, measure, scopes=()):
        """The target for `measure` in the first of `scopes` ((kind, ref), most specific
        first) that has one, else the whole council's; None when there is none."""
        for kind, ref in (*scopes, ALL):
            target = self.found.get((measure, kind, ref))
            if target is not None:
                return target
        return None


def in_force(measures, day):
    """The targets in force on `day` for the measure keys `measures` (one query)."""
    return in_force_on(measures, [day])[day]


def in_force_on(measures, days):
    """{day: the targets in force that day} for each of `days`, for the measure keys
    `measures`: one query however many days (a trend's quarters)."""
    rows = db.session.execute(
        select(Target.measure, Target.scope_kind, Target.scope_ref, Target.rate, Target.source,
               Target.applies_from)
        .where(Target.measure.in_(sorted(set(measures))), Target.applies_from <= max(days))
        .order_by(Target.applies_from, Target.id)
    ).all()
    return {day: TargetsInForce(row for row in rows if row.applies_from <= day)
            for day in days}


def scope_refs(scope):
    """(kind, ref) of what a Scope (audit_app/measures/scope.py) narrows to, most specific
    first, for `TargetsInForce.find`."""
    refs = []
    for kind, value in (("team", scope.team_id), ("service", scope.service_id),
                        ("template", scope.template_id), ("cohort", scope.cohort)):
        if value is not None:
            refs.append((kind, str(value)))
    return refs
