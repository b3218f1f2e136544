"""Every action has an owner and a due date from its priority: an auditor on a case whose
team has no manager must choose an owner, and the due dates follow the admin's setting."""

import pytest

from audit_app.actions import workflow as actions_workflow
from audit_app.extensions import db
from audit_app.models import Action, Event
from tests import factories
from tests.test_audit_pages import fresh, section_one, section_two

NO_OWNER = actions_workflow.NO_OWNER


@pytest.fixture
def unmanaged(app, users):
    """A draft audit of a case in a team with no manager, and no social worker."""
    case = factories.make_case(reference="LCS-3001", team_name="Macclesfield CIN/CP")
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, case, users["auditor"])
    db.session.commit()
    assert actions_workflow.default_owner(case) is None
    return audit


def _answer_everything(client, audit):
    client.submit(f"/audits/{audit.id}/sections/1", section_one(audit))
    client.submit(f"/audits/{audit.id}/sections/2", section_two(audit))
    client.submit(f"/audits/{audit.id}/summary", {
        "overall_grade": "Good", "strengths": "Child seen alone.",
        "areas_for_development": "None.", "save_continue": "y"})


def test_without_a_team_manager_the_auditor_must_choose_an_owner(client, login, users,
                                                                  unmanaged):
    login("auditor")
    page = client.get(f"/audits/{unmanaged.id}/recommendations")
    assert "The case's team has no active manager" in page.soup.get_text()
    assert page.soup.select_one("#owner_id option").get_text() == "Choose an owner"
    refused = client.submit(f"/audits/{unmanaged.id}/recommendations", {
        "description": "Update the plan", "priority": "medium", "owner_id": ""})
    assert [a.get_text() for a in refused.soup.select(".govuk-error-summary a")] == [NO_OWNER]
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 0

    added = client.submit(f"/audits/{unmanaged.id}/recommendations", {
        "description": "Update the plan", "priority": "high",
        "owner_id": str(users["practice_lead"].id)})
    assert added.status_code == 302
    _answer_everything(client, unmanaged)
    done = client.submit(f"/audits/{unmanaged.id}/check", {})
    assert done.soup.h1.get_text(strip=True) == "Audit submitted"
    # Nobody manages the team and the case has no social worker: it says so.
    assert "Nobody has been told the audit is ready to read" in done.text
    assert "We have told" not in done.text
    [action] = fresh(unmanaged).actions
    assert action.owner_id == users["practice_lead"].id


def test_a_recommendation_left_unowned_when_the_manager_leaves_stops_submission(
        client, login, users, unmanaged):
    manager = users["manager"]
    team = unmanaged.case.team
    team.manager_id = manager.id
    db.session.commit()
    login("auditor")
    client.submit(f"/audits/{unmanaged.id}/recommendations", {
        "description": "Update the plan", "priority": "medium", "owner_id": ""})
    [action] = db.session.scalars(db.select(Action)).all()
    team.manager_id = None  # the manager moves on before the audit is submitted
    db.session.commit()
    _answer_everything(client, unmanaged)
    refused = client.submit(f"/audits/{unmanaged.id}/check", {})
    links = {a.get_text(): a["href"] for a in refused.soup.select(".govuk-error-summary a")}
    message = ("Choose an owner for the recommendation \u201cUpdate the plan\u201d: the "
               "case's team has no active manager")
    assert links[message] == f"/audits/{unmanaged.id}/recommendations/{action.id}#owner_id"
    assert fresh(unmanaged).status != "submitted"


def test_the_owner_list_offers_the_case_teams_people_first(client, login, users, unmanaged):
    crewe = factories.make_case(reference="LCS-3002", team_name="Crewe CIN/CP")
    audit = factories.make_audit(unmanaged.programme, crewe, users["auditor"])
    db.session.commit()
    login("auditor")
    page = client.get(f"/audits/{audit.id}/recommendations")
    offered = [o.get_text() for o in page.soup.select("#owner_id option")][1:]
    # Crewe's manager first, then the rest of Crewe's team, then everyone else.
    assert offered[0].startswith(users["manager"].name)
    crewe_people = {users["practice_lead"].name}
    assert {o.split(" (")[0] for o in offered[1:1 + len(crewe_people)]} == crewe_people


@pytest.mark.parametrize(("typed", "message"), [
    ("0", "High-priority actions must be a whole number of working days from 1 to 260"),
    ("261", "High-priority actions must be a whole number of working days from 1 to 260"),
    ("five", "High-priority actions must be a whole number of working days from 1 to 260"),
    ("\uff15", "High-priority actions must be a whole number of working days from 1 to 260"),
    ("   ", "Enter the working days for high-priority actions"),
])
def test_the_due_date_settings_page_refuses_bad_input(client, login, users, typed, message):
    login("admin")
    response = client.submit("/admin/settings/actions", {
        "due_days_high": typed, "due_days_medium": "20", "due_days_low": "40"})
    assert [a.get_text() for a in response.soup.select(".govuk-error-summary a")] == [message]
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(
        Event.entity_type == "setting")) == 0


def test_an_admin_sets_the_working_days_for_each_priority(client, login, users):
    login("admin")
    page = client.get("/admin/settings/actions")
    assert [i["value"] for i in page.soup.select("input.govuk-input")] == ["5", "20", "40"]
    saved = client.submit("/admin/settings/actions", {
        "due_days_high": "3", "due_days_medium": "20", "due_days_low": "60"})
    assert saved.status_code == 302
    page = client.get("/admin/settings/actions")
    assert [i["value"] for i in page.soup.select("input.govuk-input")] == ["3", "20", "60"]
    changes = db.session.scalars(db.select(Event).where(Event.entity_type == "setting")).all()
    assert sorted(tuple(e.after.items())[0] for e in changes) == [
        ("due_days_high", "3"), ("due_days_low", "60")]
