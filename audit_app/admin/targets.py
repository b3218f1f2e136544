"""Targets for measures: adding and changing them, each change in the event log.

What a target may be is checked here, for the admin pages and for the reference targets
seed-demo loads alike: a measure of the catalogue that is judged against targets, a scope
that exists, a rate strictly between 0% and 100% (the status rule's binomial test needs
one), a date from 2000 to 2099, and its source in words.
"""

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from audit_app.eventlog import changes, record, snapshot
from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.scope import find_scope
from audit_app.models import COHORTS, AuditTemplate, Service, Target, Team

FIELDS = ("measure", "scope_kind", "scope_ref", "rate", "applies_from", "source")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
SOURCE_LENGTH = 300
# The action plan's audit targets, as data (audit_app/measures/data/reference_targets.csv).
REFERENCE_TARGETS = Path(__file__).resolve().parent.parent / "measures" / "data" / \
    "reference_targets.csv"


class TargetError(ValueError):
    """A target that cannot be saved; `field` names the form field."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def judged_measures():
    """(key, title) of every measure a target can be set for."""
    return [(m.key, m.title) for m in catalogue.MEASURES if m.judged]


def scope_choices():
    """(value "kind:ref", label) of everything a target can apply to (three queries)."""
    options = [("all:", "The whole council")]
    for kind, model, column in (("service", Service, Service.name), ("team", Team, Team.name),
                                ("template", AuditTemplate, AuditTemplate.name)):
        for ref, name in db.session.execute(select(model.id, column).order_by(column)):
            options.append((f"{kind}:{ref}", f"{kind.capitalize()}: {name}"))
    options.extend((f"cohort:{key}", f"Cohort: {label}") for key, label in COHORTS.items())
    return options


def _check(values):
    measure = catalogue.BY_KEY.get(values["measure"])
    if measure is None or not measure.judged:
        raise TargetError("measure", "Select a figure from the list")
    if (f"{values['scope_kind']}:{values['scope_ref']}"
            not in {value for value, _ in scope_choices()}):
        raise TargetError("applies_to", "Select what the target applies to from the list")
    rate = values["rate"]
    if not isinstance(rate, float) or not 0 < rate < 1:
        raise TargetError("rate", "Target must be more than 0% and less than 100%")
    if not FIRST_DAY <= values["applies_from"] <= LAST_DAY:
        raise TargetError("applies_from", "The date it applies from must be between 2000 and "
                                          "2099")
    source = values["source"]
    if not source or len(source) > SOURCE_LENGTH:
        raise TargetError("source", f"Enter where the target comes from, in "
                                    f"{SOURCE_LENGTH} characters or fewer")


def _clean(values):
    values = dict(values)
    values["source"] = " ".join((values.get("source") or "").split())
    if isinstance(values.get("rate"), int | float) and not isinstance(values["rate"], bool):
        values["rate"] = round(float(values["rate"]), 6)
    return values


DUPLICATE = ("applies_from", "There is already a target for this figure and what it applies "
                             "to from that date: change that one instead")


def _taken(values, exclude_id=None):
    query = select(Target.id).where(
        Target.measure == values["measure"], Target.scope_kind == values["scope_kind"],
        Target.scope_ref == values["scope_ref"], Target.applies_from == values["applies_from"])
    if exclude_id is not None:
        query = query.where(Target.id != exclude_id)
    return db.session.scalar(query) is not None


def _flush():
    """Write now: the same target added a moment ago by someone else is a form error from
    the unique constraint, not a failed commit."""
    try:
        db.session.flush()
    except IntegrityError:
        raise TargetError(*DUPLICATE) from None


def create_target(actor=None, **values):
    values = _clean(values)
    _check(values)
    if _taken(values):
        raise TargetError(*DUPLICATE)
    target = Target(**values, created_by_id=actor.id if actor is not None else None)
    db.session.add(target)
    _flush()
    record("target", target.id, "created", after=snapshot(target, FIELDS), actor=actor)
    return target


def update_target(target, values, actor=None):
    """Change a target (the caller has claimed its row version)."""
    values = _clean(values)
    _check(values)
    if _taken(values, exclude_id=target.id):
        raise TargetError(*DUPLICATE)
    before = snapshot(target, FIELDS)
    for name in FIELDS:
        setattr(target, name, values[name])
    _flush()
    before, after = changes(before, snapshot(target, FIELDS))
    if after:
        record("target", target.id, "updated", before=before, after=after, actor=actor)
    return target


def load_reference_targets(path=REFERENCE_TARGETS, actor=None):
    """Add the targets in a CSV file (measure,scope,rate,applies_from,source; scope "all" or
    "<kind>:<name>" as the measures command names it); returns how many were added."""
    added = 0
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(line for line in file if not line.startswith("#")):
            kind, _, name = row["scope"].partition(":")
            ref = find_scope(kind, name)[0].ref if kind != "all" else ""
            create_target(measure=row["measure"], scope_kind=kind, scope_ref=ref,
                          rate=float(row["rate"]), applies_from=date.fromisoformat(
                              row["applies_from"]), source=row["source"], actor=actor)
            added += 1
    return added
