"""Two people (or two tabs) saving the same audit at the same moment, over real HTTP.

Each try fires two requests released together by a barrier against the live threaded
server: exactly one save may win; the other gets the conflict page. Never two "saved" with
one answer lost, never two "submitted" events.
"""

import pytest
from sqlalchemy import func, select, text

from audit_app.audits import workflow
from audit_app.extensions import db
from audit_app.models import Answer, Audit, Event
from tests import factories
from tests.concurrency import at_once

TRIES = 50
CONFLICT = "Someone else changed this audit while you were editing it"


@pytest.fixture
def audit(live_app):
    case = factories.make_case()
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, case, live_app.users["auditor"])
    db.session.commit()
    return audit


def _question(audit, key):
    return next(q for q in audit.template_version.questions if q.key == key)


def _version(audit):
    return db.session.scalar(select(Audit.row_version).where(Audit.id == audit.id))


def _stored(audit, question):
    return db.session.scalar(select(Answer.value).where(
        Answer.audit_id == audit.id, Answer.question_id == question.id))


def test_two_saves_of_one_section_at_once_lose_nothing(live_app, audit):
    notes = _question(audit, "notes")
    path = f"/audits/{audit.id}/sections/{notes.section.position}"
    tabs = [live_app.client("auditor"), live_app.client("auditor")]
    pages = [tab.form(path) for tab in tabs]
    for attempt in range(TRIES):
        # Both tabs opened the section at the version the database holds now.
        forms = [{**page, "version": _version(audit)} for page in pages]
        typed = [f"first tab, try {attempt}", f"second tab, try {attempt}"]
        responses = at_once(*[
            (lambda tab=tab, form=form, text=text: tab.post(
                path, {**form, f"q{notes.id}": text, "save_draft": "Save as draft"}))
            for tab, form, text in zip(tabs, forms, typed, strict=True)
        ])
        statuses = [r.status_code for r in responses]
        saved = [i for i, r in enumerate(responses) if r.status_code == 302]
        assert len(saved) == 1, f"try {attempt}: {statuses}"
        [lost] = [r for r in responses if r.status_code != 302]
        assert lost.status_code == 200 and CONFLICT in lost.text, f"try {attempt}: {statuses}"
        assert _stored(audit, notes) == typed[saved[0]], f"try {attempt}"


def _complete(audit, user):
    q = {question.key: question for question in audit.template_version.questions}
    workflow.save_answers(audit, {
        q["assessment"]: ("Good", ""), q["plan"]: ("Good", ""),
        q["oversight"]: ("Good", ""), q["voice_seen"]: ("yes", None),
    }, user, audit.row_version)
    workflow.save_summary(audit, user, audit.row_version, "Good", "Strong plan.", "")


def _submitted_events(audit):
    return db.session.scalar(select(func.count(Event.id)).where(
        Event.entity_type == "audit", Event.entity_id == audit.id, Event.action == "submitted"))


def test_submitting_one_audit_twice_at_once_submits_it_once(live_app, audit):
    auditor, moderator = live_app.users["auditor"], live_app.users["moderator"]
    _complete(audit, auditor)
    db.session.commit()
    path = f"/audits/{audit.id}/check"
    tabs = [live_app.client("auditor"), live_app.client("auditor")]
    pages = [tab.form(path) for tab in tabs]
    for attempt in range(TRIES):
        forms = [{**page, "version": _version(audit)} for page in pages]
        responses = at_once(*[
            (lambda tab=tab, form=form: tab.post(path, {**form, "submit": "Submit audit"}))
            for tab, form in zip(tabs, forms, strict=True)
        ])
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 302], f"try {attempt}: {statuses}"
        assert _submitted_events(audit) == attempt + 1, f"try {attempt}"
        db.session.expire_all()
        workflow.return_to_auditor(db.session.get(Audit, audit.id), moderator,
                                   f"Check again ({attempt})", _version(audit))
        db.session.commit()


def test_a_sqlite_writer_waits_for_another_to_commit(app):
    """A second writer waits its turn (then loses on the row version) instead of failing
    with "database is locked"."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers wait on row locks")
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
