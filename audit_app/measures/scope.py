"""Which audits a figure covers: a period and a scope.

Scopes: all audits, or one service, team (the team the case was in when audited), template,
auditor or cohort (the case's cohorts). The agreement report can also narrow the moderations
it reads to one moderator or round, and leaves out what its reader moderates blind.
"""

from dataclasses import dataclass

from sqlalchemy import select

from audit_app import blind_moderation
from audit_app.extensions import db
from audit_app.measures.audit_date import counted
from audit_app.models import (
    COHORTS,
    Audit,
    AuditTemplate,
    CaseCohort,
    Moderation,
    ModerationSample,
    Service,
    Team,
    TemplateVersion,
    User,
)


@dataclass(frozen=True)
class Scope:
    """Dates are inclusive UK days (audit dates); None is unbounded or not narrowed."""

    start: object = None  # date
    end: object = None  # date
    team_id: int | None = None
    service_id: int | None = None
    template_id: int | None = None
    auditor_id: int | None = None
    cohort: str | None = None
    # The agreement report only: whose moderations, which round.
    moderator_id: int | None = None
    round_id: int | None = None
    # The reader: audits they are moderating blind are left out until they submit.
    reader_id: int | None = None

    @property
    def narrows_audits(self):
        """Filters that pick part of the council's audits."""
        return any(value is not None for value in (
            self.team_id, self.service_id, self.template_id, self.auditor_id, self.cohort))

    def audit_conditions(self):
        """WHERE clauses on Audit: the audits this scope counts."""
        return counted(self.start, self.end) + self.narrowing_conditions()

    def narrowing_conditions(self):
        """WHERE clauses on Audit for the team, service, template, auditor and cohort, and
        the reader's blind moderations: none for the whole council."""
        conditions = []
        if self.team_id is not None:
            conditions.append(Audit.team_id == self.team_id)
        if self.service_id is not None:
            conditions.append(Audit.team_id.in_(
                select(Team.id).where(Team.service_id == self.service_id)))
        if self.template_id is not None:
            conditions.append(Audit.template_version_id.in_(
                select(TemplateVersion.id).where(TemplateVersion.template_id ==
                                                 self.template_id)))
        if self.auditor_id is not None:
            conditions.append(Audit.auditor_id == self.auditor_id)
        if self.cohort is not None:
            conditions.append(Audit.case_id.in_(
                select(CaseCohort.case_id).where(CaseCohort.cohort == self.cohort)))
        if self.reader_id is not None:
            conditions.append(Audit.id.not_in(blind_moderation.hidden_audit_ids(self.reader_id)))
        return conditions

    def moderation_conditions(self, moderation=Moderation):
        """WHERE clauses on Moderation (or an alias of it): the moderations this scope reads."""
        conditions = []
        if self.moderator_id is not None:
            conditions.append(moderation.moderator_id == self.moderator_id)
        if self.round_id is not None:
            conditions.append(moderation.sample_id.in_(
                select(ModerationSample.id).where(ModerationSample.round_id == self.round_id)))
        return conditions


# -- Naming a scope: how the measures command and the figures' "scope" say it -------------------

@dataclass(frozen=True)
class Named:
    """A scope as people name it: kind "all", "service", "team", "template", "auditor" or
    "cohort"; `ref` is the record's id (the cohort's key) that targets are kept by."""

    kind: str
    ref: str = ""
    name: str = ""

    @property
    def code(self):
        """ "all", "team:<name>", "service:<name>", "template:<slug>", "auditor:<email>",
        "cohort:<key>" """
        return "all" if self.kind == "all" else f"{self.kind}:{self.name}"


ALL = Named("all")
# kind: (model, the column people name it by, the Scope field it narrows)
_NAMED_BY = {
    "service": (Service, Service.name, "service_id"),
    "team": (Team, Team.name, "team_id"),
    "template": (AuditTemplate, AuditTemplate.slug, "template_id"),
    "auditor": (User, User.email, "auditor_id"),
}


def find_scope(kind, name):
    """(Named, Scope keyword arguments) for a service, team, template (slug), auditor (email)
    or cohort (key) named `name`; ValueError saying what is not there (one query)."""
    name = (name or "").strip()
    if kind == "cohort":
        if name not in COHORTS:
            raise ValueError(f"unknown cohort {name!r}: cohorts are {', '.join(COHORTS)}")
        return Named("cohort", name, name), {"cohort": name}
    model, column, field = _NAMED_BY[kind]
    if kind == "auditor":
        name = User.normalise_email(name)
    found = db.session.scalar(select(model.id).where(column == name)) if name else None
    if found is None:
        what = {"template": "template with the slug", "auditor": "user with the email"}.get(
            kind, kind + " called")
        raise ValueError(f"no {what} {name!r}")
    return Named(kind, str(found), name), {field: found}


@dataclass(frozen=True)
class Dimension:
    """A breakdown (`--by`): the id and name columns to group by, and the joins they need
    on a units query (audit_app/measures/units.py), which always has Audit and
    TemplateVersion in its FROM."""

    kind: str
    id: object
    name: object
    join: object  # Select -> Select


BY = {
    "team": Dimension("team", Team.id, Team.name,
                      lambda query: query.join(Team, Team.id == Audit.team_id)),
    "service": Dimension("service", Service.id, Service.name, lambda query: (
        query.join(Team, Team.id == Audit.team_id).join(Service, Service.id == Team.service_id))),
    "template": Dimension("template", AuditTemplate.id, AuditTemplate.slug, lambda query: (
        query.join(AuditTemplate, AuditTemplate.id == TemplateVersion.template_id))),
    "auditor": Dimension("auditor", User.id, User.email,
                         lambda query: query.join(User, User.id == Audit.auditor_id)),
}
