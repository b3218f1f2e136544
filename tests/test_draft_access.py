"""Auditing is independent: an audit that is not submitted is read only by its auditor, QA
(moderators) and admins; the case's team and the readers of all audits see it from
submission on, and not while it is returned to the auditor."""

import pytest

from audit_app.audits import access, workflow
from audit_app.extensions import db
from audit_app.models import Audit, User
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.test_audit_workflow import complete

# The demo: Sam Manager manages Crewe CIN/CP; Lee Leader heads every service.
DRAFT_READERS = {"auditor", "moderator", "admin"}
EVERYONE = {"auditor", "moderator", "admin", "manager", "leader", "practice_lead"}


@pytest.fixture
def draft(app, users):
    programme = factories.make_programme(factories.make_template(slug="drafts"))
    case = factories.make_case("LCS-8080", team_name="Crewe CIN/CP")
    social_worker = User(email="sw@example.org.uk", name="Sol Worker")
    social_worker.roles = {"auditor"}
    social_worker.set_password(TEST_PASSWORD)
    db.session.add(social_worker)
    db.session.flush()
    case.social_worker_id = social_worker.id
    audit = factories.make_audit(programme, case, users["auditor"])
    complete(audit, users["auditor"], grade="Requires improvement to be good")
    db.session.commit()
    return audit


def readers(users, audit, extra=()):
    people = {**users, **dict(extra)}
    return {role for role, user in people.items() if access.can_view(user, audit)}


def listed(users, audit, extra=()):
    people = {**users, **dict(extra)}
    return {role for role, user in people.items()
            if audit.id in db.session.scalars(
                access.visible_audits_query(user).with_only_columns(Audit.id))}


def test_only_the_auditor_and_qa_read_a_draft_the_team_reads_it_once_submitted(
        users, draft):
    worker = db.session.get(User, draft.case.social_worker_id)
    extra = [("social_worker", worker)]
    assert readers(users, draft, extra) == DRAFT_READERS
    assert listed(users, draft, extra) == DRAFT_READERS
    workflow.submit(draft, users["auditor"], draft.row_version)
    db.session.commit()
    assert readers(users, draft, extra) == EVERYONE | {"social_worker"}
    assert listed(users, draft, extra) == EVERYONE | {"social_worker"}
    workflow.return_to_auditor(draft, users["moderator"], "Add the evidence for oversight.",
                               draft.row_version)
    db.session.commit()
    assert readers(users, draft, extra) == DRAFT_READERS
    assert listed(users, draft, extra) == DRAFT_READERS


def test_the_team_manager_cannot_open_a_draft_page_but_can_once_submitted(
        client, login, users, draft):
    login("manager")
    page = client.get(f"/audits/{draft.id}")
    assert page.status_code == 403
    assert "Requires improvement" not in page.text
    assert "LCS-8080" not in client.get("/").text
    workflow.submit(draft, users["auditor"], draft.row_version)
    db.session.commit()
    page = client.get(f"/audits/{draft.id}")
    assert page.status_code == 200
    assert "Requires improvement to be good" in page.text
    assert "LCS-8080" in client.get("/").text
