"""An auditor completes an audit page by page; others read it, return it and respond."""

from datetime import timedelta

import pytest

from audit_app.extensions import db
from audit_app.models import Action, Audit, Event, Notification
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.pages import hidden_inputs


@pytest.fixture
def audit(app, users):
    case = factories.make_case(reference="LCS-2001")
    case.social_worker_id = users["practice_lead"].id
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, case, users["auditor"])
    db.session.commit()
    return audit


def qid(audit, key):
    return next(q.id for q in audit.template_version.questions if q.key == key)


def fresh(audit):
    db.session.expire_all()
    return db.session.get(Audit, audit.id)


def section_one(audit, **overrides):
    data = {
        f"q{qid(audit, 'assessment')}": "Requires improvement to be good",
        f"q{qid(audit, 'assessment')}_evidence": "Assessment is out of date.",
        f"q{qid(audit, 'plan')}": "Good",
        f"q{qid(audit, 'plan_date')}": ["1", "10", "2026"],
        "save_continue": "Save and continue",
    }
    data.update(overrides)
    return data


def section_two(audit):
    return {
        f"q{qid(audit, 'oversight')}": "Good",
        f"q{qid(audit, 'voice_seen')}": "partly",
        f"q{qid(audit, 'visits')}": "6",
        f"q{qid(audit, 'notes')}": "Seen at school.",
        "save_continue": "Save and continue",
    }


def test_auditor_completes_and_submits_an_audit(client, login, audit, users):
    login("auditor")
    mine = client.get("/audits/")
    assert "LCS-2001" in mine.text
    task_list = client.get(f"/audits/{audit.id}")
    assert task_list.soup.h1.get_text() == "Audit of case LCS-2001"
    tags = [t.get_text(strip=True) for t in task_list.soup.select(".govuk-task-list__status")]
    assert tags == ["Not started", "Not started", "Not started", "0 recommendations"]

    page = f"/audits/{audit.id}/sections/1"
    response = client.submit(page, section_one(audit))
    assert response.headers["Location"] == f"/audits/{audit.id}/sections/2"
    response = client.submit(f"/audits/{audit.id}/sections/2", section_two(audit))
    assert response.headers["Location"] == f"/audits/{audit.id}/summary"
    response = client.submit(f"/audits/{audit.id}/summary", {
        "overall_grade": "Requires improvement to be good", "strengths": "Child seen alone.",
        "areas_for_development": "Update the assessment.", "save_continue": "y"})
    assert response.headers["Location"] == f"/audits/{audit.id}/recommendations"
    client.submit(f"/audits/{audit.id}/recommendations", {
        "description": "Update the child's assessment", "priority": "high"})

    tags = [t.get_text(strip=True) for t in client.get(f"/audits/{audit.id}").soup.select(
        ".govuk-task-list__status")]
    assert tags == ["Completed", "Completed", "Completed", "1 recommendation"]
    check = client.get(f"/audits/{audit.id}/check")
    assert "Assessment is out of date." in check.text
    assert "1 October 2026" in check.text and "Partly" in check.text
    done = client.submit(f"/audits/{audit.id}/check", {})
    assert done.soup.h1.get_text(strip=True) == "Audit submitted"

    stored = fresh(audit)
    assert stored.status == "submitted"
    assert stored.overall_grade == "Requires improvement to be good" and stored.overall_rank == 2
    [action] = db.session.scalars(db.select(Action)).all()
    assert (action.status, action.owner_id, action.priority) == (
        "open", users["manager"].id, "high")
    # Read-only now: the section page sends the auditor back to the audit.
    response = client.get(page)
    assert response.status_code == 302
    assert client.get(f"/audits/{audit.id}").soup.select_one(".govuk-task-list") is None


def test_draft_is_kept_on_save_as_draft_with_blanks_allowed(client, login, audit):
    login("auditor")
    response = client.submit(f"/audits/{audit.id}/sections/1", {
        f"q{qid(audit, 'assessment')}": "Good", "save_draft": "Save as draft"})
    assert response.headers["Location"] == f"/audits/{audit.id}"
    assert "Your draft has been saved." in client.get(response.headers["Location"]).text
    page = client.get(f"/audits/{audit.id}/sections/1")
    checked = page.soup.find("input", attrs={"name": f"q{qid(audit, 'assessment')}",
                                             "checked": True})
    assert checked["value"] == "Good"


def test_bad_date_and_number_get_specific_errors_and_nothing_is_saved(client, login, audit):
    login("auditor")
    response = client.submit(f"/audits/{audit.id}/sections/1", section_one(
        audit, **{f"q{qid(audit, 'plan_date')}": ["31", "2", "2026"]}))
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: 1. Assessment and planning")
    link = response.soup.select_one(".govuk-error-summary a")
    assert link.get_text() == "The answer to 1.3 must be a real date"
    assert link["href"] == f"#q{qid(audit, 'plan_date')}"
    response = client.submit(f"/audits/{audit.id}/sections/2", {
        **section_two(audit), f"q{qid(audit, 'visits')}": "six"})
    assert "Enter a number for question 2.3" in response.text
    assert fresh(audit).answers == []


def test_submit_is_refused_with_links_to_each_missing_answer(client, login, audit):
    login("auditor")
    client.submit(f"/audits/{audit.id}/sections/1", section_one(
        audit, **{f"q{qid(audit, 'assessment')}_evidence": ""}))
    response = client.submit(f"/audits/{audit.id}/check", {})
    assert response.soup.title.get_text().startswith("Error: Check your answers")
    links = {a.get_text(): a["href"] for a in response.soup.select(".govuk-error-summary a")}
    evidence = ("Give the evidence for the grade Requires improvement to be good in "
                "question 1.1")
    assert links[evidence] == (
        f"/audits/{audit.id}/sections/1#q{qid(audit, 'assessment')}_evidence")
    assert links["Select the overall judgement"] == f"/audits/{audit.id}/summary#overall_grade"
    assert "Answer question 2.2: Was the child seen alone?" in links
    assert fresh(audit).status == "in_progress"


def test_two_saves_of_the_same_version_give_a_conflict_page(client, login, audit):
    login("auditor")
    page = f"/audits/{audit.id}/sections/1"
    first = client.submit(page, section_one(audit, version="1"))
    assert first.status_code == 302
    second = client.submit(page, section_one(
        audit, version="1", **{f"q{qid(audit, 'plan')}": "Inadequate"}))
    assert second.status_code == 200
    assert "Someone else changed this audit while you were editing it" in second.text
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for tr in second.soup.select(".govuk-error-summary tbody tr")]
    assert rows == [["1.2 Is the plan SMART and child-focused?", "Good", "Inadequate"]]
    assert {a.value for a in fresh(audit).answers} >= {"Good"}
    version = second.soup.find("input", attrs={"name": "version"})["value"]
    assert version == str(fresh(audit).row_version)


def test_autosave_saves_a_draft_and_reports_conflicts(client, login, audit):
    login("auditor")
    page = f"/audits/{audit.id}/sections/1"
    token = client.get(page).soup.find("input", attrs={"name": "csrf_token"})["value"]
    url = f"{page}/autosave"
    data = {f"q{qid(audit, 'plan')}": "Good", "version": "1", "csrf_token": token}
    response = client.post(url, data=data, headers={"X-Autosave": "1"})
    assert response.status_code == 200
    assert response.json == {"saved": True, "version": 2, "message": "Draft saved"}
    stale = client.post(url, data=data, headers={"X-Autosave": "1"})
    assert stale.status_code == 409 and stale.json["conflict"] is True
    bad = client.post(url, data={**data, "version": "2", f"q{qid(audit, 'plan_date')}":
                                 ["40", "1", "2026"]}, headers={"X-Autosave": "1"})
    assert bad.status_code == 422
    assert bad.json["message"] == "Not saved: The answer to 1.3 must be a real date"


def test_the_page_links_the_autosave_script(client, login, audit):
    login("auditor")
    soup = client.get(f"/audits/{audit.id}/sections/1").soup
    assert soup.find("script", src="/static/autosave.js")["type"] == "module"
    form = soup.select_one("form[data-autosave-url]")
    assert form["data-autosave-url"].endswith("/sections/1/autosave")


def test_typing_survives_a_session_timeout(client, login, audit, monkeypatch):
    from audit_app import security

    login("auditor")
    page = f"/audits/{audit.id}/sections/1"
    token = client.get(page).soup.find("input", attrs={"name": "csrf_token"})["value"]
    later = security.utcnow() + timedelta(minutes=45)
    monkeypatch.setattr(security, "utcnow", lambda: later)
    # A background autosave is told it is signed out, and the session is left for the form.
    auto = client.post(f"{page}/autosave", data={"csrf_token": token, "version": "1"},
                       headers={"X-Autosave": "1"})
    assert auto.status_code == 401 and auto.json["signed_out"] is True
    typed = section_one(audit, version="1", csrf_token=token)
    response = client.post(page, data=typed)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    assert fresh(audit).answers == []  # not saved while signed out
    next_url = client.get(response.headers["Location"]).request.args["next"]
    signed_in = client.submit(f"/sign-in?next={next_url}",
                              {"email": "auditor@example.org.uk",
                               "password": "correct-horse-battery"})
    back = client.get(signed_in.headers["Location"])
    assert "What you typed is shown below and has not been saved yet" in back.text
    evidence = back.soup.find("textarea", attrs={"name": f"q{qid(audit, 'assessment')}_evidence"})
    assert evidence.get_text(strip=True) == "Assessment is out of date."
    checked = back.soup.find("input", attrs={"name": f"q{qid(audit, 'plan')}", "checked": True})
    assert checked["value"] == "Good"
    # The kept copy is used once, and only by its owner.
    again = client.get(signed_in.headers["Location"])
    assert "has not been saved yet" not in again.text


def test_only_the_allocated_auditor_can_edit(client, login, audit):
    login("manager")  # also an auditor, but not of this audit
    assert client.get(f"/audits/{audit.id}/sections/1").status_code == 403
    assert client.get(f"/audits/{audit.id}/summary").status_code == 403


def test_managers_read_their_teams_audits_only(client, login, audit, users):
    other = factories.make_audit(audit.programme, factories.make_case(
        reference="LCS-9", team_name="Care Leavers"), users["auditor"])
    _submit_directly(audit, users)
    _submit_directly(other, users)
    login("manager")
    assert client.get(f"/audits/{audit.id}").status_code == 200
    assert client.get(f"/audits/{other.id}").status_code == 403


def test_moderator_returns_a_submitted_audit_with_a_reason(client, login, audit, users):
    from audit_app.audits import workflow

    _submit_directly(audit, users)
    login("moderator")
    page = client.get(f"/audits/{audit.id}")
    assert "Return this audit to the auditor" in page.text
    empty = client.submit(f"/audits/{audit.id}/return", {"reason": ""})
    assert "Enter the reason for returning the audit" in empty.text
    client.submit(f"/audits/{audit.id}/return", {"reason": "Grade 1.1 lacks evidence."})
    stored = fresh(audit)
    assert stored.status == "returned" and stored.return_reason == "Grade 1.1 lacks evidence."
    note = db.session.scalars(db.select(Notification).where(
        Notification.recipient_id == users["auditor"].id)).one()
    assert "returned" in note.subject
    assert workflow.WorkflowError  # the rules themselves are tested in test_audit_workflow


def _submit_directly(audit, users):
    from audit_app.audits import workflow
    from tests.test_audit_workflow import complete

    complete(audit, users["auditor"])
    workflow.submit(audit, users["auditor"], audit.row_version)
    db.session.commit()


def test_team_manager_and_social_worker_respond_to_a_submitted_audit(
        client, login, audit, users):
    login("manager")
    assert client.get(f"/audits/{audit.id}").soup.find(
        "form", action=f"/audits/{audit.id}/responses") is None  # not before submission
    _submit_directly(audit, users)
    page = client.get(f"/audits/{audit.id}")
    assert page.soup.find("form", action=f"/audits/{audit.id}/responses") is not None
    empty = client.submit(f"/audits/{audit.id}/responses", {"body": ""},
                          page=f"/audits/{audit.id}")
    assert "Enter your response" in empty.text
    client.submit(f"/audits/{audit.id}/responses",
                  {"body": "Agreed; assessment booked for next week."},
                  page=f"/audits/{audit.id}")
    view = client.get(f"/audits/{audit.id}")
    assert "Agreed; assessment booked for next week." in view.text
    logged = db.session.scalars(db.select(Event).where(Event.action == "response_added")).one()
    assert logged.actor_id == users["manager"].id
    # The allocated social worker (here the practice lead's account) may respond too.
    client.post("/sign-out", data={"csrf_token": view.soup.find(
        "input", attrs={"name": "csrf_token"})["value"]})
    login("practice_lead")
    assert client.get(f"/audits/{audit.id}").soup.find(
        "form", action=f"/audits/{audit.id}/responses") is not None


def test_auditor_cannot_respond_to_their_own_audit(client, login, audit, users):
    _submit_directly(audit, users)
    login("auditor")
    token = client.get(f"/audits/{audit.id}").soup.find(
        "input", attrs={"name": "csrf_token"})["value"]
    response = client.post(f"/audits/{audit.id}/responses",
                           data={"body": "Me", "csrf_token": token})
    assert response.status_code == 403


def test_recommendation_form_errors_and_editing(client, login, audit, users):
    login("auditor")
    page = f"/audits/{audit.id}/recommendations"
    bad = client.submit(page, {"description": "", "due_on": ["31", "2", "2027"],
                               "priority": ""})
    summary = [a.get_text() for a in bad.soup.select(".govuk-error-summary a")]
    assert summary == ["Enter the recommendation",
                       "Due date must be a real date",
                       "Select the priority"]
    assert bad.soup.select_one(".govuk-error-summary a[href='#due_on']") is not None
    client.submit(page, {"description": "Hold a family group conference",
                         "owner_id": str(users["leader"].id), "due_on": ["5", "3", "2027"],
                         "priority": "low"})
    action = db.session.scalars(db.select(Action)).one()
    assert (action.owner_id, action.due_on.isoformat(), action.status) == (
        users["leader"].id, "2027-03-05", "proposed")
    edit = f"/audits/{audit.id}/recommendations/{action.id}"
    client.submit(edit, {"description": "Hold a family group conference this month",
                         "owner_id": "", "due_on": ["", "", ""], "priority": "high"})
    db.session.refresh(action)
    assert (action.owner_id, action.due_on, action.priority) == (None, None, "high")
    client.submit(f"{edit}/remove", {}, page=edit)
    assert db.session.scalars(db.select(Action)).all() == []
    assert [e.action for e in db.session.scalars(db.select(Event).where(
        Event.entity_type == "action").order_by(Event.id))] == ["proposed", "updated",
                                                               "removed"]


def test_summary_is_saved_and_conflicts_are_shown(client, login, audit):
    login("auditor")
    page = f"/audits/{audit.id}/summary"
    client.submit(page, {"overall_grade": "Good", "strengths": "A", "save_draft": "y",
                         "version": "1"})
    stale = client.submit(page, {"overall_grade": "Inadequate", "strengths": "A",
                                 "save_draft": "y", "version": "1"})
    assert "Someone else changed this audit" in stale.text
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for tr in stale.soup.select(".govuk-error-summary tbody tr")]
    assert rows == [["Overall judgement", "Good", "Inadequate"]]
    assert fresh(audit).overall_grade == "Good"


def test_a_tampered_version_on_check_answers_is_said_and_nothing_is_submitted(
        client, login, audit):
    login("auditor")
    response = client.submit(f"/audits/{audit.id}/check", {"version": "1\x00"})
    assert response.status_code == 200
    summary = [a.get_text(strip=True) for a in response.soup.select(".govuk-error-summary a")]
    assert any("control characters" in text for text in summary), summary
    assert fresh(audit).status != "submitted"


def test_a_section_saved_after_the_idle_timeout_is_kept_across_sign_in(
        client, login, audit, users, monkeypatch):
    from audit_app import security

    login("auditor")
    page = f"/audits/{audit.id}/sections/1"
    form = client.get(page)
    later = security.utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(security, "utcnow", lambda: later)
    timed_out = client.post(page, data={
        **hidden_inputs(form.text, page), f"q{qid(audit, 'assessment')}": "Good",
        "save_draft": "Save as draft"})
    assert timed_out.headers["Location"].startswith("/sign-in?next=")
    signed_in = client.submit(timed_out.headers["Location"], {
        "email": users["auditor"].email, "password": TEST_PASSWORD})
    back = client.get(signed_in.headers["Location"])
    assert back.soup.find("input", attrs={"name": f"q{qid(audit, 'assessment')}",
                                          "checked": True})["value"] == "Good"
    assert "CSRF" not in back.text  # the kept form's token was not the user's problem
    assert fresh(audit).answers == []  # kept to be saved again, not saved behind their back


def test_change_on_check_answers_returns_to_check_answers_after_saving(client, login, audit):
    login("auditor")
    client.submit(f"/audits/{audit.id}/sections/1", section_one(audit))
    check = client.get(f"/audits/{audit.id}/check")
    change = check.soup.find("a", href=lambda h: h and "/sections/1?from=check" in h)["href"]
    page = change.split("#")[0]
    saved = client.submit(page, section_one(audit, **{f"q{qid(audit, 'plan')}": "Outstanding"}))
    assert saved.headers["Location"] == f"/audits/{audit.id}/check"
    summary = check.soup.find("a", href=f"/audits/{audit.id}/summary?from=check")["href"]
    saved = client.submit(summary, {"overall_grade": "Good", "strengths": "Seen.",
                                    "areas_for_development": "Plan.", "save_continue": "y"})
    assert saved.headers["Location"] == f"/audits/{audit.id}/check"
    # Without the link's mark, the pages go on as before.
    onward = client.submit(f"/audits/{audit.id}/sections/1", section_one(audit))
    assert onward.headers["Location"] == f"/audits/{audit.id}/sections/2"
