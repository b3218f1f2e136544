"""Case register journeys: listing and filtering, adding and editing, conflicts, who sees what."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from audit_app import timeutil
from audit_app.cases import services
from audit_app.extensions import db
from audit_app.models import Case, Event, Team
from tests.factories import make_case, team

TOMORROW = timeutil.today() + timedelta(days=1)  # the UK's tomorrow


def events(action, entity_type="case"):
    return db.session.scalars(
        db.select(Event).where(Event.action == action, Event.entity_type == entity_type)
        .order_by(Event.id)
    ).all()


def references(response):
    return [a.get_text() for a in response.soup.select("tbody tr td:first-child a")]


def error_summary(response):
    return [a.get_text() for a in response.soup.select(".govuk-error-summary a")]


def case_form(**changes):
    data = {
        "reference": "1000123",
        "team_id": str(team("Crewe CIN/CP").id),
        "cohorts": ["child_in_need", "child_protection"],
        "opened_on": ["6", "1", "2025"],
        "closed_on": ["", "", ""],
        "social_worker_id": "",
    }
    data.update(changes)
    return data


def version_on(client, page):
    return client.get(page).soup.find("input", attrs={"name": "version"})["value"]


# --- the rules, directly ---------------------------------------------------------------------


def test_who_sees_and_changes_cases(app, users):
    crewe = make_case("LCS-1", "Crewe CIN/CP")
    maccles = make_case("LCS-2", "Macclesfield CIN/CP")
    leavers = make_case("LCS-3", "Care Leavers")
    # The demo manager belongs to Crewe; they also manage Care Leavers.
    team("Care Leavers").manager_id = users["manager"].id
    db.session.commit()

    def visible(user):
        return set(db.session.scalars(services.visible_cases_query(user)))

    everyone = {crewe, maccles, leavers}
    for role in ("admin", "moderator", "practice_lead", "leader"):
        assert visible(users[role]) == everyone, role
        assert services.can_view_case(users[role], maccles)
    assert visible(users["manager"]) == {crewe, leavers}
    assert not services.can_view_case(users["manager"], maccles)
    assert visible(users["auditor"]) == set()
    assert not services.can_view_case(users["auditor"], crewe)
    assert {t.name for t in services.visible_teams(users["manager"])} == {
        "Crewe CIN/CP", "Care Leavers"}

    assert [r for r in users if services.can_edit_cases(users[r])] == ["admin", "moderator"]
    assert [r for r in users if services.can_list_cases(users[r])] == [
        "admin", "moderator", "practice_lead", "manager", "leader"]


def test_a_manager_without_a_team_sees_only_teams_they_manage(app, users):
    manager = users["manager"]
    manager.team_id = None
    db.session.commit()
    make_case("LCS-1", "Crewe CIN/CP")  # still managed by them
    make_case("LCS-2", "Fostering")
    assert [c.reference for c in db.session.scalars(services.visible_cases_query(manager))] == [
        "LCS-1"]


def test_date_rules():
    today = date(2026, 11, 27)
    assert services.date_problems(date(2026, 1, 1), None, today) == {}
    assert services.date_problems(date(2026, 1, 1), date(2026, 1, 1), today) == {}
    assert services.date_problems(date(2026, 2, 1), date(2026, 1, 1), today) == {
        "closed_on": "Closed date must be the same as or after the opened date"}
    assert services.date_problems(date(2026, 11, 28), None, today) == {
        "opened_on": "Date opened must be today or in the past"}


@pytest.mark.parametrize(("reference", "problem"), [
    ("1000123", None),
    ("LCS/2024/77", None),
    ("", "Enter the case reference"),
    ("Jane Smith", "Case reference must include a number. Do not enter the child's name"),
    ("1" * 61, "Case reference must be 60 characters or fewer"),
])
def test_reference_rules(reference, problem):
    assert services.reference_problem(reference) == problem


# --- the list --------------------------------------------------------------------------------


def test_list_filters_by_team_cohort_status_and_reference(client, login, users):
    make_case("LCS-1001", "Crewe CIN/CP", ("child_in_need",))
    make_case("LCS-1002", "Crewe CIN/CP", ("child_protection",), closed_on=date(2025, 6, 1))
    make_case("LCS-2001", "Macclesfield CIN/CP", ("child_protection", "pre_proceedings"))
    make_case("LCS-3001", "Care Leavers", ("care_leaver",), closed_on=date(2025, 3, 1))
    db.session.commit()
    login("practice_lead")

    page = client.get("/cases/")
    assert references(page) == ["LCS-1001", "LCS-1002", "LCS-2001", "LCS-3001"]
    assert "4 cases" in page.soup.caption.get_text()
    first = [td.get_text(" ", strip=True) for td in page.soup.select("tbody tr")[0].find_all("td")]
    assert first == ["LCS-1001", "Crewe CIN/CP", "Child in need", "6 January 2025", "Open"]

    crewe = team("Crewe CIN/CP").id
    assert references(client.get(f"/cases/?team={crewe}")) == ["LCS-1001", "LCS-1002"]
    assert references(client.get("/cases/?cohort=child_protection")) == [
        "LCS-1002", "LCS-2001"]
    assert references(client.get("/cases/?status=open")) == ["LCS-1001", "LCS-2001"]
    assert references(client.get("/cases/?status=closed")) == ["LCS-1002", "LCS-3001"]
    assert references(client.get(f"/cases/?team={crewe}&cohort=child_protection&status=closed")
                      ) == ["LCS-1002"]
    assert references(client.get("/cases/?reference=200")) == ["LCS-2001"]
    # The chosen filters are shown as chosen.
    filtered = client.get("/cases/?cohort=care_leaver")
    assert filtered.soup.select_one("#cohort option[selected]")["value"] == "care_leaver"
    # A value edited into the URL is ignored, not an error page.
    assert len(references(client.get("/cases/?team=abc&cohort=nope&status=x"))) == 4


def test_list_is_paginated_fifty_to_a_page(client, login, users):
    for n in range(60):
        make_case(f"LCS-{n:04d}")
    db.session.commit()
    login("admin")
    first = client.get("/cases/")
    assert len(references(first)) == 50
    assert "Page 1 of 2" in first.text
    second = client.get("/cases/?page=2")
    assert references(second) == [f"LCS-{n:04d}" for n in range(50, 60)]
    # The filters survive paging.
    link = client.get("/cases/?cohort=child_in_need").soup.select_one(".govuk-pagination__next a")
    assert "cohort=child_in_need" in link["href"] and "page=2" in link["href"]


def test_the_number_of_queries_does_not_grow_with_the_cases(app, client, login, users):
    login("admin")

    def statements_for_list():
        count = 0

        def count_statement(*args):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", count_statement)
        try:
            response = client.get("/cases/")
        finally:
            event.remove(db.engine, "before_cursor_execute", count_statement)
        assert response.status_code == 200
        return count, len(references(response))

    for n in range(5):
        make_case(f"A-{n:03d}", "Crewe CIN/CP", ("child_in_need", "child_protection"))
    db.session.commit()
    few = statements_for_list()
    teams = ["Macclesfield CIN/CP", "Care Leavers", "Fostering", "Cared for Children"]
    for n in range(55):
        make_case(f"B-{n:03d}", teams[n % 4], ("cared_for", "early_help"))
    db.session.commit()
    many = statements_for_list()
    assert few[1] == 5 and many[1] == 50
    assert few[0] == many[0]


def test_a_manager_lists_only_their_teams_cases(client, login, users):
    make_case("LCS-1", "Crewe CIN/CP")
    make_case("LCS-2", "Macclesfield CIN/CP")
    db.session.commit()
    login("manager")
    page = client.get("/cases/")
    assert references(page) == ["LCS-1"]
    assert [o.get_text() for o in page.soup.select("#team option")] == ["Any team", "Crewe CIN/CP"]
    # Filtering by another team's id shows nothing of theirs.
    other = team("Macclesfield CIN/CP").id
    assert references(client.get(f"/cases/?team={other}")) == ["LCS-1"]
    assert "Add a case" not in page.text


def test_cases_are_in_the_menu_for_the_roles_that_can_see_them(client, login, users):
    login("leader")
    nav = client.get("/").soup.select_one(".govuk-service-navigation").get_text()
    assert "Cases" in nav


# --- adding ----------------------------------------------------------------------------------


def test_admin_adds_a_case_and_it_is_logged(client, login, users):
    admin = login("admin")
    form = client.get("/cases/new").soup
    assert form.select_one("#reference-hint").get_text(strip=True) == (
        "As shown in the case-record system. Do not enter the child's name.")
    assert "No child's name is stored" in form.select_one(".govuk-inset-text").get_text()
    assert form.select(".govuk-error-summary") == []  # no conflict panel on a fresh form
    response = client.submit("/cases/new", case_form(
        reference=" 1000123 ", closed_on=["31", "3", "2025"],
        social_worker_id=str(users["practice_lead"].id)))
    assert response.status_code == 302
    case = db.session.scalar(db.select(Case).where(Case.reference == "1000123"))
    assert case.team.name == "Crewe CIN/CP"
    assert case.cohorts == {"child_in_need", "child_protection"}
    assert (case.opened_on, case.closed_on) == (date(2025, 1, 6), date(2025, 3, 31))
    assert case.social_worker_id == users["practice_lead"].id
    [logged] = events("created")
    assert (logged.actor_id, logged.entity_id) == (admin.id, case.id)
    assert logged.after == {
        "reference": "1000123", "team_id": case.team_id,
        "cohorts": ["child_in_need", "child_protection"], "opened_on": "2025-01-06",
        "closed_on": "2025-03-31", "social_worker_id": users["practice_lead"].id}
    assert "Case 1000123 added." in client.get("/cases/").text


def test_every_missing_answer_has_its_own_error_and_nothing_is_saved(client, login, users):
    login("moderator")
    response = client.submit("/cases/new", {"reference": "", "opened_on": ["", "", ""]})
    assert response.soup.title.get_text().startswith("Error: Add a case")
    assert error_summary(response) == [
        "Enter the case reference", "Select the team", "Select at least one cohort",
        "Enter the date the case was opened"]
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


@pytest.mark.parametrize(("changes", "message"), [
    ({"opened_on": ["31", "2", "2025"]}, "Date opened must be a real date"),
    ({"opened_on": ["6", "13", "2025"]}, "Date opened must be a real date"),
    ({"opened_on": ["six", "1", "2025"]}, "Date opened must be a real date"),
    ({"opened_on": ["6", "", "2025"]}, "Date opened must include a month"),
    ({"opened_on": ["", "", "2025"]}, "Date opened must include a day and a month"),
    ({"opened_on": ["6", "1", "25"]}, "Year must include 4 numbers"),
    ({"closed_on": ["30", "2", "2025"]}, "Date closed must be a real date"),
    ({"closed_on": ["5", "1", "2025"]},
     "Closed date must be the same as or after the opened date"),
    ({"opened_on": [str(TOMORROW.day), str(TOMORROW.month), str(TOMORROW.year)]},
     "Date opened must be today or in the past"),
    ({"reference": "Jane Smith"},
     "Case reference must include a number. Do not enter the child's name"),
    ({"reference": "1" * 61}, "Case reference must be 60 characters or fewer"),
    ({"team_id": "99999"}, "Team must be one of the options shown"),
])
def test_each_wrong_answer_gets_a_specific_error(client, login, users, changes, message):
    login("admin")
    response = client.submit("/cases/new", case_form(**changes))
    assert error_summary(response) == [message]
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


def test_an_impossible_date_keeps_what_was_typed_and_links_to_the_day_box(client, login, users):
    login("admin")
    response = client.submit("/cases/new", case_form(opened_on=["31", "2", "2025"]))
    [link] = response.soup.select(".govuk-error-summary a")
    assert link["href"] == "#opened_on"
    target = response.soup.select_one("#opened_on")
    assert (target.name, target["value"]) == ("input", "31")
    typed = [i.get("value") for i in response.soup.select("input[name=opened_on]")]
    assert typed == ["31", "2", "2025"]


def test_a_reference_already_in_the_register_is_refused(client, login, users):
    make_case("1000123")
    db.session.commit()
    login("admin")
    response = client.submit("/cases/new", case_form())
    assert error_summary(response) == ["A case with reference 1000123 already exists"]


# --- editing ---------------------------------------------------------------------------------


def test_moderator_edits_a_case_and_only_the_changes_are_logged(client, login, users):
    case = make_case("1000123")
    db.session.commit()
    moderator = login("moderator")
    page = f"/cases/{case.id}"
    form = client.get(page)
    assert form.soup.h1.get_text() == "Edit case 1000123"
    assert form.soup.select(".govuk-error-summary") == []
    assert [i["value"] for i in form.soup.select("input[name=opened_on]")] == ["06", "01", "2025"]
    response = client.submit(page, case_form(
        team_id=str(team("Macclesfield CIN/CP").id), cohorts=["child_protection"],
        closed_on=["1", "10", "2025"], version=version_on(client, page)))
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.team.name == "Macclesfield CIN/CP"
    assert case.cohorts == {"child_protection"}
    assert case.closed_on == date(2025, 10, 1)
    [logged] = events("updated")
    assert logged.actor_id == moderator.id
    assert logged.before == {"team_id": team("Crewe CIN/CP").id, "cohorts": ["child_in_need"],
                             "closed_on": None}
    assert logged.after == {"team_id": team("Macclesfield CIN/CP").id,
                            "cohorts": ["child_protection"], "closed_on": "2025-10-01"}


def test_renaming_to_another_cases_reference_is_refused(client, login, users):
    make_case("1000123")
    case = make_case("1000456")
    db.session.commit()
    login("admin")
    page = f"/cases/{case.id}"
    response = client.submit(page, case_form(version=version_on(client, page)))
    assert error_summary(response) == ["A case with reference 1000123 already exists"]
    db.session.refresh(case)
    assert case.reference == "1000456"


def test_two_people_editing_the_same_case_get_a_conflict_not_an_overwrite(client, login, users):
    case = make_case("1000123")
    db.session.commit()
    login("admin")
    page = f"/cases/{case.id}"
    version = version_on(client, page)
    first = client.submit(page, case_form(cohorts=["cared_for"], version=version))
    assert first.status_code == 302
    second = client.submit(page, case_form(cohorts=["early_help"], version=version))
    assert second.status_code == 200
    assert "Someone else changed this case while you were editing it" in second.text
    rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
            for tr in second.soup.select(".govuk-error-summary tbody tr")]
    assert rows == [["Cohorts", "Cared for", "Early help"]]
    db.session.refresh(case)
    assert case.cohorts == {"cared_for"}
    # Saving again from the conflict page keeps the second edit, knowingly.
    new_version = second.soup.find("input", attrs={"name": "version"})["value"]
    third = client.submit(page, case_form(cohorts=["early_help"], version=new_version))
    assert third.status_code == 302
    db.session.refresh(case)
    assert case.cohorts == {"early_help"}


def test_a_deactivated_social_worker_stays_allocated_when_the_case_is_edited(
        client, login, users):
    worker = users["practice_lead"]
    case = make_case("1000123")
    case.social_worker_id = worker.id
    worker.active = False
    db.session.commit()
    login("admin")
    page = f"/cases/{case.id}"
    options = [o.get_text() for o in client.get(page).soup.select("#social_worker_id option")]
    assert f"{worker.name} ({worker.email})" in options
    new_case_options = [o.get_text() for o in
                        client.get("/cases/new").soup.select("#social_worker_id option")]
    assert f"{worker.name} ({worker.email})" not in new_case_options
    response = client.submit(page, case_form(social_worker_id=str(worker.id),
                                             version=version_on(client, page)))
    assert response.status_code == 302
    assert db.session.get(Case, case.id).social_worker_id == worker.id


# --- record-level access ---------------------------------------------------------------------


def test_a_manager_reads_their_teams_case_but_not_another_teams(client, login, users):
    own = make_case("LCS-1", "Crewe CIN/CP", ("child_in_need", "child_protection"))
    other = make_case("LCS-2", "Macclesfield CIN/CP")
    db.session.commit()
    login("manager")
    page = client.get(f"/cases/{own.id}")
    assert page.status_code == 200
    assert page.soup.h1.get_text() == "Case LCS-1"
    assert page.soup.find("form", attrs={"method": "post", "novalidate": True}) is None
    rows = {dt.get_text(strip=True): dd.get_text(" ", strip=True) for dt, dd in zip(
        page.soup.select(".govuk-summary-list__key"),
        page.soup.select(".govuk-summary-list__value"), strict=True)}
    assert rows["Cohorts"] == "Child in need Child protection"
    assert client.get(f"/cases/{other.id}").status_code == 403
    refused = client.submit(f"/cases/{own.id}", case_form(), page="/cases/")
    assert refused.status_code == 403
    assert client.get("/cases/new").status_code == 403
    assert client.get("/cases/import").status_code == 403


def test_auditors_reach_cases_through_their_audits_not_the_register(client, login, users):
    case = make_case("LCS-1", "Macclesfield CIN/CP")  # the demo auditor's own team
    db.session.commit()
    login("auditor")
    for path in ("/cases/", f"/cases/{case.id}", "/cases/new", "/cases/import"):
        assert client.get(path).status_code == 403, path


def test_a_case_that_does_not_exist_is_not_found(client, login, users):
    login("admin")
    assert client.get("/cases/99999").status_code == 404


def test_a_team_deactivated_since_stays_on_its_cases_edit_form(client, login, users):
    case = make_case("LCS-1", "Fostering")
    db.session.scalar(db.select(Team).where(Team.name == "Fostering")).active = False
    db.session.commit()
    login("admin")
    teams = [o.get_text() for o in client.get(f"/cases/{case.id}").soup.select("#team_id option")]
    assert "Fostering" in teams
    assert "Fostering" not in [
        o.get_text() for o in client.get("/cases/new").soup.select("#team_id option")]
