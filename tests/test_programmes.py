"""Audit programme journeys: starting and editing programmes, allocating cases by hand and by
random draw, conflicts of interest under each setting, removing allocations, permissions."""

from datetime import date

import numpy
import pytest
from sqlalchemy import event

from audit_app.extensions import db
from audit_app.models import Audit, Event, Programme, Setting
from audit_app.programmes import services
from tests import factories


def events(action=None, entity_type=None):
    query = db.select(Event).order_by(Event.id)
    if action:
        query = query.where(Event.action == action)
    if entity_type:
        query = query.where(Event.entity_type == entity_type)
    return db.session.scalars(query).all()


def day(d):
    """A GOV.UK date input's three boxes, as a browser posts them."""
    return [str(d.day), str(d.month), str(d.year)]


def error_summary(response):
    return [a.get_text() for a in response.soup.select(".govuk-error-summary a")]


def banner(response):
    return response.soup.select_one(".govuk-notification-banner").get_text(" ", strip=True)


def make_template(**kwargs):
    # Its own slug: seed-demo may load the built-in templates, whose slugs are taken.
    kwargs.setdefault("slug", "programme-tests")
    kwargs.setdefault("name", "Programme tests template")
    return factories.make_template(**kwargs)


@pytest.fixture
def template(app, users):
    template = make_template()
    db.session.commit()
    return template


@pytest.fixture
def programme(template):
    programme = factories.make_programme(template)
    db.session.commit()
    return programme


def programme_form(template, **overrides):
    return {
        "name": "Q2 2022-23 whole case file audit",
        "template_id": str(template.id),
        "period_start": day(date(2022, 7, 1)),
        "period_end": day(date(2022, 9, 30)),
        "due_on": day(date(2022, 10, 14)),
        **overrides,
    }


# --- programmes ------------------------------------------------------------------------------


def test_moderator_starts_a_programme_and_it_is_logged(client, login, template):
    moderator = login("moderator")
    response = client.submit("/programmes/new", programme_form(template))
    assert response.status_code == 302
    programme = db.session.scalar(db.select(Programme))
    assert (programme.name, programme.template_id) == (
        "Q2 2022-23 whole case file audit", template.id)
    assert (programme.period_start, programme.period_end, programme.due_on) == (
        date(2022, 7, 1), date(2022, 9, 30), date(2022, 10, 14))
    assert programme.created_by_id == moderator.id
    [event] = events("created", "programme")
    assert event.actor_id == moderator.id
    assert event.after["period_start"] == "2022-07-01"
    page = client.get(response.headers["Location"])
    assert page.soup.h1.get_text() == "Q2 2022-23 whole case file audit"
    assert "1 July 2022 to 30 September 2022" in page.text
    listing = client.get("/programmes/")
    assert "Q2 2022-23 whole case file audit" in listing.text


def test_an_empty_programme_form_says_what_is_missing(client, login, template):
    login("moderator")
    response = client.submit("/programmes/new", {})
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: Start an audit programme")
    assert error_summary(response) == [
        "Enter a programme name",
        "Select a template",
        "Enter the start of the audit period",
        "Enter the end of the audit period",
        "Enter the due date",
    ]
    assert db.session.scalar(db.select(db.func.count(Programme.id))) == 0


def test_dates_in_the_wrong_order_are_refused(client, login, template):
    login("moderator")
    response = client.submit("/programmes/new", programme_form(
        template, period_end=day(date(2022, 6, 30)), due_on=day(date(2022, 6, 1))))
    assert error_summary(response) == [
        "The end of the audit period must be the same as or after the start",
        "The due date must be the same as or after the start of the audit period",
    ]
    # What was typed is kept.
    assert response.soup.find(id="period_end")["value"] == "30"


def test_badly_typed_dates_are_named(client, login, template):
    login("moderator")
    response = client.submit("/programmes/new", programme_form(
        template, period_start=["31", "2", "2022"], period_end=["30", "", "2022"],
        due_on=["1", "13", "2022"]))
    assert error_summary(response) == [
        "The start of the audit period must be a real date",
        "The end of the audit period must include a month",
        "The due date must be a real date",
    ]


def test_a_template_without_a_published_version_cannot_be_used(client, login, template):
    draft = make_template(slug="draft-only", name="Draft only", published=False)
    db.session.commit()
    login("moderator")
    form = client.get("/programmes/new")
    options = [o.get_text() for o in form.soup.select("#template_id option")]
    assert options[0] == "Select a template"
    assert "Programme tests template" in options and "Draft only" not in options
    response = client.submit("/programmes/new", programme_form(draft))
    assert error_summary(response) == [
        "Draft only has no published version. Publish it before starting a programme with it"]
    assert services.programme_errors({"template_id": draft.id}) == {
        "template_id": "Draft only has no published version. Publish it before starting a "
                       "programme with it"}


def _edit_form(client, programme_id):
    soup = client.get(f"/programmes/{programme_id}/edit").soup
    assert soup.select_one(".govuk-error-summary") is None  # no conflict shown before saving
    return soup.find("input", attrs={"name": "version"})["value"]


def test_editing_a_programme_is_logged_and_a_stale_edit_is_a_conflict(
        client, login, programme, template):
    login("moderator")
    page = f"/programmes/{programme.id}/edit"
    version = _edit_form(client, programme.id)
    base = programme_form(template, version=version)
    first = client.submit(page, {**base, "name": "First name"})
    assert first.status_code == 302
    event = events("updated", "programme")[-1]
    assert event.after["name"] == "First name"
    second = client.submit(page, {**base, "name": "Second name"})
    assert second.status_code == 200
    assert "Someone else changed this programme while you were editing it" in second.text
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])]
            for tr in second.soup.select(".govuk-error-summary tbody tr")]
    assert rows == [["Programme name", "First name", "Second name"]]
    db.session.refresh(programme)
    assert programme.name == "First name"
    new_version = second.soup.find("input", attrs={"name": "version"})["value"]
    third = client.submit(page, {**base, "name": "Second name", "version": new_version})
    assert third.status_code == 302
    db.session.refresh(programme)
    assert programme.name == "Second name"


def test_the_template_cannot_change_once_cases_are_allocated(
        client, login, programme, users):
    other = make_template(slug="programme-tests-plo", name="Programme tests PLO")
    factories.make_audit(programme, factories.make_case(), users["auditor"])
    db.session.commit()
    login("moderator")
    response = client.submit(f"/programmes/{programme.id}/edit", programme_form(
        other, version=_edit_form(client, programme.id)))
    assert error_summary(response) == [
        "You cannot change the template because cases have already been allocated"]


# --- allocating by hand ----------------------------------------------------------------------


def test_moderator_allocates_a_case_by_hand(client, login, programme, users):
    case = factories.make_case("LCS-1001", team_name="Macclesfield CIN/CP")
    db.session.commit()
    moderator = login("moderator")
    auditor = users["auditor"]
    response = client.submit(f"/programmes/{programme.id}/allocate",
                             {"case_reference": " LCS-1001 ", "auditor_id": str(auditor.id)})
    assert response.status_code == 302
    audit = db.session.scalar(db.select(Audit))
    assert (audit.case_id, audit.auditor_id, audit.status) == (case.id, auditor.id, "allocated")
    assert audit.template_version_id == programme.template.latest_published.id
    assert audit.due_on == programme.due_on
    assert audit.allocated_by_id == moderator.id
    assert audit.draw_id is None and audit.conflict_of_interest is False
    [event] = events("allocated", "audit")
    assert event.after["case_reference"] == "LCS-1001"
    assert event.after["conflict_of_interest"] is False
    page = client.get(response.headers["Location"])
    assert "Case LCS-1001 allocated to Aisha Auditor." in banner(page)
    row = [c.get_text(" ", strip=True) for c in page.soup.select("#allocations + table tbody tr")[
        0].find_all(["th", "td"])]
    assert row[:6] == ["LCS-1001", "Macclesfield CIN/CP", "Aisha Auditor", "Allocated",
                       "18 December 2026", "By hand"]


def test_hand_allocation_errors_are_specific(client, login, programme, users):
    factories.make_audit(programme, factories.make_case("LCS-1001"), users["auditor"])
    db.session.commit()
    login("moderator")
    page = f"/programmes/{programme.id}/allocate"
    empty = client.submit(page, {})
    assert error_summary(empty) == ["Enter a case reference", "Select an auditor"]
    unknown = client.submit(page, {"case_reference": "LCS-9999",
                                   "auditor_id": str(users["auditor"].id)})
    assert error_summary(unknown) == ["No case with reference LCS-9999"]
    assert unknown.soup.find(id="case_reference")["value"] == "LCS-9999"
    duplicate = client.submit(page, {"case_reference": "LCS-1001",
                                     "auditor_id": str(users["auditor"].id)})
    assert error_summary(duplicate) == ["Case LCS-1001 is already in this programme"]
    not_an_auditor = client.submit(page, {"case_reference": "LCS-1001",
                                          "auditor_id": str(users["leader"].id)})
    assert "Select an auditor" in error_summary(not_an_auditor)
    assert db.session.scalar(db.select(db.func.count(Audit.id))) == 1


def test_a_closed_case_can_be_allocated_and_the_closure_is_mentioned(
        client, login, programme, users):
    factories.make_case("LCS-2002", closed_on=date(2026, 3, 31))
    db.session.commit()
    login("moderator")
    response = client.submit(f"/programmes/{programme.id}/allocate", {
        "case_reference": "LCS-2002", "auditor_id": str(users["auditor"].id)})
    page = client.get(response.headers["Location"])
    assert "This case was closed on 31 March 2026." in banner(page)


# --- conflicts of interest -------------------------------------------------------------------


def test_the_conflict_of_interest_rule_under_each_setting(users):
    manager, other = users["manager"], users["auditor"]  # Sam manages Crewe CIN/CP
    case = factories.make_case("LCS-3001", team_name="Crewe CIN/CP")
    assert services.conflict_decision(manager, case, "warn") == "warn"
    assert services.conflict_decision(manager, case, "block") == "block"
    assert services.conflict_decision(other, case, "warn") is None
    assert services.conflict_decision(other, case, "block") is None
    unmanaged = factories.make_case("LCS-3002", team_name="Fostering")
    assert services.conflict_decision(manager, unmanaged, "block") is None
    with pytest.raises(ValueError):
        services.conflict_decision(manager, case, "ignore")


def test_conflict_of_interest_blocks_or_warns_as_the_admin_setting_says(
        client, login, programme, users):
    sam = users["manager"]  # manages Crewe CIN/CP and is an auditor too
    factories.make_case("LCS-3003", team_name="Crewe CIN/CP")
    db.session.commit()
    allocate = {"case_reference": "LCS-3003", "auditor_id": str(sam.id)}

    login("admin")
    assert client.submit("/admin/settings", {"conflict_of_interest": "block"}).status_code == 302
    refused = client.submit(f"/programmes/{programme.id}/allocate", allocate)
    assert error_summary(refused) == [
        "Sam Manager manages Crewe CIN/CP, the team case LCS-3003 belongs to. Conflicts of "
        "interest are not allowed: choose another auditor"]
    assert db.session.scalar(db.select(db.func.count(Audit.id))) == 0

    client.submit("/admin/settings", {"conflict_of_interest": "warn"})
    made = client.submit(f"/programmes/{programme.id}/allocate", allocate)
    assert made.status_code == 302
    audit = db.session.scalar(db.select(Audit))
    assert audit.conflict_of_interest is True
    assert events("allocated", "audit")[-1].after["conflict_of_interest"] is True
    page = client.get(made.headers["Location"])
    assert ("Conflict of interest: Sam Manager manages Crewe CIN/CP, the team case LCS-3003 "
            "belongs to.") in banner(page)
    assert page.soup.select_one("#allocations + table .govuk-tag--red").get_text(
        strip=True) == "Conflict of interest"


# --- removing allocations --------------------------------------------------------------------


def test_an_unstarted_allocation_can_be_removed_and_it_is_logged(client, login, programme, users):
    audit = factories.make_audit(programme, factories.make_case("LCS-4004"), users["auditor"])
    db.session.commit()
    audit_id = audit.id
    moderator = login("moderator")
    page = f"/programmes/{programme.id}/allocations/{audit_id}/remove"
    confirm = client.get(page)
    assert confirm.soup.h1.get_text() == "Remove case LCS-4004 from this programme"
    response = client.submit(page, {})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Audit, audit_id) is None
    [event] = events("allocation_removed", "audit")
    assert (event.entity_id, event.actor_id) == (audit_id, moderator.id)
    assert event.before["case_reference"] == "LCS-4004"
    assert "Case LCS-4004 removed from this programme." in banner(client.get(
        response.headers["Location"]))


def test_a_started_allocation_is_never_removed(client, login, programme, users):
    audit = factories.make_audit(programme, factories.make_case("LCS-5005"), users["auditor"],
                                 status="in_progress")
    db.session.commit()
    login("moderator")
    programme_page = client.get(f"/programmes/{programme.id}")
    assert "Remove" not in programme_page.soup.select_one("#allocations + table").get_text()
    page = f"/programmes/{programme.id}/allocations/{audit.id}/remove"
    assert "it cannot be removed" in client.get(page).text
    response = client.submit(page, {}, page=f"/programmes/{programme.id}")
    assert response.status_code == 302
    assert db.session.get(Audit, audit.id) is not None
    assert "has been started, so it cannot be removed" in banner(
        client.get(response.headers["Location"]))
    assert events("allocation_removed") == []


def test_an_allocation_of_another_programme_is_not_found(client, login, programme, users):
    other = factories.make_programme(programme.template, name="Other")
    audit = factories.make_audit(other, factories.make_case(), users["auditor"])
    db.session.commit()
    login("moderator")
    assert client.get(
        f"/programmes/{programme.id}/allocations/{audit.id}/remove").status_code == 404


# --- random draws through the form -----------------------------------------------------------


def test_a_draw_is_shown_with_its_seed_filter_and_cases(client, login, programme, users):
    for i in range(12):
        factories.make_case(f"LCS-{6000 + i}", team_name="Macclesfield CIN/CP",
                            cohorts=("child_protection",) if i % 2 else ("child_in_need",),
                            opened_on=date(2025, 1, 6))
    db.session.commit()
    login("moderator")
    team_id = factories.team("Macclesfield CIN/CP").id
    response = client.submit(f"/programmes/{programme.id}/draw", {
        "team_ids": [str(team_id)], "cohorts": ["child_protection"],
        "open_on": day(date(2026, 10, 1)), "requested": "4", "seed": "",
        "auditor_ids": [str(users["auditor"].id)],
    })
    assert response.status_code == 302
    [draw] = programme.draws
    assert 0 <= draw.seed < 2**63  # a fresh seed, stored
    assert draw.filters == {"team_ids": [team_id], "cohorts": ["child_protection"],
                            "open_on": "2026-10-01", "n": 4}
    assert (draw.requested, draw.frame_size, draw.skipped_recent) == (4, 6, 0)
    drawn = db.session.scalars(db.select(Audit).where(Audit.draw_id == draw.id)).all()
    assert len(drawn) == 4
    assert all("child_protection" in a.case.cohorts for a in drawn)

    page = client.get(response.headers["Location"])
    assert f"4 cases drawn with seed {draw.seed}." in banner(page)
    cells = [c.get_text(" ", strip=True)
             for c in page.soup.select("#draws ~ table tbody tr")[0].find_all(["th", "td"])]
    # NumPy promises the same stream from a seed only within a version: shown beside the seed.
    assert draw.numpy_version == numpy.__version__
    assert cells[0] == "Draw 1" and cells[3:5] == [str(draw.seed), numpy.__version__]
    assert cells[5] == ("Teams: Macclesfield CIN/CP; cohorts: Child protection; "
                        "open on 1 October 2026")
    assert cells[6:] == ["6", "0", "4", "4"]
    assert ("the same seed and filter, applied to the same case register with the same NumPy "
            "version, draw the same cases") in page.text
    how_chosen = [tr.find_all("td")[4].get_text(strip=True)
                  for tr in page.soup.select("#allocations + table tbody tr")]
    assert how_chosen == ["Draw 1"] * 4
    [event] = events("drawn", "programme_draw")
    assert event.after["seed"] == str(draw.seed)
    assert event.after["numpy_version"] == numpy.__version__
    assert event.after["frame_size"] == 6 and event.after["drawn"] == 4
    assert len(events("allocated", "audit")) == 4


def test_draw_form_errors_are_specific(client, login, programme, users):
    login("moderator")
    page = f"/programmes/{programme.id}/draw"
    empty = client.submit(page, {})
    assert error_summary(empty) == ["Enter the number of cases to draw",
                                    "Select at least one auditor"]
    bad = client.submit(page, {"requested": "0", "seed": "abc", "open_on": ["1", "", ""],
                               "auditor_ids": [str(users["auditor"].id)]})
    assert error_summary(bad) == [
        "The open on date must include a month and a year",
        "Number of cases must be from 1 to 1000",
        "Seed must be a whole number, like 20220701",
    ]
    nothing = client.submit(page, {"requested": "3", "auditor_ids": [str(users["auditor"].id)]})
    assert error_summary(nothing) == ["No cases match this filter"]
    assert programme.draws == []


def test_a_refused_draw_keeps_its_seed_so_the_corrected_draw_is_the_same(
        client, login, programme, users):
    sam, aisha = users["manager"], users["auditor"]
    for i in range(5):
        factories.make_case(f"LCS-{7000 + i}", team_name="Crewe CIN/CP")
    db.session.add(Setting(key="conflict_of_interest", value="block"))
    db.session.commit()
    login("moderator")
    page = f"/programmes/{programme.id}/draw"
    form = {"requested": "2", "auditor_ids": [str(sam.id)]}
    refused = client.submit(page, form)
    [message] = error_summary(refused)
    assert message.startswith("Every auditor you selected manages the team of case LCS-70")
    seed = refused.soup.find(id="seed")["value"]
    assert seed.isdigit()
    assert programme.draws == [] and db.session.scalar(db.select(db.func.count(Audit.id))) == 0
    made = client.submit(page, {**form, "seed": seed, "auditor_ids": [str(sam.id), str(aisha.id)]})
    assert made.status_code == 302
    db.session.expire_all()
    [draw] = programme.draws
    assert draw.seed == int(seed)
    assert {a.auditor_id for a in programme.audits} == {aisha.id}


# --- permissions and settings ----------------------------------------------------------------


def test_leaders_read_programmes_but_cannot_change_them(client, login, programme, users):
    factories.make_case("LCS-8008")
    db.session.commit()
    login("leader")
    page = client.get(f"/programmes/{programme.id}")
    assert page.status_code == 200
    assert page.soup.find("a", string="Allocate a case") is None
    assert page.soup.find(string="Edit programme") is None
    assert client.get("/programmes/").soup.find("a", string="Start a programme") is None
    nav = [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__link")]
    assert "Programmes" in nav
    for url in (f"/programmes/{programme.id}/allocate", f"/programmes/{programme.id}/draw",
                f"/programmes/{programme.id}/edit", "/programmes/new"):
        response = client.submit(url, {"case_reference": "LCS-8008"},
                                 page=f"/programmes/{programme.id}")
        assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(Audit.id))) == 0


def test_auditors_and_managers_do_not_see_programmes(client, login, programme):
    login("auditor")
    assert client.get("/programmes/").status_code == 403
    nav = [a.get_text(strip=True) for a in client.get("/").soup.select(
        ".govuk-service-navigation__link")]
    assert "Programmes" not in nav


def test_admin_changes_the_conflict_of_interest_setting_and_it_is_logged(client, login, users):
    admin = login("admin")
    form = client.get("/admin/settings")
    assert form.soup.find("input", attrs={"value": "warn"}).has_attr("checked")
    empty = client.submit("/admin/settings", {})
    assert empty.soup.title.get_text().startswith("Error: Settings")
    assert error_summary(empty) == [
        "Select what happens when an auditor is allocated a case from a team they manage"]
    response = client.submit("/admin/settings", {"conflict_of_interest": "block"})
    assert response.status_code == 302
    assert db.session.get(Setting, "conflict_of_interest").value == "block"
    [event] = events("updated", "setting")
    assert (event.before, event.after, event.actor_id) == (
        {"conflict_of_interest": "warn"}, {"conflict_of_interest": "block"}, admin.id)
    page = client.get(response.headers["Location"])
    assert "Settings saved." in banner(page)
    assert page.soup.find("input", attrs={"value": "block"}).has_attr("checked")
    tampered = client.submit("/admin/settings", {"conflict_of_interest": "ignore"})
    assert tampered.status_code == 200
    assert db.session.get(Setting, "conflict_of_interest").value == "block"


def _queries_to_show(client, url):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_programme_page_makes_as_many_queries_for_many_allocations_as_for_few(
        client, login, programme, users):
    login("moderator")

    def add(start, n):
        for i in range(start, start + n):
            factories.make_audit(programme, factories.make_case(f"LCS-{9000 + i}"),
                                 users["auditor"])
        factories.make_case(f"DRAWN-{start}")
        services.draw_cases(programme, flt=services.DrawFilter(), requested=1, seed=i,
                            auditor_ids=[users["auditor"].id], include_recent=True)
        db.session.commit()

    add(0, 2)
    few = _queries_to_show(client, f"/programmes/{programme.id}")
    add(2, 20)
    assert _queries_to_show(client, f"/programmes/{programme.id}") == few
    assert _queries_to_show(client, "/programmes/") <= few
