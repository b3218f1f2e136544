"""The audit workflow rules, called directly: states, versions, submission, return."""

from datetime import date

import pytest

from audit_app.audits import workflow
from audit_app.extensions import db
from audit_app.models import Event, Notification
from audit_app.versioning import EditConflict
from tests import factories


@pytest.fixture
def audit(app, users):
    case = factories.make_case()
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, case, users["auditor"])
    db.session.commit()
    return audit


def questions(audit):
    return {q.key: q for q in audit.template_version.questions}


def complete(audit, user, grade="Good"):
    q = questions(audit)
    workflow.save_answers(audit, {
        q["assessment"]: (grade, "Thorough assessment." if grade != "Good" else ""),
        q["plan"]: ("Good", ""), q["plan_date"]: ("2026-10-01", None),
    }, user, audit.row_version)
    workflow.save_answers(audit, {
        q["oversight"]: ("Outstanding", ""), q["voice_seen"]: ("yes", None),
        q["visits"]: ("4", None), q["notes"]: (None, None),
    }, user, audit.row_version)
    workflow.save_summary(audit, user, audit.row_version, "Good", "Strong plan.", "")


def events(action):
    return db.session.scalars(db.select(Event).where(Event.action == action)).all()


def test_first_save_starts_the_audit_and_logs_it(audit, users):
    q = questions(audit)
    workflow.save_answers(audit, {q["assessment"]: ("Good", "")}, users["auditor"], 1)
    db.session.commit()
    assert audit.status == "in_progress" and audit.started_at is not None
    assert audit.row_version == 2
    [started] = events("started")
    assert started.after == {"status": "in_progress"}
    [grade] = events("grade_changed")
    assert grade.before == {"question": "assessment", "grade": None}
    assert grade.after == {"question": "assessment", "grade": "Good"}
    assert audit.answers[0].grade_rank == 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(audit, users):
    q = questions(audit)
    workflow.save_answers(audit, {q["assessment"]: ("Good", "")}, users["auditor"], 1)
    db.session.commit()
    with pytest.raises(EditConflict):
        workflow.save_answers(audit, {q["assessment"]: ("Inadequate", "x")}, users["auditor"], 1)
    db.session.rollback()
    assert [a.value for a in audit.answers] == ["Good"]


def test_unchanged_grades_are_not_logged_again(audit, users):
    q = questions(audit)
    for version in (1, 2):
        workflow.save_answers(audit, {q["assessment"]: ("Good", "")}, users["auditor"], version)
    assert len(events("grade_changed")) == 1


def test_section_status_follows_the_answers(audit, users):
    section = audit.template_version.sections[0]
    q = questions(audit)
    assert workflow.section_status(audit, section) == "not_started"
    workflow.save_answers(audit, {q["assessment"]: ("Inadequate", "")}, users["auditor"], 1)
    assert workflow.section_status(audit, section) == "in_progress"
    workflow.save_answers(audit, {q["plan"]: ("Good", "")}, users["auditor"], 2)
    # Inadequate needs written evidence before the section is complete.
    assert workflow.section_status(audit, section) == "in_progress"
    workflow.save_answers(audit, {q["assessment"]: ("Inadequate", "No assessment since 2024.")},
                          users["auditor"], 3)
    assert workflow.section_status(audit, section) == "completed"


def test_submission_lists_every_missing_answer_and_evidence(audit, users):
    q = questions(audit)
    workflow.save_answers(audit, {q["assessment"]: ("Requires improvement to be good", "")},
                          users["auditor"], 1)
    problems = workflow.submission_problems(audit)
    messages = [p.message for p in problems]
    assert messages == [
        "Give the evidence for the grade Requires improvement to be good in question 1.1",
        "Answer question 1.2: Is the plan SMART and child-focused?",
        "Answer question 2.1: How effective is management oversight?",
        "Answer question 2.2: Was the child seen alone?",
        "Select the overall judgement",
    ]
    assert problems[0].field_id == f"q{q['assessment'].id}_evidence"
    assert problems[1].section_position == 1
    with pytest.raises(workflow.WorkflowError):
        workflow.submit(audit, users["auditor"], audit.row_version)
    assert audit.status == "in_progress"


def test_submit_opens_actions_with_defaults_and_tells_the_team(audit, users):
    auditor = users["auditor"]
    complete(audit, auditor)
    own = workflow.add_recommendation(audit, auditor, "Update the plan", users["leader"].id,
                                      date(2027, 1, 4), "high")
    default = workflow.add_recommendation(audit, auditor, "Record supervision", None, None,
                                          "medium")
    workflow.submit(audit, auditor, audit.row_version, today=date(2026, 12, 11))
    db.session.commit()
    assert audit.status == "submitted" and audit.submitted_at is not None
    assert (own.status, own.owner_id, own.due_on) == ("open", users["leader"].id,
                                                      date(2027, 1, 4))
    # Default owner: the case team's manager; due 20 working days on, over Christmas.
    assert (default.status, default.owner_id, default.due_on) == (
        "open", users["manager"].id, date(2027, 1, 13))
    assert len(events("opened")) == 2 and len(events("submitted")) == 1
    [note] = db.session.scalars(db.select(Notification)).all()
    assert note.recipient_id == users["manager"].id
    assert "LCS-1001" in note.subject


def test_a_submitted_audit_is_read_only(audit, users):
    complete(audit, users["auditor"])
    workflow.submit(audit, users["auditor"], audit.row_version)
    q = questions(audit)
    with pytest.raises(workflow.WorkflowError):
        workflow.save_answers(audit, {q["assessment"]: ("Inadequate", "x")}, users["auditor"],
                              audit.row_version)
    with pytest.raises(workflow.WorkflowError):
        workflow.add_recommendation(audit, users["auditor"], "Late", None, None, "low")


def test_only_the_allocated_auditor_submits(audit, users):
    complete(audit, users["auditor"])
    with pytest.raises(workflow.WorkflowError, match="Only the allocated auditor"):
        workflow.submit(audit, users["manager"], audit.row_version)


def test_return_needs_a_reason_and_reopens_the_audit(audit, users):
    complete(audit, users["auditor"])
    workflow.submit(audit, users["auditor"], audit.row_version)
    with pytest.raises(workflow.WorkflowError, match="reason"):
        workflow.return_to_auditor(audit, users["moderator"], "  ", audit.row_version)
    workflow.return_to_auditor(audit, users["moderator"], "Evidence for 1.1 is thin.",
                               audit.row_version)
    db.session.commit()
    assert audit.status == "returned" and audit.is_editable
    [returned] = events("returned")
    assert returned.note == "Evidence for 1.1 is thin."
    assert returned.actor_id == users["moderator"].id
    # The auditor changes a grade and submits again.
    q = questions(audit)
    workflow.save_answers(audit, {q["assessment"]: ("Good", "Better evidence.")},
                          users["auditor"], audit.row_version)
    workflow.submit(audit, users["auditor"], audit.row_version)
    assert audit.status == "submitted"
    with pytest.raises(workflow.WorkflowError):
        workflow.return_to_auditor(audit, users["moderator"], "", audit.row_version)


def test_returning_a_draft_is_refused(audit, users):
    with pytest.raises(workflow.WorkflowError, match="Only a submitted audit"):
        workflow.return_to_auditor(audit, users["moderator"], "Why", audit.row_version)


def test_audits_keep_the_version_they_were_started_on(audit, users):
    from audit_app.models import TemplateVersion
    from audit_app.models.templates import PUBLISHED

    q = questions(audit)
    workflow.save_answers(audit, {q["assessment"]: ("Good", "")}, users["auditor"], 1)
    template = audit.programme.template
    db.session.add(TemplateVersion(template=template, number=2, status=PUBLISHED))
    db.session.commit()
    assert template.latest_published.number == 2
    assert audit.template_version.number == 1


def test_saving_never_moves_an_audit_to_another_template_version(audit, users):
    """The form was rendered on the audit's version: its answers belong to that version."""
    from audit_app.models import TemplateVersion
    from audit_app.models.templates import PUBLISHED

    first = audit.template_version_id
    template = audit.programme.template
    db.session.add(TemplateVersion(template=template, number=2, status=PUBLISHED))
    db.session.commit()
    q = questions(audit)
    workflow.save_answers(audit, {q["assessment"]: ("Good", "")}, users["auditor"], 1)
    workflow.save_summary(audit, users["auditor"], 2, None, "Started", "")
    db.session.commit()
    assert audit.template_version_id == first
    assert [a.question.key for a in audit.answers] == ["assessment"]
    assert "Answer question 1.1" not in " ".join(
        p.message for p in workflow.submission_problems(audit))


def test_opening_an_unstarted_audit_moves_it_to_the_newest_published_version(audit, users):
    from audit_app.models import TemplateVersion
    from audit_app.models.templates import PUBLISHED

    template = audit.programme.template
    newer = TemplateVersion(template=template, number=2, status=PUBLISHED)
    db.session.add(newer)
    db.session.commit()
    assert workflow.adopt_latest_version(audit, users["auditor"])
    db.session.commit()
    assert audit.template_version_id == newer.id
    # Any form rendered before the move names version 1 of the row: it conflicts.
    assert audit.row_version == 2
    [moved] = events("template_version_changed")
    assert (moved.before, moved.after) == ({"version": 1}, {"version": 2})
    # Once started, an audit keeps its version.
    workflow.save_summary(audit, users["auditor"], 2, None, "Started", "")
    db.session.add(TemplateVersion(template=template, number=3, status=PUBLISHED))
    db.session.commit()
    assert not workflow.adopt_latest_version(audit, users["auditor"])
    assert audit.template_version_id == newer.id


def test_answers_to_another_template_versions_questions_are_refused(audit, users):
    from audit_app.audit_templates.services import new_draft

    other = new_draft(audit.programme.template).questions[0]
    with pytest.raises(workflow.WorkflowError, match="not from this audit's template version"):
        workflow.save_answers(audit, {other: ("Good", "")}, users["auditor"], 1)
    db.session.rollback()
    assert audit.answers == [] and audit.status == "allocated"
