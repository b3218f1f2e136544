"""The audits behind a figure: which audits a measure counted for a period and scope.

Built from the same definitions as the figure (the units of audit_app/measures/units.py with
the rate's own conditions, or the action measures' queries), so the list and the figure
cannot drift apart: each audit comes once, with how many of its units (itself, its graded or
yes/no answers in the domain, or its actions) the figure's denominator counts and how many
of those its numerator counts. Over all the audits, `counted` adds up to the denominator.

Moderation coverage has no audits behind its denominator (a round's quota is a plan, not a
set of audits), so it has no list.
"""

from dataclasses import replace

from sqlalchemy import and_, func

from audit_app.measures import actions
from audit_app.measures.compute import count_if
from audit_app.measures.units import UNITS
from audit_app.models import Audit


def has_audits_behind(measure):
    return measure.rate is not None or measure.key in actions.WORDS


def audits_behind(measure, period, scope):
    """SQL select of (audit_id, counted, in_numerator) for the audits behind `measure`
    (a catalogue entry with audits behind it) in `period` and `scope`, one row each."""
    scope = replace(scope, start=period.start, end=period.end)
    if measure.rate is None:
        return actions.per_audit(measure.key, scope)
    units = UNITS[measure.family](scope)
    denominator = measure.rate.denominator(units.columns)
    numerator = measure.rate.numerator(units.columns)
    in_domain = [units.domain == measure.domain] if measure.domain else []
    return (units.query(Audit.id.label("audit_id"), func.count().label("counted"),
                        count_if(and_(denominator, numerator)).label("in_numerator"))
            .where(denominator, *in_domain)
            .group_by(Audit.id))
