"""Placeholder values for the audit template rows of the authorization matrix: a published
template with a draft version 2, so every edit page has something to show."""

from audit_app.audit_templates import services
from tests.factories import make_template


def placeholders(users):
    template = make_template(slug="authz-templates", name="Authz templates")
    draft = services.new_draft(template)
    section = draft.sections[0]
    return {
        "tpl_id": template.id,
        "tpl_published": 1,
        "tpl_draft": draft.number,
        "tpl_section_id": section.id,
        "tpl_question_id": section.questions[0].id,
    }
