"""A template version published while an auditor has a section open never orphans answers.

The answers of a section form belong to the template version it was rendered on: saving
never moves the audit to another version. An audit nobody has started moves to the newest
version when its auditor opens it; a form rendered before that is refused, showing what was
typed, rather than stored against questions the audit no longer has.
"""

import pytest

from audit_app.audit_templates import services
from audit_app.audits import workflow
from audit_app.extensions import db
from audit_app.models import Answer, Audit
from tests import factories
from tests.pages import hidden_inputs


@pytest.fixture
def audit(app, users):
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, factories.make_case(), users["auditor"])
    db.session.commit()
    return audit


def publish_version_2(audit, admin):
    """An admin rewords the first question and publishes the new version."""
    template = audit.programme.template
    draft = services.new_draft(template, actor=admin)
    question = draft.sections[0].questions[0]
    services.edit_question(question, {
        "text": "How good is the assessment of the child's needs?", "key": question.key,
        "guidance": question.guidance, "kind": question.kind, "required": question.required,
        "domain": question.domain, "evidence_required": question.evidence_required,
    }, seen=draft.row_version, actor=admin)
    services.publish(draft, seen=draft.row_version, actor=admin)
    db.session.commit()
    return draft


def open_section(client, audit, position=1):
    path = f"/audits/{audit.id}/sections/{position}"
    return path, hidden_inputs(client.get(path).get_data(as_text=True), path)


def test_a_version_published_while_a_section_is_open_does_not_orphan_its_answers(
        client, login, audit, users):
    login("auditor")
    first_version = audit.template_version_id
    assessment = audit.template_version.sections[0].questions[0]
    path, form = open_section(client, audit)
    publish_version_2(audit, users["admin"])

    saved = client.post(path, data={**form, f"q{assessment.id}": "Good",
                                     "save_draft": "Save as draft"})
    assert saved.status_code == 302
    db.session.expire_all()
    audit = db.session.get(Audit, audit.id)
    assert audit.template_version_id == first_version
    [answer] = db.session.scalars(db.select(Answer).where(Answer.audit_id == audit.id)).all()
    assert answer.question_id == assessment.id and answer.value == "Good"
    # Submission does not ask for the answer again.
    problems = " ".join(p.message for p in workflow.submission_problems(audit))
    assert "question 1.1:" not in problems


def test_a_form_rendered_before_the_audit_moved_version_saves_nothing_and_shows_it(
        client, login, audit, users):
    login("auditor")
    assessment = audit.template_version.sections[0].questions[0]
    path, old_tab = open_section(client, audit)
    version_2 = publish_version_2(audit, users["admin"])

    opened = client.get(f"/audits/{audit.id}")  # another tab: the audit moves to version 2
    assert "now uses version 2" in opened.text
    refused = client.post(path, data={**old_tab, f"q{assessment.id}": "Inadequate",
                                      f"q{assessment.id}_evidence": "No analysis of risk.",
                                      "save_draft": "Save as draft"})
    assert refused.status_code == 200
    assert "This audit's template changed while you were editing it" in refused.text
    typed = [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
             for row in refused.soup.select(".govuk-error-summary tbody tr")]
    assert typed == [["1.1 How good is the assessment?", "Inadequate"],
                     ["Evidence for 1.1", "No analysis of risk."]]
    # The page now shows version 2's questions, and nothing was saved.
    assert "How good is the assessment of the child's needs?" in refused.soup.get_text()
    db.session.expire_all()
    assert db.session.get(Audit, audit.id).template_version_id == version_2.id
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 0


def test_autosave_of_a_form_on_an_old_version_is_refused(client, login, audit, users):
    login("auditor")
    assessment = audit.template_version.sections[0].questions[0]
    path, old_tab = open_section(client, audit)
    publish_version_2(audit, users["admin"])
    client.get(f"/audits/{audit.id}")
    refused = client.post(f"{path}/autosave", data={**old_tab, f"q{assessment.id}": "Good"},
                          headers={"X-Autosave": "1"})
    assert refused.status_code == 409 and refused.json["saved"] is False
    assert db.session.scalar(db.select(db.func.count(Answer.id))) == 0
