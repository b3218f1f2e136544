"""Dip-sample pages through the checking test client: starting and drawing a dip sample,
swapping a case, checking actions, coverage and the plan; each refusal is a specific message
and nothing is half-saved; hostile input is never a 500."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from audit_app import timeutil
from audit_app.actions import workflow
from audit_app.dip_samples import checks
from audit_app.extensions import db
from audit_app.measures.figures import Figure
from audit_app.models import Action, DipSampleCase, DipSampleCheck, DipSampleRound, Event
from tests.action_factories import open_action
from tests.dip_factories import completed_action, drawn_round, make_round
from tests.pages import hidden_inputs

NUL = "must not include hidden control characters, such as a null character"
FOUND = {"evidence": "Case note of 25/11/2026 records the new plan.",
         "impact": "The child now sees her sister every week."}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Today is 10 December 2026 in the UK."""
    monkeypatch.setattr(timeutil, "utcnow", lambda: datetime(2026, 12, 10, 10, 0))


def error_summary(response):
    return [a.get_text() for a in response.soup.select(".govuk-error-summary a")]


def banner(response):
    return " ".join(" ".join(b.get_text().split()) for b in response.soup.select(
        ".govuk-notification-banner"))


def text(page):
    return " ".join(page.soup.get_text().split())


def day(value):
    return [str(value.day), str(value.month), str(value.year)]


def sign_out(client):
    token = client.get("/").soup.find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/sign-out", data={"csrf_token": token})


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


NEW = {"month": "2026-12-01", "size": "2", "window_start": day(date(2026, 11, 1)),
       "window_end": day(date(2026, 12, 31))}


@pytest.fixture
def three_cases(users):
    """Three cases whose actions the demo manager completed on 20 November 2026."""
    made = [completed_action(users["auditor"], users["manager"], reference=f"LCS-W0{n}")
            for n in range(1, 4)]
    db.session.commit()
    return made


def test_a_practice_lead_starts_and_draws_a_dip_sample(client, login, three_cases):
    login("practice_lead")
    form = client.get("/dip-samples/new")
    assert form.soup.find("option", selected=True, string="December 2026")
    assert form.soup.find("input", attrs={"name": "size"})["value"] == "8"
    created = client.submit("/dip-samples/new", NEW)
    assert created.status_code == 302
    round_ = db.session.scalar(select(DipSampleRound))
    assert created.headers["Location"] == f"/dip-samples/{round_.id}"
    page = client.get(created.headers["Location"])
    assert page.soup.h1.get_text() == "Dip sample, December 2026"
    assert "3 cases can be drawn now. 2 will be drawn at random." in text(page)
    drawn = client.submit(f"/dip-samples/{round_.id}/draw", {"seed": "2024"},
                          page=f"/dip-samples/{round_.id}")
    assert drawn.status_code == 302
    page = client.get(drawn.headers["Location"])
    assert "2 cases drawn from a frame of 3." in banner(page)
    assert "2024 (NumPy " in text(page)
    rows = page.soup.select("#cases tbody tr")
    assert len(rows) == 2
    assert all("Drawn at random from the frame of 3" in r.get_text() for r in rows)
    # Drawn once: the old page's form is stale now.
    again = client.post(f"/dip-samples/{round_.id}/draw", data=hidden_inputs(
        page.get_data(as_text=True), f"/dip-samples/{round_.id}/draw") | {"seed": "1"})
    assert again.status_code == 200
    assert error_summary(again) == ["This dip sample was changed after you opened the page "
                                    "(drawn in another tab, perhaps). Its cases are below."]
    assert count(DipSampleCase) == 2


def test_the_same_start_form_posted_twice_makes_one_dip_sample(client, login, three_cases):
    login("practice_lead")
    html = client.get("/dip-samples/new").get_data(as_text=True)
    data = {**hidden_inputs(html, "/dip-samples/new"), **NEW}
    first = client.post("/dip-samples/new", data=data)
    second = client.post("/dip-samples/new", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(DipSampleRound) == 1


@pytest.mark.parametrize(("typed", "messages"), [
    ({"month": "", "size": "", "window_start": ["", "", ""], "window_end": ["", "", ""]},
     ["Select the month the dip sample counts towards",
      "Number of cases must be a whole number from 1 to 50",
      "Enter the first day of the window", "Enter the last day of the window"]),
    ({"size": "99999999999999999999999"}, ["Number of cases must be a whole number from 1 to 50"]),
    ({"size": "eight"}, ["Number of cases must be a whole number from 1 to 50"]),
    ({"window_start": ["99999999999999999999", "1", "2026"]},
     ["The first day of the window must be a real date"]),
    ({"window_end": ["1", "1", "20266"]}, ["Year must include 4 numbers"]),
    ({"window_end": ["1", "1", "9999"]},
     ["The last day of the window must be between 1 January 1900 and 31 December 2099"]),
    ({"window_end": ["1", "1", "2099"]},
     ["The last day of the window must be within a year of today"]),
    ({"window_start": ["1", "1", "2020"]}, ["The window must be 3 years or shorter"]),
    ({"month": "2026-12-01\x00"}, [f"Month {NUL}"]),
    ({"month": "2031-01-01"}, ["Select the month the dip sample counts towards"]),
    ({"team_id": "abc"}, ["Select a team from the list"]),
    ({"team_id": "1", "service_id": "1"}, ["Select a team or a service, not both"]),
    ({"compliance_template_id": "99999"}, ["Select a compliance template from the list"]),
])
def test_start_form_errors(client, login, users, typed, messages):
    login("practice_lead")
    response = client.submit("/dip-samples/new", {**NEW, **typed})
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: Start a dip sample")
    assert error_summary(response) == messages
    assert count(DipSampleRound) == 0


@pytest.fixture
def drawn(users, three_cases):
    round_ = drawn_round(users["practice_lead"], seed=5)
    db.session.commit()
    return round_


def sampled_for(round_, action):
    db.session.expire_all()
    return db.session.scalar(select(DipSampleCase).where(
        DipSampleCase.round_id == round_.id, DipSampleCase.case_id == action.case_id,
        DipSampleCase.removed_at.is_(None)))


def test_a_draw_with_a_bad_seed_says_so(client, login, users, three_cases):
    round_ = make_round(users["practice_lead"])
    db.session.commit()
    login("practice_lead")
    for seed, message in (("-1", "The seed must be a whole number from 0 to"),
                          ("9" * 40, "The seed must be a whole number from 0 to"),
                          ("1.5", "The seed must be a whole number from 0 to")):
        response = client.submit(f"/dip-samples/{round_.id}/draw", {"seed": seed},
                                 page=f"/dip-samples/{round_.id}")
        assert response.status_code == 200
        assert error_summary(response)[0].startswith(message)
    assert count(DipSampleCase) == 0


def test_checking_an_action_followed_up(client, login, drawn, three_cases):
    action = three_cases[0]
    sampled = sampled_for(drawn, action)
    login("practice_lead")
    case_page = client.get(f"/dip-samples/cases/{sampled.id}")
    assert case_page.soup.h1.get_text() == "Dip sample of case LCS-W01"
    url = f"/dip-samples/cases/{sampled.id}/actions/{action.id}"
    assert case_page.soup.find("a", href=url)
    empty = client.submit(url, {})
    assert error_summary(empty) == ["Select what you found"]
    missing = client.submit(url, {"outcome": "followed_up"})
    assert error_summary(missing) == ["Say what you saw on the child's record",
                                      "Describe the impact for the child"]
    hostile = client.submit(url, {"outcome": "followed_up", "evidence": "x\x00y",
                                  "impact": "ok"})
    assert error_summary(hostile) == [f"What you saw {NUL}"]
    assert db.session.get(Action, action.id).status == "completed"
    saved = client.submit(url, {"outcome": "followed_up", **FOUND})
    assert saved.status_code == 302 and saved.headers["Location"] == \
        f"/dip-samples/cases/{sampled.id}"
    page = client.get(saved.headers["Location"])
    assert "Check saved: followed up." in banner(page)
    assert "Followed up, checked 10 December 2026 by Priya Practice-Lead" in text(page)
    assert FOUND["impact"] in text(page)
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "verified_followed_up"
    # The check page of a checked action goes back to the case.
    assert client.get(url).status_code == 302


def test_not_followed_up_reopens_the_action_and_the_manager_sees_it(client, login, drawn,
                                                                    three_cases):
    action = three_cases[1]
    sampled = sampled_for(drawn, action)
    login("practice_lead")
    url = f"/dip-samples/cases/{sampled.id}/actions/{action.id}"
    no_date = client.submit(url, {"outcome": "not_followed_up", **FOUND})
    assert error_summary(no_date) == ["Enter the new due date", "Say what still needs to be done"]
    past = client.submit(url, {"outcome": "not_followed_up", **FOUND,
                               "due_on": day(date(2026, 12, 1)), "reason": "No case note."})
    assert error_summary(past) == ["The due date must be today or in the future"]
    saved = client.submit(url, {"outcome": "not_followed_up", **FOUND,
                                "due_on": day(date(2027, 1, 8)), "reason": "No case note."})
    assert saved.status_code == 302
    assert "The action is open again for its owner." in banner(client.get(saved.location))
    db.session.expire_all()
    reopened = db.session.get(Action, action.id)
    assert (reopened.status, reopened.due_on) == ("open", date(2027, 1, 8))
    sign_out(client)
    login("manager")
    home = client.get("/")
    panel = home.soup.find(id="panel-actions").find_parent("section")
    assert any("LCS-W02" in li.get_text() and "Reopened" in li.get_text()
               for li in panel.select("li"))


def test_partly_with_a_follow_up(client, login, drawn, three_cases):
    action = three_cases[2]
    sampled = sampled_for(drawn, action)
    login("practice_lead")
    url = f"/dip-samples/cases/{sampled.id}/actions/{action.id}"
    saved = client.submit(url, {"outcome": "partly", **FOUND,
                                "follow_up": "Add the child's own words to the plan."})
    assert "A follow-up action has been raised." in banner(client.get(saved.location))
    check = db.session.scalar(select(DipSampleCheck))
    assert check.follow_up.description == "Add the child's own words to the plan."


def test_a_check_form_posted_twice_saves_one_check(client, login, drawn, three_cases):
    action = three_cases[0]
    sampled = sampled_for(drawn, action)
    login("practice_lead")
    url = f"/dip-samples/cases/{sampled.id}/actions/{action.id}"
    data = {**hidden_inputs(client.get(url).get_data(as_text=True), url),
            "outcome": "followed_up", **FOUND}
    first, second = client.post(url, data=data), client.post(url, data=data)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location
    assert count(DipSampleCheck) == 1


def test_a_stale_check_page_shows_the_conflict(client, login, drawn, three_cases, users):
    action = three_cases[0]
    sampled = sampled_for(drawn, action)
    login("practice_lead")
    url = f"/dip-samples/cases/{sampled.id}/actions/{action.id}"
    html = client.get(url).get_data(as_text=True)
    fresh = db.session.get(Action, action.id)
    workflow.reopen(fresh, users["practice_lead"], fresh.row_version, date(2027, 1, 8),
                    "Checked elsewhere", today=date(2026, 12, 10))
    db.session.commit()
    response = client.post(url, data={**hidden_inputs(html, url), "outcome": "followed_up",
                                      **FOUND})
    assert response.status_code == 200
    assert "Someone else changed this action while you were checking it" in text(response)
    assert "It is now open." in text(response)
    assert count(DipSampleCheck) == 0


def test_swapping_a_case(client, login, drawn, three_cases, users):
    open_action(users["auditor"], reference="LCS-W09", raised_on=date(2026, 1, 5))
    db.session.commit()
    sampled = sampled_for(drawn, three_cases[0])
    login("practice_lead")
    url = f"/dip-samples/cases/{sampled.id}/swap"
    empty = client.submit(url, {})
    assert error_summary(empty) == ["Enter the reference of the case to check instead",
                                    "Give the reason for swapping the case"]
    unknown = client.submit(url, {"reference": "LCS-NOPE", "reason": "Closed"})
    assert error_summary(unknown) == ["No case has the reference LCS-NOPE"]
    for hostile, message in (
            ("LCS-1\x00", f"The case reference {NUL}"),
            ("L" * 61, "Enter the case reference as it is in the case-record system")):
        refused = client.submit(url, {"reference": hostile, "reason": "Closed"})
        assert error_summary(refused) == [message]
    swapped = client.submit(url, {"reference": "lcs-w09", "reason": "The case closed."})
    assert swapped.status_code == 302
    page = client.get(swapped.location)
    assert f"Case {sampled.case.reference} swapped for case LCS-W09." in banner(page)
    assert "Picked by hand in place of case" in text(page)
    assert "The case closed." in text(page)
    assert client.get(url).status_code == 302  # swapped out: nothing more to swap


def test_the_round_and_case_pages_for_readers(client, login, drawn, three_cases):
    login("leader")
    page = client.get(f"/dip-samples/{drawn.id}")
    assert "Draw the cases" not in text(page) and "Swap" not in text(page)
    sampled = drawn.cases[0]
    case_page = client.get(f"/dip-samples/cases/{sampled.id}")
    assert "Record what you found" not in text(case_page)
    listing = client.get("/dip-samples/")
    assert "December 2026" in text(listing) and "0 of 3" in text(listing)


def test_coverage_and_the_plan(client, login, drawn, three_cases, users):
    action = three_cases[0]
    sampled = sampled_for(drawn, action)

    checks.record_check(sampled, db.session.get(Action, action.id), users["practice_lead"],
                        action.row_version, checks.Finding("followed_up", **FOUND),
                        today=date(2026, 12, 10))
    db.session.commit()
    login("moderator")
    page = client.get("/dip-samples/coverage")
    assert "Q3 2026-27 (October to December 2026)" in text(page)
    assert Figure.from_counts(1, 1).summary() in text(page)
    row = next(r for r in page.soup.select("tbody tr") if "Priya" in r.get_text())
    assert [td.get_text(" ", strip=True) for td in row.select("td")] == [
        "0 of 8", "0 of 8", "1 of 8 2 in progress", "1 of 24"]
    assert client.get("/dip-samples/coverage?quarter=../../etc").status_code == 200
    assert "Change the plan" not in text(page)
    all_actions = client.get("/actions/all")
    assert "Confirmed followed up by dip samples" in text(all_actions)
    assert Figure.from_counts(1, 1).summary() in text(all_actions)


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter how many cases a month"),
    ("0", "Enter a whole number from 1 to 50"),
    ("51", "Enter a whole number from 1 to 50"),
    ("99999999999999999999999999", "Enter a whole number from 1 to 50"),
    ("ten", "Enter a whole number from 1 to 50"),
])
def test_plan_errors(client, login, users, typed, message):
    login("admin")
    response = client.submit("/dip-samples/plan", {"plan": typed})
    assert error_summary(response) == [message]
    assert db.session.scalar(select(Event).where(Event.entity_type == "setting")) is None


def test_an_admin_changes_the_plan(client, login, users):
    admin = login("admin")
    assert client.get("/dip-samples/plan").soup.find("input", attrs={"name": "plan"})[
        "value"] == "8"
    saved = client.submit("/dip-samples/plan", {"plan": "10"})
    assert saved.status_code == 302 and saved.location == "/dip-samples/coverage"
    page = client.get(saved.location)
    assert "Dip sample plan saved." in banner(page)
    assert "dip sample 10 cases a month" in text(page)
    [event] = db.session.scalars(select(Event).where(Event.entity_type == "setting")).all()
    assert (event.before, event.after, event.actor_id) == (
        {"dip_sample_plan": "8"}, {"dip_sample_plan": "10"}, admin.id)


def test_the_compliance_checklist_is_linked_for_those_who_may_open_it(client, login, users,
                                                                       three_cases):
    from audit_app.models import AuditTemplate

    cwd = db.session.scalar(select(AuditTemplate).where(
        AuditTemplate.slug == "cwd-supervision-visiting"))
    round_ = drawn_round(users["practice_lead"], compliance_template_id=cwd.id)
    db.session.commit()
    sampled = round_.cases[0]
    login("practice_lead")
    page = client.get(f"/dip-samples/cases/{sampled.id}")
    link = page.soup.find("a", href=f"/audits/{sampled.audit_id}")
    assert link.get_text() == cwd.name
    assert client.get(link["href"]).status_code == 200
    sign_out(client)
    login("leader")  # reads audits once submitted: the name, no link
    page = client.get(f"/dip-samples/cases/{sampled.id}")
    assert page.soup.find("a", href=f"/audits/{sampled.audit_id}") is None
    assert f"{cwd.name} (allocated)" in text(page)
