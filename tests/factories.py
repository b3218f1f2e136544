"""Small builders for test data. Each adds to the session and flushes; callers commit."""

from datetime import date

from audit_app.extensions import db
from audit_app.models import (
    Audit,
    AuditTemplate,
    Case,
    Programme,
    Team,
    TemplateQuestion,
    TemplateSection,
    TemplateVersion,
)
from audit_app.models.templates import OFSTED_SCALE, PUBLISHED
from audit_app.timeutil import utcnow

# A short whole-case-file template: (section title, [(key, text, kind, required, domain)])
SMALL_TEMPLATE = [
    (
        "Assessment and planning",
        [
            ("assessment", "How good is the assessment?", "graded", True, "assessment"),
            ("plan", "Is the plan SMART and child-focused?", "graded", True, "plan"),
            ("plan_date", "When was the plan last reviewed?", "date", False, None),
        ],
    ),
    (
        "Oversight and voice",
        [
            ("oversight", "How effective is management oversight?", "graded", True,
             "management_oversight"),
            ("voice_seen", "Was the child seen alone?", "yes_no", True, "voice_of_child"),
            ("visits", "How many visits in the last 3 months?", "number", False, None),
            ("notes", "Anything else?", "text", False, None),
        ],
    ),
]


def team(name="Crewe CIN/CP"):
    return db.session.scalar(db.select(Team).where(Team.name == name))


def make_case(reference="LCS-1001", team_name="Crewe CIN/CP", cohorts=("child_in_need",),
              opened_on=date(2025, 1, 6), closed_on=None):
    case = Case(reference=reference, team_id=team(team_name).id, opened_on=opened_on,
                closed_on=closed_on)
    case.cohorts = set(cohorts)
    db.session.add(case)
    db.session.flush()
    return case


def make_template(slug="small-case-file", name="Small case file audit", spec=SMALL_TEMPLATE,
                  has_overall=True, purpose="whole_case_file", published=True,
                  evidence_required=True):
    template = AuditTemplate(name=name, slug=slug, purpose=purpose)
    version = TemplateVersion(template=template, number=1, has_overall=has_overall,
                              scale=list(OFSTED_SCALE), good_or_better=2)
    for s_pos, (title, questions) in enumerate(spec, start=1):
        section = TemplateSection(position=s_pos, title=title)
        for q_pos, (key, text, kind, required, domain) in enumerate(questions, start=1):
            section.questions.append(TemplateQuestion(
                position=q_pos, key=key, text=text, kind=kind, required=required,
                domain=domain, guidance=f"What good looks like for {key}.",
                evidence_required=evidence_required and kind == "graded",
            ))
        version.sections.append(section)
    if published:
        version.status = PUBLISHED
        version.published_at = utcnow()
    db.session.add(template)
    db.session.flush()
    return template


def make_programme(template, name="Q3 2026-27 whole case file audit",
                   period_start=date(2026, 10, 1), period_end=date(2026, 12, 31),
                   due_on=date(2026, 12, 18)):
    programme = Programme(name=name, template_id=template.id, period_start=period_start,
                          period_end=period_end, due_on=due_on)
    db.session.add(programme)
    db.session.flush()
    return programme


def make_audit(programme, case, auditor, status="allocated", due_on=date(2026, 12, 18)):
    version = programme.template.latest_published
    audit = Audit(programme_id=programme.id, case_id=case.id, auditor_id=auditor.id,
                  template_version_id=version.id, status=status, due_on=due_on)
    db.session.add(audit)
    db.session.flush()
    return audit


def whole_case_file_template():
    """The built-in whole case file audit, published (as seed-demo loads it)."""
    from audit_app.audit_templates.services import load_builtin_templates
    from audit_app.models import AuditTemplate

    load_builtin_templates()
    return db.session.scalar(db.select(AuditTemplate).where(
        AuditTemplate.slug == "whole-case-file"))
