"""The action pages: completing, cancelling and moving the due date through the forms, the
lists and their filters, the audit's and the moderation's own pages, home page panels and
bulk reassignment."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from audit_app import timeutil
from audit_app.actions import workflow
from audit_app.extensions import db
from audit_app.models import Action, Event, Notification
from tests import factories
from tests.action_factories import action_template, manager_of, open_action, open_actions
from tests.moderation_factories import make_moderated, make_user, submitted_audit
from tests.pages import hidden_inputs

TODAY = date(2026, 11, 20)  # a Friday; actions raised on 2 November are due on 30 November


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Today is 20 November 2026 in the UK."""
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 11, 20, 10, 0))


def error_summary(response):
    return [a.get_text() for a in response.soup.select(".govuk-error-summary a")]


def link(page, text):
    """The link with this text (whitespace aside), or None."""
    return next((a for a in page.soup.find_all("a") if a.get_text(" ", strip=True) == text),
                None)


def sign_out(client):
    token = client.get("/").soup.find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/sign-out", data={"csrf_token": token})


def text(page):
    return " ".join(page.soup.get_text().split())


def fresh(action):
    db.session.expire_all()
    return db.session.get(Action, action.id)


def day(value):
    return [str(value.day), str(value.month), str(value.year)]


def table_cases(response):
    """The case references in the page's action table, in order."""
    return [row.td.get_text(" ", strip=True).split()[0]
            for row in response.soup.select("table tbody tr")]


@pytest.fixture
def action(users):
    found = open_action(users["auditor"], reference="LCS-5001")
    db.session.commit()
    return found


# -- completing ---------------------------------------------------------------------------------

def test_the_owner_completes_an_action_with_evidence(client, login, users, action):
    login("manager")
    page = client.get(f"/actions/{action.id}")
    assert page.soup.h1.get_text() == "Action on case LCS-5001"
    assert link(page, "Complete this action")
    done = client.submit(f"/actions/{action.id}/complete", {
        "completed_on": day(date(2026, 11, 18)),
        "evidence": "Case note added to the child's record on 18/11/2026"})
    assert done.status_code == 302 and done.headers["Location"] == f"/actions/{action.id}"
    assert fresh(action).status == "completed"
    page = client.get(f"/actions/{action.id}")
    assert "Case note added to the child's record on 18/11/2026" in text(page)
    last = page.soup.select("table tbody tr")[-1].select("td")
    assert [cell.get_text(strip=True) for cell in last[1:3]] == ["Sam Manager", "Completed"]
    assert link(page, "Complete this action") is None


@pytest.mark.parametrize(("data", "errors"), [
    ({}, ["Enter the date the action was done",
          "Say how the action is evidenced on the child's record"]),
    ({"completed_on": day(date(2026, 11, 21)), "evidence": "Note"},
     ["The date done must be today or in the past"]),
    ({"completed_on": ["99999999999999999999", "1", "2026"], "evidence": "Note"},
     ["Date done must be a real date"]),
    ({"completed_on": ["1", "1", "99999"], "evidence": "Note"},
     ["Year must include 4 numbers"]),
    ({"completed_on": day(date(2026, 11, 1)), "evidence": "Note"},
     ["The date done must be the same as or after the day the action was raised, "
      "2 November 2026"]),
    ({"completed_on": day(TODAY), "evidence": "   "},
     ["Say how the action is evidenced on the child's record"]),
    ({"completed_on": day(TODAY), "evidence": "Note\x00"},
     ["Evidence must not include hidden control characters, such as a null character"]),
    ({"completed_on": day(TODAY), "evidence": "x" * 5000},
     ["Evidence must be 4000 characters or fewer"]),
])
def test_completing_refuses_bad_input_and_saves_nothing(client, login, action, data, errors):
    login("manager")
    page = client.submit(f"/actions/{action.id}/complete", data)
    assert page.status_code == 200
    assert error_summary(page) == errors
    assert page.soup.title.get_text().startswith("Error: Complete action")
    assert fresh(action).status == "open" and fresh(action).row_version == 1


def test_a_stale_completion_gets_the_conflict_page(client, login, users, action):
    login("manager")
    stale = client.get(f"/actions/{action.id}/complete")
    workflow.complete(action, users["manager"], 1, date(2026, 11, 19), "Done by a colleague",
                      today=TODAY)
    db.session.commit()
    form = hidden_inputs(stale.text, f"/actions/{action.id}/complete")
    page = client.post(f"/actions/{action.id}/complete", data={
        **form, "completed_on": day(TODAY), "evidence": "My note"})
    assert page.status_code == 200
    assert "Someone else changed this action while you were editing it" in text(page)
    assert "the action is no longer open" in text(page)
    cells = [c.get_text(strip=True) for c in page.soup.select(".govuk-error-summary td")]
    assert cells == ["19 November 2026", "20 November 2026", "Done by a colleague", "My note"]
    assert page.soup.find("form", attrs={"novalidate": True}) is None
    assert fresh(action).evidence == "Done by a colleague"


def test_a_manager_of_the_team_completes_an_action_owned_by_someone_else(client, login, users):
    action = open_action(users["auditor"], owner=users["auditor"])
    db.session.commit()
    login("manager")
    done = client.submit(f"/actions/{action.id}/complete", {
        "completed_on": day(TODAY), "evidence": "Chronology updated"})
    assert done.status_code == 302
    assert fresh(action).completed_by_id == users["manager"].id


# -- cancelling and due dates -------------------------------------------------------------------

def test_the_auditor_cancels_with_a_reason(client, login, users, action):
    login("auditor")
    assert client.submit(f"/actions/{action.id}/cancel", {"reason": ""}).status_code == 200
    done = client.submit(f"/actions/{action.id}/cancel", {"reason": "Raised twice"})
    assert done.status_code == 302
    assert fresh(action).status == "cancelled"
    page = client.get(f"/actions/{action.id}")
    assert "Raised twice" in text(page) and "Cancelled" in text(page)
    assert client.get(f"/actions/{action.id}/cancel").status_code == 302


def test_a_qa_officer_moves_the_due_date(client, login, users, action):
    login("moderator")
    refused = client.submit(f"/actions/{action.id}/due-date",
                            {"due_on": day(date(2026, 11, 19)), "reason": ""})
    assert error_summary(refused) == ["The due date must be today or in the future",
                                      "Give the reason for changing the due date"]
    moved = client.submit(f"/actions/{action.id}/due-date",
                          {"due_on": day(date(2026, 12, 18)), "reason": "Court date moved"})
    assert moved.status_code == 302 and fresh(action).due_on == date(2026, 12, 18)
    page = client.get(f"/actions/{action.id}")
    assert "From 30 November 2026 to 18 December 2026: Court date moved" in text(page)


# -- raising from a moderation ------------------------------------------------------------------

def test_a_moderator_adds_an_action_on_their_moderation_once(client, login, users):
    moderation = make_moderated(submitted_audit(users["auditor"], action_template(),
                                                reference="LCS-5100"), users["moderator"])
    db.session.commit()
    login("moderator")
    result = client.get(f"/moderation/samples/{moderation.sample_id}")
    add = link(result, "Add an action for the case's team")
    assert add["href"] == f"/actions/moderations/{moderation.id}/new"
    page = client.get(add["href"])
    assert "Sam Manager" in text(page)  # the default owner
    refused = client.submit(add["href"], {"description": " ", "priority": "high"})
    assert error_summary(refused) == ["Describe what should be done"]
    form = {**hidden_inputs(page.text, add["href"]),
            "description": "Record the child's wishes in the plan", "priority": "high"}
    first, second = client.post(add["href"], data=form), client.post(add["href"], data=form)
    [action] = db.session.scalars(select(Action).where(Action.moderation_id == moderation.id))
    assert first.headers["Location"] == second.headers["Location"] == f"/actions/{action.id}"
    assert action.priority == "high" and action.owner_id == users["manager"].id
    shown = client.get(f"/moderation/samples/{moderation.sample_id}")
    assert "Record the child's wishes in the plan" in text(shown)
    page = client.get(f"/actions/{action.id}")
    assert link(page, "moderation of the audit of case LCS-5100")


# -- lists --------------------------------------------------------------------------------------

def test_my_actions_puts_overdue_first_then_by_due_date(client, login, users):
    later, sooner, late = (open_action(users["auditor"], reference=ref)
                           for ref in ("LCS-5201", "LCS-5202", "LCS-5203"))
    later.due_on, sooner.due_on, late.due_on = (date(2026, 12, 20), date(2026, 12, 1),
                                                date(2026, 11, 19))
    mine_done = open_action(users["auditor"], reference="LCS-5204")
    workflow.complete(mine_done, users["manager"], 1, TODAY, "Done", today=TODAY)
    db.session.commit()
    login("manager")
    page = client.get("/actions/")
    assert table_cases(page) == ["LCS-5203", "LCS-5202", "LCS-5201"]
    assert [t.get_text() for t in page.soup.select("tbody tr")[0].select(".govuk-tag")] == [
        "Open", "Overdue"]
    assert table_cases(client.get("/actions/?show=done")) == ["LCS-5204"]
    assert len(table_cases(client.get("/actions/?show=all"))) == 4
    assert len(table_cases(client.get("/actions/?show=nonsense"))) == 3  # open


def test_the_team_view_shows_only_the_teams_the_manager_manages(client, login, users):
    open_action(users["auditor"], reference="LCS-5301")
    open_action(users["auditor"], reference="LCS-5302", team_name="Macclesfield CIN/CP")
    db.session.commit()
    login("manager")
    assert table_cases(client.get("/actions/team")) == ["LCS-5301"]


def test_an_auditor_sees_only_actions_from_her_own_audits(client, login, users):
    open_action(users["auditor"], reference="LCS-5401")
    theirs = open_action(users["manager"], reference="LCS-5402",
                         team_name="Macclesfield CIN/CP")
    db.session.commit()
    login("auditor")
    assert table_cases(client.get("/actions/raised")) == ["LCS-5401"]
    assert client.get(f"/actions/{theirs.id}").status_code == 403
    assert client.get("/actions/all").status_code == 403


@pytest.fixture
def many(users):
    """Actions across two teams, statuses, owners, templates and quarters."""
    crewe = open_actions(users["auditor"], count=3, reference="LCS-5501")
    maccs_manager = manager_of("Macclesfield CIN/CP", name="Mo Macclesfield")
    maccs = open_actions(users["manager"], count=2, reference="LCS-5502",
                         team_name="Macclesfield CIN/CP", owner=maccs_manager)
    earlier = open_action(users["auditor"], reference="LCS-5503", raised_on=date(2026, 9, 1))
    other_template = factories.make_template(slug="other-actions", name="Other template")
    templated = open_action(users["auditor"], reference="LCS-5504", template=other_template)
    workflow.complete(crewe[0], users["manager"], 1, TODAY, "Done", today=TODAY)
    workflow.cancel(crewe[1], users["admin"], 1, "Duplicate")
    crewe[2].due_on = date(2026, 12, 10)  # not yet due, as the others due 30 November
    maccs[0].due_on, earlier.due_on = date(2026, 11, 10), date(2026, 10, 1)  # overdue
    db.session.commit()
    return {"crewe": crewe, "maccs": maccs, "earlier": earlier, "templated": templated,
            "maccs_manager": maccs_manager, "other_template": other_template}


def test_all_actions_filters(client, login, users, many):
    login("moderator")

    def shown(query=""):
        return sorted(a.get("href") for a in client.get(f"/actions/all?{query}").soup.select(
            "tbody tr a"))

    def links(*actions):
        return sorted(f"/actions/{a.id}" for a in actions)

    crewe, maccs = many["crewe"], many["maccs"]
    everything = links(*crewe, *maccs, many["earlier"], many["templated"])
    assert shown() == everything
    maccs_team = factories.team("Macclesfield CIN/CP")
    assert shown(f"team={maccs_team.id}") == links(*maccs)
    assert shown(f"service={maccs_team.service_id}") == links(
        *crewe, *maccs, many["earlier"], many["templated"])  # both teams are CIN/CP
    assert shown("service=99999999999999999999") == everything  # unknown: ignored
    assert shown("status=completed") == links(crewe[0])
    assert shown("status=cancelled") == links(crewe[1])
    assert shown("overdue=y") == links(maccs[0], many["earlier"])
    assert shown(f"owner={many['maccs_manager'].id}") == links(*maccs)
    assert shown(f"template={many['other_template'].id}") == links(many["templated"])
    assert shown("raised=2026-Q2") == links(many["earlier"])
    assert shown("raised=2026-Q3&overdue=y&status=open") == links(maccs[0])
    # A control character in the address is refused for the whole app (audit_app/inputs.py).
    assert client.get("/actions/all?raised=%00&page=1").status_code == 400


def test_all_actions_pages_through_50_at_a_time(client, login, users):
    open_actions(users["auditor"], count=51, reference="LCS-5601")
    db.session.commit()
    login("leader")
    first = client.get("/actions/all")

    def rows(page):  # the list is the page's last table, after the figures
        return page.soup.select("table")[-1].select("tbody tr")

    assert len(rows(first)) == 50 and "Page 1 of 2" in text(first)
    assert len(rows(client.get("/actions/all?page=2"))) == 1
    assert client.get("/actions/all?page=0").status_code == 404
    assert client.get("/actions/all?page=99999999999999999999").status_code == 404
    assert client.get("/actions/all?page=3").status_code == 200  # past the end: empty


# -- the audit's own page -----------------------------------------------------------------------

def test_the_audit_page_lists_its_actions_and_their_status(client, login, users):
    first, second = open_actions(users["auditor"], count=2, reference="LCS-5701")
    workflow.complete(first, users["manager"], 1, TODAY, "Done", today=TODAY)
    db.session.commit()
    login("auditor")
    page = client.get(f"/audits/{first.audit_id}")
    rows = page.soup.select("table tbody tr")
    statuses = [[t.get_text() for t in row.select(".govuk-tag")] for row in rows[-2:]]
    assert statuses == [["Completed"], ["Open"]]
    assert rows[-1].a["href"] == f"/actions/{second.id}"


# -- home page panels ---------------------------------------------------------------------------

def home_items(client, panel):
    section = client.get("/").soup.find(id=f"panel-{panel}").find_parent("section")
    return [(li.a.get_text(), li.select_one(".govuk-tag").get_text()
             if li.select_one(".govuk-tag") else None) for li in section.select("ul li")
            if li.a and li.a["href"].startswith("/actions/") and li.a["href"][9:].isdigit()]


def test_the_owners_home_page_shows_due_soon_and_overdue(client, login, users):
    overdue, soon, later = (open_action(users["auditor"], reference=ref)
                            for ref in ("LCS-5801", "LCS-5802", "LCS-5803"))
    # Friday 20 November: 5 working days ahead is Friday 27 November.
    overdue.due_on, soon.due_on, later.due_on = (date(2026, 11, 19), date(2026, 11, 27),
                                                 date(2026, 11, 30))
    db.session.commit()
    login("manager")
    assert home_items(client, "actions") == [
        ("Case LCS-5801: due 19 November 2026", "Overdue"),
        ("Case LCS-5802: due 27 November 2026", "Due soon"),
    ]


def test_qa_sees_actions_whose_owner_left_until_an_admin_reassigns_them(client, login, users):
    leaver = manager_of("Crewe CIN/CP", name="Lou Leaver")
    first, second = (open_action(users["auditor"], reference=ref, owner=leaver)
                     for ref in ("LCS-5901", "LCS-5902"))
    leaver.active = False
    db.session.commit()
    login("moderator")
    assert [text for text, _ in home_items(client, "orphaned")] == [
        "Case LCS-5901: due 30 November 2026 (owner Lou Leaver, deactivated)",
        "Case LCS-5902: due 30 November 2026 (owner Lou Leaver, deactivated)"]

    sign_out(client)
    login("admin")
    listing = client.get("/actions/reassign")
    assert listing.soup.find("a", href=f"/actions/reassign?owner={leaver.id}")
    page = f"/actions/reassign?owner={leaver.id}"
    refused = client.submit(page, {"action_ids": [str(first.id)], "new_owner_id": ""})
    assert error_summary(refused) == ["Select who the actions go to"]
    done = client.submit(page, {"action_ids": [str(first.id), str(second.id)],
                                "new_owner_id": str(users["manager"].id)})
    assert done.status_code == 302
    assert {fresh(first).owner_id, fresh(second).owner_id} == {users["manager"].id}
    assert db.session.scalar(select(Notification.subject).where(
        Notification.recipient_id == users["manager"].id)) == "2 actions reassigned to you"
    assert len(db.session.scalars(select(Event).where(Event.action == "reassigned")).all()) == 2

    sign_out(client)
    login("moderator")
    assert home_items(client, "orphaned") == []


def test_an_admin_gives_owners_to_actions_that_have_none(client, login, users):
    # Raised before an owner was required, on a team that had no manager.
    first, second = (open_action(users["auditor"], reference=ref, owner=users["auditor"])
                     for ref in ("LCS-5921", "LCS-5922"))
    first.owner_id = second.owner_id = None
    db.session.commit()
    login("admin")
    listing = client.get("/actions/reassign")
    [row] = [r for r in listing.soup.select("tbody tr") if "No owner" in r.get_text()]
    assert "2" in row.get_text() and row.find("a", href="/actions/reassign?owner=none")
    page = "/actions/reassign?owner=none"
    assert "2 open actions have no owner" in client.get(page).text
    done = client.submit(page, {"action_ids": [str(first.id), str(second.id)],
                                "new_owner_id": str(users["manager"].id)})
    assert done.status_code == 302
    assert {fresh(first).owner_id, fresh(second).owner_id} == {users["manager"].id}
    assert "Every open action has an owner." in client.get(page).text
    assert not any("No owner" in r.get_text()
                   for r in client.get("/actions/reassign").soup.select("tbody tr"))


def test_a_stale_reassignment_reassigns_nothing(client, login, users):
    first, second = (open_action(users["auditor"], reference=ref, owner=users["auditor"])
                     for ref in ("LCS-5911", "LCS-5912"))
    db.session.commit()
    login("admin")
    page = f"/actions/reassign?owner={users['auditor'].id}"
    stale = client.get(page)
    workflow.change_due_date(second, users["moderator"], 1, date(2026, 12, 18), "Moved",
                             today=TODAY)
    db.session.commit()
    response = client.post(page, data={
        **hidden_inputs(stale.text, "/actions/reassign"),
        "action_ids": [str(first.id), str(second.id)], "new_owner_id": str(users["manager"].id)})
    assert response.status_code == 200
    assert "Someone else changed these actions while you were choosing" in text(response)
    assert {fresh(first).owner_id, fresh(second).owner_id} == {users["auditor"].id}


def test_the_moderation_page_offers_actions_only_to_its_moderator(client, login, users):
    moderation = make_moderated(submitted_audit(users["auditor"], action_template()),
                                users["moderator"])
    other = make_user("Other Moderator", roles=("moderator",))
    db.session.commit()
    assert not workflow.may_raise_from_moderation(other, moderation)
    login("auditor")
    page = client.get(f"/moderation/samples/{moderation.sample_id}")
    assert link(page, "Add an action for the case's team") is None


@pytest.mark.parametrize(("data", "errors"), [
    ({"owner_id": "99999999999999999999"}, ["Select an owner from the list"]),
    ({"priority": "urgent"}, ["Select the priority"]),
    ({"due_on": ["1", "1", "9999"]},
     ["Due date must be between 1 January 1900 and 31 December 2099"]),
    ({"due_on": ["1", "1", "2099"]}, ["The due date must be within 2 years of today"]),
    ({"due_on": ["31", "2", "2027"]}, ["Due date must be a real date"]),
    ({"description": "\x00"},
     ["The action must not include hidden control characters, such as a null character"]),
])
def test_adding_an_action_refuses_hostile_input(client, login, users, data, errors):
    moderation = make_moderated(submitted_audit(users["auditor"], action_template()),
                                users["moderator"])
    db.session.commit()
    login("moderator")
    page = client.submit(f"/actions/moderations/{moderation.id}/new",
                         {"description": "Do it", "priority": "low", **data})
    assert page.status_code == 200 and error_summary(page) == errors
    assert db.session.scalar(select(Action.id).where(Action.source == "moderation")) is None
