"""What the "How figures are counted" page says, gathered from the definitions themselves,
so the page cannot drift from what the code counts."""

from dataclasses import dataclass

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.measures import actions, audit_date, catalogue, coverage, final_grade
from audit_app.measures.agreement import FLAG_ALPHA
from audit_app.measures.figures import SMALL_SAMPLE, STATUS_RULE
from audit_app.models import COHORTS, AuditTemplate, Service, Target, Team
from audit_app.models.templates import DOMAINS


@dataclass(frozen=True)
class MeasureWords:
    key: str  # "compliance:<domain>" for a per-domain measure
    title: str
    numerator: str
    denominator: str
    judged: bool
    whole_council: bool
    domains: list  # (key, label) for a per-domain measure, else []


def measure_words():
    """One entry per measure, a per-domain measure once, in the catalogue's order."""
    entries, seen = [], set()
    for measure in catalogue.MEASURES:
        base = measure.rate.key if measure.rate else measure.key
        if base in seen:
            continue
        seen.add(base)
        per_domain = measure.domain is not None
        entries.append(MeasureWords(
            key=f"{base}:<domain>" if per_domain else measure.key,
            title=measure.rate.title if per_domain else measure.title,
            numerator=measure.numerator_words, denominator=measure.denominator_words,
            judged=measure.judged, whole_council=measure.whole_council,
            domains=list(DOMAINS.items()) if per_domain else []))
    return entries


def scope_names():
    """{(kind, ref): name} for every service, team and template, for naming targets' scopes
    (three small queries)."""
    names = {("all", ""): "Whole council"}
    for kind, model, column in (("service", Service, Service.name), ("team", Team, Team.name),
                                ("template", AuditTemplate, AuditTemplate.name)):
        for ref, name in db.session.execute(select(model.id, column)):
            names[(kind, str(ref))] = f"{kind.capitalize()}: {name}"
    for key, label in COHORTS.items():
        names[("cohort", key)] = f"Cohort: {label}"
    return names


def targets():
    """Every target, by measure and scope, oldest first (one query)."""
    return db.session.scalars(
        select(Target).order_by(Target.measure, Target.scope_kind, Target.scope_ref,
                                Target.applies_from)).all()


PAGE = {
    "counted": audit_date.WORDS["counted"],
    "audit_date": audit_date.WORDS["audit_date"],
    "team": audit_date.WORDS["team"],
    "final_grade": final_grade.WORDS,
    "coverage_note": coverage.NARROWED_NOTE,
    "actions": actions.PAGE_WORDS,
    "status_rule": STATUS_RULE,
    "small_sample": SMALL_SAMPLE,
    "flag_alpha": FLAG_ALPHA,
}
