"""Admin journeys: users, teams and services, conflicts, and the event log."""

from datetime import datetime

from audit_app.extensions import db
from audit_app.models import Event, Team, User


def events(action=None, entity_type=None):
    query = db.select(Event).order_by(Event.id)
    if action:
        query = query.where(Event.action == action)
    if entity_type:
        query = query.where(Event.entity_type == entity_type)
    return db.session.scalars(query).all()


def test_admin_creates_a_user_and_it_is_logged(client, login, users):
    admin = login("admin")
    team = db.session.scalar(db.select(Team).where(Team.name == "Care Leavers"))
    response = client.submit(
        "/admin/users/new",
        {
            "email": "Jo.Bloggs@Council.gov.uk",
            "name": "Jo Bloggs",
            "roles": ["auditor", "manager"],
            "team_id": str(team.id),
            "active": "y",
            "password": "a-long-initial-password",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "jo.bloggs@council.gov.uk"))
    assert user.roles == {"auditor", "manager"}
    assert user.team_id == team.id
    [event] = events("created", "user")[-1:]
    assert event.actor_id == admin.id
    assert event.after["email"] == "jo.bloggs@council.gov.uk"
    assert event.after["roles"] == ["auditor", "manager"]


def test_new_user_form_errors_are_specific_and_nothing_is_saved(client, login, users):
    login("admin")
    before = db.session.scalar(db.select(db.func.count(User.id)))
    response = client.submit(
        "/admin/users/new",
        {"email": "not-an-email", "name": "", "password": "short"},
    )
    assert response.soup.title.get_text().startswith("Error: Add a user")
    summary = [a.get_text() for a in response.soup.select(".govuk-error-summary a")]
    assert "Enter an email address in the correct format, like name@council.gov.uk" in summary
    assert "Enter a name" in summary
    assert "Select at least one role" in summary
    assert "Password must be 12 characters or more" in summary
    assert db.session.scalar(db.select(db.func.count(User.id))) == before


def test_email_is_unique_whatever_the_case(client, login, users):
    login("admin")
    response = client.submit(
        "/admin/users/new",
        {"email": "AUDITOR@example.org.uk", "name": "Copy", "roles": ["auditor"],
         "password": "a-long-initial-password"},
    )
    assert "A user with the email address auditor@example.org.uk already exists" in response.text


def test_deactivating_a_user_is_logged_and_they_cannot_sign_in(client, login, users):
    login("admin")
    auditor = users["auditor"]
    page = f"/admin/users/{auditor.id}"
    form = client.get(page).soup
    version = form.find("input", attrs={"name": "version"})["value"]
    response = client.submit(
        page,
        {"email": auditor.email, "name": auditor.name, "roles": ["auditor"],
         "team_id": str(auditor.team_id), "version": version},
    )
    assert response.status_code == 302
    db.session.refresh(auditor)
    assert auditor.active is False
    [event] = events("deactivated", "user")
    assert event.before == {"active": True} and event.after == {"active": False}


def test_two_admins_editing_the_same_user_get_a_conflict_not_an_overwrite(client, login, users):
    login("admin")
    auditor = users["auditor"]
    page = f"/admin/users/{auditor.id}"
    version = client.get(page).soup.find("input", attrs={"name": "version"})["value"]
    base = {"email": auditor.email, "roles": ["auditor"], "team_id": str(auditor.team_id),
            "active": "y", "version": version}
    first = client.submit(page, {**base, "name": "First Edit"})
    assert first.status_code == 302
    second = client.submit(page, {**base, "name": "Second Edit"})
    assert second.status_code == 200
    assert "Someone else changed this user while you were editing it" in second.text
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in second.soup.select(
        ".govuk-error-summary tbody tr")]
    assert rows == [["Name", "First Edit", "Second Edit"]]
    db.session.refresh(auditor)
    assert auditor.name == "First Edit"
    # Saving again from the conflict page keeps the second edit, knowingly.
    new_version = second.soup.find("input", attrs={"name": "version"})["value"]
    third = client.submit(page, {**base, "name": "Second Edit", "version": new_version})
    assert third.status_code == 302
    db.session.refresh(auditor)
    assert auditor.name == "Second Edit"


def test_admin_cannot_remove_their_own_admin_role(client, login, users):
    admin = login("admin")
    page = f"/admin/users/{admin.id}"
    version = client.get(page).soup.find("input", attrs={"name": "version"})["value"]
    response = client.submit(
        page, {"email": admin.email, "name": admin.name, "roles": ["auditor"],
               "active": "y", "version": version},
    )
    assert "You cannot remove your own admin role" in response.text
    db.session.refresh(admin)
    assert "admin" in admin.roles


def test_admin_creates_and_edits_a_team(client, login, users):
    login("admin")
    service_id = users["manager"].team.service_id
    response = client.submit(
        "/admin/teams/new",
        {"name": "Nantwich CIN/CP", "service_id": str(service_id),
         "manager_id": str(users["manager"].id), "active": "y"},
    )
    assert response.status_code == 302
    team = db.session.scalar(db.select(Team).where(Team.name == "Nantwich CIN/CP"))
    assert team.manager_id == users["manager"].id
    duplicate = client.submit(
        "/admin/teams/new", {"name": "Crewe CIN/CP", "service_id": str(service_id)}
    )
    assert "A team called Crewe CIN/CP already exists" in duplicate.text
    page = f"/admin/teams/{team.id}"
    version = client.get(page).soup.find("input", attrs={"name": "version"})["value"]
    client.submit(page, {"name": "Nantwich CIN/CP", "service_id": str(service_id),
                         "manager_id": "", "active": "y", "version": version})
    db.session.refresh(team)
    assert team.manager_id is None
    event = events("updated", "team")[-1]
    assert (event.entity_id, event.after) == (team.id, {"manager_id": None})


def test_admin_creates_a_service(client, login, users):
    login("admin")
    response = client.submit(
        "/admin/services/new", {"name": "Youth Justice", "head_id": str(users["leader"].id)}
    )
    assert response.status_code == 302
    assert events("created", "service")[-1].after == {
        "name": "Youth Justice", "head_id": users["leader"].id}


def test_event_log_filters(client, login, users):
    login("admin")
    page = client.get("/admin/events?entity_type=team&action=created")
    rows = page.soup.select("tbody tr")
    assert len(rows) == len(events("created", "team")) == 7
    assert all("team" in row.get_text() for row in rows)
    assert "0 events" in client.get("/admin/events?actor=nobody@example.org.uk").text


def test_event_log_times_are_uk_time_and_say_so(client, login, users):
    # 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time.
    db.session.add(Event(occurred_at=datetime(2022, 6, 30, 23, 30), entity_type="team",
                         entity_id=1, action="renamed"))
    db.session.commit()
    login("admin")
    page = client.get("/admin/events?entity_type=team&action=renamed")
    assert page.soup.select("thead th")[0].get_text() == "When (UK time)"
    assert "1 July 2022 at 00:30" in page.text


def test_navigation_shows_admin_links_only_to_admins(client, login, users):
    login("auditor")
    nav = client.get("/").soup.select_one(".govuk-service-navigation")
    assert "Users" not in nav.get_text()


def test_edit_pages_show_no_conflict_until_there_is_one(client, login, users):
    login("admin")
    for page in (f"/admin/users/{users['auditor'].id}",
                 f"/admin/teams/{users['manager'].team_id}"):
        assert "Someone else changed" not in client.get(page).text
