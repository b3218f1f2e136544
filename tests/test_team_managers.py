"""One rule for who manages a team (audit_app/team_managers.py), and a test per use:
notifying, acknowledging, conflicts of interest and access.

The demo's Crewe CIN/CP is named as managed by Sam Manager. Jo Bloggs is made a manager of
it the way the README shows (`create-user --role auditor --role manager --team ...`);
Sam is then deactivated, as when a manager leaves.
"""

import pytest

from audit_app.admin import services as admin
from audit_app.audits import access, escalations, workflow
from audit_app.extensions import db
from audit_app.models import Notification, User
from audit_app.programmes import services as programmes
from audit_app.team_managers import managed_team_ids, managers_of, manages
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.test_audit_workflow import complete

CREWE = "Crewe CIN/CP"


@pytest.fixture
def jo(app, users):
    """A manager of Crewe CIN/CP created exactly as the README shows."""
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "jo.bloggs@council.gov.uk", "--name", "Jo Bloggs",
        "--role", "auditor", "--role", "manager", "--team", CREWE,
        "--password", TEST_PASSWORD])
    assert result.exit_code == 0, result.output
    return db.session.scalar(db.select(User).where(User.email == "jo.bloggs@council.gov.uk"))


@pytest.fixture
def sam_left(users):
    """Sam, still named on the team, is deactivated."""
    admin.update_user(users["manager"], {"active": False})
    db.session.commit()
    return users["manager"]


def crewe():
    return factories.team(CREWE)


def test_the_rule(users, jo):
    sam, practice_lead = users["manager"], users["practice_lead"]  # both in Crewe
    assert [u.name for u in managers_of(crewe().id)] == ["Sam Manager", "Jo Bloggs"]
    assert manages(sam, crewe().id) and manages(jo, crewe().id)
    assert not manages(practice_lead, crewe().id)  # a member without the manager role
    assert not manages(users["auditor"], crewe().id)
    assert managed_team_ids(jo) == {crewe().id}
    # Named on another team too: manages both.
    admin.update_team(factories.team("Fostering"), {"manager_id": jo.id})
    assert managed_team_ids(jo) == {crewe().id, factories.team("Fostering").id}
    # Deactivated: manages nothing, though the team still names them.
    admin.update_user(users["manager"], {"active": False})
    admin.update_user(jo, {"active": False})
    db.session.flush()
    assert crewe().manager_id == sam.id
    assert managers_of(crewe().id) == []
    assert managed_team_ids(sam) == set() and not manages(jo, crewe().id)


def _draft_on_crewe(users):
    programme = factories.make_programme(factories.make_template(slug="managers"))
    case = factories.make_case("LCS-4242", team_name=CREWE)
    audit = factories.make_audit(programme, case, users["auditor"])
    db.session.commit()
    return audit


def test_notifying_an_escalation_goes_to_the_active_managers_not_a_deactivated_one(
        client, login, users, jo, sam_left):
    audit = _draft_on_crewe(users)
    login("auditor")
    response = client.submit(f"/audits/{audit.id}/escalate",
                             {"concern": "The child said they are afraid to go home."})
    assert response.status_code == 302
    told = set(db.session.scalars(
        db.select(User.name).join(Notification, Notification.recipient_id == User.id)
        .where(Notification.subject.startswith("URGENT"))))
    assert told == {"Jo Bloggs", "Lee Leader"}  # the active manager and the head of service


def test_submission_tells_the_active_managers_and_gives_them_the_actions(
        users, jo, sam_left):
    audit = _draft_on_crewe(users)
    complete(audit, users["auditor"])
    workflow.add_recommendation(audit, users["auditor"], "Review the plan", None, None,
                                "high")
    workflow.submit(audit, users["auditor"], audit.row_version)
    db.session.commit()
    [action] = audit.actions
    assert action.owner_id == jo.id
    recipients = db.session.scalars(db.select(Notification.recipient_id).where(
        Notification.subject.startswith("Audit of case"))).all()
    assert recipients == [jo.id]


def test_acknowledging_is_for_the_active_managers(client, login, users, jo, sam_left):
    audit = _draft_on_crewe(users)
    escalation = escalations.raise_escalation(audit, users["auditor"], "Risk of harm")
    db.session.commit()
    assert access.can_acknowledge(jo, escalation)
    assert not access.can_acknowledge(sam_left, escalation)
    client.submit("/sign-in", {"email": jo.email, "password": TEST_PASSWORD})
    page = f"/audits/escalations/{escalation.id}"
    response = client.submit(page, {"note": "Visited today; the child is safe."})
    assert response.status_code == 302
    db.session.refresh(escalation)
    assert escalation.acknowledged_by_id == jo.id


def test_a_manager_created_as_the_readme_shows_is_flagged_on_their_own_teams_cases(
        users, jo):
    programme = factories.make_programme(factories.make_template(slug="conflicts"))
    factories.make_case("LCS-5151", team_name=CREWE)
    factories.make_case("LCS-5152", team_name="Fostering")
    db.session.commit()
    with pytest.raises(programmes.ProgrammeError) as refused:
        programmes.allocate_by_hand(programme, "LCS-5151", jo.id, policy="block")
    assert refused.value.errors["auditor_id"].startswith(
        "Jo Bloggs manages Crewe CIN/CP, the team case LCS-5151 belongs to")
    flagged = programmes.allocate_by_hand(programme, "LCS-5151", jo.id, policy="warn")
    assert flagged.conflict is True
    assert programmes.allocate_by_hand(programme, "LCS-5152", jo.id,
                                       policy="block").conflict is False
    # A random draw shares Crewe cases to the auditor who does not manage it.
    for i in range(4):
        factories.make_case(f"LCS-52{i:02d}", team_name=CREWE)
    db.session.commit()
    outcome = programmes.draw_cases(programme, flt=programmes.DrawFilter(team_ids=(crewe().id,)),
                                    requested=4, seed=3, auditor_ids=[jo.id, users["auditor"].id],
                                    policy="block")
    assert {a.auditor.id for a in outcome.allocations} == {users["auditor"].id}


def test_access_follows_the_same_rule(client, users, jo, sam_left):
    programme = factories.make_programme(factories.make_template(slug="access-rule"))
    audit = factories.make_audit(programme, factories.make_case("LCS-6161", team_name=CREWE),
                                 users["auditor"])
    complete(audit, users["auditor"])
    workflow.submit(audit, users["auditor"], audit.row_version)
    db.session.commit()
    client.submit("/sign-in", {"email": jo.email, "password": TEST_PASSWORD})
    assert "LCS-6161" in client.get("/cases/").text
    assert client.get(f"/audits/{audit.id}").status_code == 200
    assert "LCS-6161" in client.get("/").text  # "add your response" on the home page
    response = client.submit(f"/audits/{audit.id}/responses",
                             {"body": "Discussed in supervision."},
                             page=f"/audits/{audit.id}")
    assert response.status_code == 302
    # Sam, deactivated, is refused by the same rule even where the team still names him.
    assert not access.can_respond(sam_left, audit)
    assert not access.can_view(sam_left, audit)
