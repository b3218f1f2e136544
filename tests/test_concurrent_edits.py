"""Every versioned record: two people saving the same edit form at the same moment, from the
same version, over real HTTP. Exactly one save wins; the other gets the conflict page; what
is stored is the winner's. (The audit section and submission have their own 50-try tests in
test_concurrent_saves.py.)"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from audit_app.audits import workflow
from audit_app.extensions import db
from audit_app.models import (
    Action,
    Audit,
    Case,
    Moderation,
    Programme,
    Service,
    Setting,
    Team,
    TemplateSection,
    TemplateVersion,
    User,
)
from audit_app.moderation import moderate
from audit_app.settings import setting_version
from tests import factories
from tests.concurrency import at_once
from tests.test_moderating import make_sample

TRIES = 5
CONFLICT = "while you were editing it"


def day(d):
    return [str(d.day), str(d.month), str(d.year)]


@dataclass
class Edit:
    """One edit form: who edits, where, the form data with `{}` for the typed value, and how
    to read the record's version and the stored value back."""

    role: str
    path: str
    data: dict
    field: str
    version: Any
    stored: Any


def column(model, name, record_id, key="id"):
    return lambda: db.session.scalar(
        select(getattr(model, name)).where(getattr(model, key) == record_id))


def team_edit(users):
    team = factories.team("Fostering")
    return Edit("admin", f"/admin/teams/{team.id}",
                {"service_id": str(team.service_id), "manager_id": "", "active": "y"},
                "name", column(Team, "row_version", team.id), column(Team, "name", team.id))


def service_edit(users):
    service = db.session.scalar(select(Service).where(Service.name == "Fostering"))
    return Edit("admin", f"/admin/services/{service.id}", {"head_id": ""}, "name",
                column(Service, "row_version", service.id),
                column(Service, "name", service.id))


def user_edit(users):
    leader = users["leader"]
    return Edit("admin", f"/admin/users/{leader.id}",
                {"email": leader.email, "roles": ["leader"], "team_id": "", "active": "y"},
                "name", column(User, "row_version", leader.id), column(User, "name", leader.id))


def case_edit(users):
    case = factories.make_case(reference="LCS-3001")
    db.session.commit()
    return Edit("admin", f"/cases/{case.id}",
                {"reference": case.reference, "team_id": str(case.team_id),
                 "cohorts": ["child_in_need"], "opened_on": day(case.opened_on),
                 "closed_on": ["", "", ""], "social_worker_id": ""},
                "closed_on", column(Case, "row_version", case.id),
                column(Case, "closed_on", case.id))


def programme_edit(users):
    template = factories.make_template()
    programme = factories.make_programme(template)
    db.session.commit()
    return Edit("admin", f"/programmes/{programme.id}/edit",
                {"template_id": str(template.id), "period_start": day(programme.period_start),
                 "period_end": day(programme.period_end), "due_on": day(programme.due_on)},
                "name", column(Programme, "row_version", programme.id),
                column(Programme, "name", programme.id))


def setting_edit(users):
    return Edit("admin", "/admin/settings", {}, "conflict_of_interest",
                lambda: setting_version("conflict_of_interest"),
                column(Setting, "value", "conflict_of_interest", key="key"))


def template_section_edit(users):
    from audit_app.audit_templates.services import new_draft

    draft = new_draft(factories.make_template(slug="concurrent", name="Concurrent"))
    db.session.commit()
    section = draft.sections[0]
    return Edit("admin", f"/admin/templates/sections/{section.id}", {"description": ""},
                "title", column(TemplateVersion, "row_version", draft.id),
                column(TemplateSection, "title", section.id))


def _draft_audit(users):
    programme = factories.make_programme(factories.make_template(slug="edits"))
    audit = factories.make_audit(programme, factories.make_case(reference="LCS-3002"),
                                 users["auditor"])
    db.session.commit()
    return audit


def summary_edit(users):
    audit = _draft_audit(users)
    return Edit("auditor", f"/audits/{audit.id}/summary",
                {"overall_grade": "Good", "areas_for_development": "",
                 "save_draft": "Save as draft"},
                "strengths", column(Audit, "row_version", audit.id),
                column(Audit, "strengths", audit.id))


def recommendation_edit(users):
    audit = _draft_audit(users)
    action = workflow.add_recommendation(audit, users["auditor"], "Update the plan", None,
                                         None, "medium")
    db.session.commit()
    return Edit("auditor", f"/audits/{audit.id}/recommendations/{action.id}",
                {"owner_id": "", "due_on": ["", "", ""], "priority": "medium"},
                "description", column(Action, "row_version", action.id),
                column(Action, "description", action.id))


def moderation_edit(users):
    sample = make_sample(users)
    moderation = moderate.start(sample, users["moderator"])
    db.session.commit()
    return Edit("moderator", f"/moderation/samples/{sample.id}", {"save_draft": "y"},
                "feedback", column(Moderation, "row_version", moderation.id),
                column(Moderation, "feedback", moderation.id))


VALUES = {
    "closed_on": lambda attempt, tab: day(date(2026, 1 + tab, 1 + attempt)),
    "conflict_of_interest": lambda attempt, tab: ("warn", "block")[(attempt + tab) % 2],
}
STORED = {
    "closed_on": lambda value: day(value),
}


@pytest.mark.parametrize("make", [
    team_edit, service_edit, user_edit, case_edit, programme_edit, setting_edit,
    template_section_edit, summary_edit, recommendation_edit, moderation_edit,
], ids=lambda make: make.__name__)
def test_two_saves_of_one_record_at_once_overwrite_nothing(live_app, make):
    edit = make(live_app.users)
    tabs = [live_app.client(edit.role), live_app.client(edit.role)]
    pages = [tab.form(edit.path) for tab in tabs]
    typed_value = VALUES.get(edit.field, lambda attempt, tab: f"Tab {tab} try {attempt}")
    for attempt in range(TRIES):
        seen = edit.version()
        typed = [typed_value(attempt, tab) for tab in (0, 1)]
        forms = [{**page, **edit.data, "version": seen, edit.field: value}
                 for page, value in zip(pages, typed, strict=True)]
        responses = at_once(*[(lambda tab=tab, form=form: tab.post(edit.path, form))
                              for tab, form in zip(tabs, forms, strict=True)])
        statuses = [r.status_code for r in responses]
        saved = [i for i, status in enumerate(statuses) if status == 302]
        assert len(saved) == 1, f"try {attempt}: {statuses}"
        [lost] = [r for r in responses if r.status_code != 302]
        assert lost.status_code == 200 and CONFLICT in lost.text, f"try {attempt}"
        stored = edit.stored()
        assert STORED.get(edit.field, lambda v: v)(stored) == typed[saved[0]], f"try {attempt}"
        assert edit.version() == seen + 1
