"""Targets as data: admins add and change them (once per form, with the version the page
showed, every change logged); seed-demo loads the reference action plan's."""

from datetime import date

import pytest
from sqlalchemy import func, select

from audit_app.admin import targets as services
from audit_app.extensions import db
from audit_app.measures.targets import in_force
from audit_app.models import Event, Target
from tests import factories
from tests.concurrency import at_once
from tests.test_double_posts import assert_one_outcome, count

PAGE = "/admin/targets/new"
GOOD_FORM = {"measure": "agreement", "applies_to": "all:", "rate": "90",
             "applies_from": ["1", "9", "2022"],
             "source": "ILACS action plan, recommendation 2"}


def _errors(response):
    return [a.get_text(" ", strip=True) for a in response.soup.select(
        ".govuk-error-summary__list a")]


def test_admin_adds_a_target_and_it_is_logged_and_shown(client, login, users):
    login("admin")
    assert "/admin/targets" in client.get("/").text  # in the admin's navigation
    response = client.submit(PAGE, GOOD_FORM)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/targets"
    target = db.session.scalar(select(Target))
    assert (target.measure, target.scope_kind, target.scope_ref, target.rate,
            target.applies_from) == ("agreement", "all", "", 0.9, date(2022, 9, 1))
    event = db.session.scalar(select(Event).where(Event.entity_type == "target"))
    assert event.action == "created" and event.after["rate"] == 0.9
    assert event.actor_id == users["admin"].id
    listing = client.get("/admin/targets").text
    assert "Auditors&#39; overall judgements agreed by moderation" in listing
    assert "90%" in listing and "1 September 2022" in listing
    assert "ILACS action plan, recommendation 2" in client.get(
        "/reports/how-figures-are-counted").text


def test_a_team_target_and_a_cohort_target(client, login, users):
    login("admin")
    team = factories.team("Crewe CIN/CP")
    client.submit(PAGE, {**GOOD_FORM, "measure": "good_or_better",
                         "applies_to": f"team:{team.id}", "rate": "72.5%"})
    client.submit(PAGE, {**GOOD_FORM, "measure": "good_or_better",
                         "applies_to": "cohort:private_fostering"})
    found = in_force(["good_or_better"], date(2022, 9, 30))
    assert found.find("good_or_better", [("team", str(team.id))]).rate == 0.725
    assert found.find("good_or_better", [("cohort", "private_fostering")]).rate == 0.9
    assert found.find("good_or_better") is None  # no whole-council target


@pytest.mark.parametrize(("change", "message"), [
    ({"measure": ""}, "Select a figure"),
    ({"measure": "moderation_coverage"}, "Select a figure from the list"),
    ({"measure": "nonsense"}, "Select a figure from the list"),
    ({"applies_to": ""}, "Select what the target applies to"),
    ({"applies_to": "team:999999"}, "Select what the target applies to from the list"),
    ({"rate": ""}, "Enter the target, like 90 for 90%"),
    ({"rate": "   "}, "Enter the target, like 90 for 90%"),
    ({"rate": "ninety"}, "Target must be a percentage, like 90 or 92.5"),
    ({"rate": "\uff19\uff10"}, "Target must be a percentage, like 90 or 92.5"),  # full-width
    ({"rate": "1e309"}, "Target must be a percentage, like 90 or 92.5"),
    ({"rate": "99999999999999999999"}, "Target must be a percentage, like 90 or 92.5"),
    ({"rate": "0"}, "Target must be more than 0% and less than 100%"),
    ({"rate": "100"}, "Target must be more than 0% and less than 100%"),
    ({"rate": "150"}, "Target must be more than 0% and less than 100%"),
    ({"applies_from": ["", "", ""]}, "Enter the date the target applies from"),
    ({"applies_from": ["31", "2", "2022"]}, "The date it applies from must be a real date"),
    ({"applies_from": ["1", "1", "1800"]}, "must be between 1 January 1900 and 31 December 2099"),
    ({"applies_from": ["1", "1", "9999"]}, "must be between 1 January 1900 and 31 December 2099"),
    ({"source": "   "}, "Enter where the target comes from"),
    ({"source": "x" * 301}, "Source must be 300 characters or fewer"),
    ({"source": "ILACS\x00plan"}, "Source must not include hidden control characters"),
])
def test_bad_input_gets_a_specific_message_and_nothing_is_saved(client, login, users, change,
                                                                 message):
    login("admin")
    response = client.submit(PAGE, {**GOOD_FORM, **change})
    assert response.status_code == 200
    assert any(message in error for error in _errors(response)), _errors(response)
    assert count(Target) == 0 and count(Event, Event.entity_type == "target") == 0


def test_the_same_target_twice_is_refused(client, login, users):
    login("admin")
    assert client.submit(PAGE, GOOD_FORM).status_code == 302
    again = client.submit(PAGE, {**GOOD_FORM, "rate": "85"})
    assert "There is already a target for this figure" in " ".join(_errors(again))
    assert count(Target) == 1


def test_changing_a_target_needs_the_version_the_page_showed(client, login, users):
    login("admin")
    client.submit(PAGE, GOOD_FORM)
    target = db.session.scalar(select(Target))
    page = f"/admin/targets/{target.id}"
    form = client.get(page).soup
    assert form.select_one("#rate")["value"] == "90"
    version = form.find("input", attrs={"name": "version"})["value"]
    base = {**GOOD_FORM, "version": version}
    assert client.submit(page, {**base, "rate": "85"}).status_code == 302
    stale = client.submit(page, {**base, "rate": "95"})
    assert "Someone else changed this target while you were editing it" in stale.text
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in stale.soup.select(
        ".govuk-error-summary tbody tr")]
    assert rows == [["Target (%)", "85%", "95%"]]
    db.session.expire_all()
    assert db.session.get(Target, target.id).rate == 0.85
    new_version = stale.soup.find("input", attrs={"name": "version"})["value"]
    assert client.submit(page, {**base, "rate": "95", "version": new_version}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Target, target.id).rate == 0.95
    updates = db.session.scalars(select(Event).where(Event.entity_type == "target",
                                                     Event.action == "updated")).all()
    assert [(e.before, e.after) for e in updates] == [
        ({"rate": 0.9}, {"rate": 0.85}), ({"rate": 0.85}, {"rate": 0.95})]
    missing = client.submit(page, {**GOOD_FORM, "version": ""})
    assert "while you were editing it" in missing.text


def test_three_posts_of_the_new_target_form_add_one(live_app):
    admin = live_app.client("admin")
    data = {**admin.form(PAGE), **GOOD_FORM}
    responses = at_once(*[(lambda: admin.post(PAGE, data)) for _ in range(3)])
    assert_one_outcome(responses)
    assert count(Target) == 1
    assert count(Event, Event.entity_type == "target") == 1


def test_two_saves_of_one_target_at_once_overwrite_nothing(live_app):
    target = services.create_target(measure="agreement", scope_kind="all", scope_ref="",
                                    rate=0.9, applies_from=date(2022, 9, 1), source="Plan")
    db.session.commit()
    path = f"/admin/targets/{target.id}"
    tabs = [live_app.client("admin"), live_app.client("admin")]
    pages = [tab.form(path) for tab in tabs]
    for attempt in range(3):
        seen = db.session.scalar(select(Target.row_version).where(Target.id == target.id))
        rates = [str(50 + attempt * 2 + tab) for tab in (0, 1)]
        responses = at_once(*[
            (lambda tab=tab, page=page, rate=rate, seen=seen: tab.post(
                path, {**page, **GOOD_FORM, "version": seen, "rate": rate}))
            for tab, page, rate in zip(tabs, pages, rates, strict=True)])
        statuses = [r.status_code for r in responses]
        assert sorted(statuses) == [200, 302], statuses
        winner = statuses.index(302)
        assert "while you were editing it" in responses[1 - winner].text
        stored = db.session.scalar(select(Target.rate).where(Target.id == target.id))
        assert stored == int(rates[winner]) / 100


def test_the_reference_targets_load_as_seed_demo_loads_them(app, users):
    services.load_reference_targets()  # what seed-demo does (tests/test_cli.py runs the command)
    db.session.commit()
    assert db.session.scalar(select(func.count(Target.id))) == 13
    q2_end, q1_end = date(2022, 9, 30), date(2022, 6, 30)
    assert in_force(["agreement"], q2_end).find("agreement").rate == 0.9
    assert in_force(["agreement"], q1_end).find("agreement").rate == 0.8
    assert in_force(["good_or_better"], q2_end).find(
        "good_or_better", [("cohort", "homeless_16_17")]).rate == 0.9
    assert in_force(["good_or_better"], q2_end).find("good_or_better").rate == 0.7
    assert count(Event, Event.entity_type == "target", Event.action == "created") == 13
