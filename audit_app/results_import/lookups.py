"""What a results file is checked against, read from the database once per import: the
teams, and each template's latest published version with its questions (audits are
recorded on that version). A handful of queries, however long the file."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from audit_app.cases.importer import TeamLookup
from audit_app.extensions import db
from audit_app.models import AuditTemplate, TemplateQuestion, TemplateSection, TemplateVersion
from audit_app.models.templates import PUBLISHED


@dataclass(frozen=True)
class Question:
    id: int
    key: str
    kind: str  # a QUESTION_KINDS code
    text: str
    domain: str | None
    order: int  # its place in the form, counting every question of the version from 1


@dataclass(frozen=True)
class Template:
    id: int
    slug: str
    version_id: int | None  # None: no version has been published
    has_overall: bool = False
    scale: tuple = ()  # grade labels, best first
    questions: dict = field(default_factory=dict)  # key -> Question


@dataclass(frozen=True)
class Lookups:
    team_id: object  # name -> team id or None (cases.importer.TeamLookup)
    templates: dict  # slug -> Template

    @property
    def question_keys(self):
        """Every question key of every template's latest published version."""
        return {key for t in self.templates.values() for key in t.questions}


def load():
    latest = (select(TemplateVersion.template_id, func.max(TemplateVersion.number).label("n"))
              .where(TemplateVersion.status == PUBLISHED)
              .group_by(TemplateVersion.template_id).subquery())
    versions = {
        template_id: version
        for template_id, version in db.session.execute(
            select(TemplateVersion.template_id, TemplateVersion)
            .join(latest, (latest.c.template_id == TemplateVersion.template_id)
                  & (latest.c.n == TemplateVersion.number)))
    }
    questions = {}
    rows = db.session.execute(
        select(TemplateSection.version_id, TemplateQuestion)
        .join(TemplateQuestion, TemplateQuestion.section_id == TemplateSection.id)
        .where(TemplateSection.version_id.in_([v.id for v in versions.values()]))
        .order_by(TemplateSection.version_id, TemplateSection.position,
                  TemplateQuestion.position))
    for version_id, q in rows:
        found = questions.setdefault(version_id, {})
        found[q.key] = Question(q.id, q.key, q.kind, q.text, q.domain, len(found) + 1)
    templates = {}
    for template_id, slug in db.session.execute(select(AuditTemplate.id, AuditTemplate.slug)):
        version = versions.get(template_id)
        templates[slug] = Template(template_id, slug, None) if version is None else Template(
            template_id, slug, version.id, version.has_overall, tuple(version.scale),
            questions.get(version.id, {}))
    return Lookups(TeamLookup(), templates)
