"""Journey: a practice lead starts a dip sample from their home page, draws it, finds an action
the manager completed not followed up, and the manager then sees it reopened on their home
page. Every page on the way is checked with axe-core."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from audit_app import timeutil
from audit_app.actions import workflow
from audit_app.extensions import db
from audit_app.models import Action, User
from tests.action_factories import open_action

pytestmark = pytest.mark.browser


@pytest.fixture
def completed(live_server):
    """An action on a Crewe CIN/CP case, owned by the demo manager, who completed it five days
    ago; the only action to check in the window the practice lead chooses."""
    today = timeutil.today()
    with live_server.app.app_context():
        people = {u.email.split("@")[0]: u for u in db.session.scalars(db.select(User))}
        action = open_action(people["auditor"], reference="LCS-7201",
                             raised_on=today - timedelta(days=40))
        done_on = today - timedelta(days=5)
        workflow.complete(action, people["manager"], action.row_version, done_on,
                          f"Case note added to the child's record on {done_on:%d/%m/%Y}",
                          today=today)
        db.session.commit()
        found = action.id
        db.session.remove()
    return found


def fill_date(page, group, day):
    when = page.get_by_role("group", name=group)
    when.get_by_label("Day").fill(str(day.day))
    when.get_by_label("Month").fill(str(day.month))
    when.get_by_label("Year").fill(str(day.year))


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_practice_lead_finds_an_action_not_followed_up_and_the_manager_sees_it_reopened(
        new_journey, live_server, completed, javascript):
    today = timeutil.today()
    lead = new_journey(java_script_enabled=javascript)
    page = lead.page
    lead.goto("/")
    lead.sign_in("practicelead@example.org.uk")
    panel = page.locator("section", has=page.locator("#panel-dip_samples"))
    expect(panel).to_contain_text("You have no dip samples in progress.")
    lead.click_link("Start a dip sample")

    fill_date(page, "Due or completed from", today - timedelta(days=60))
    fill_date(page, "Due or completed up to", today)
    page.get_by_label("Team").select_option(label="Crewe CIN/CP")
    lead.click_button("Create dip sample")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dip sample, {today:%B %Y}")
    expect(page.locator("main")).to_contain_text("1 case can be drawn now.")

    lead.click_button("Draw the cases")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 case drawn from a frame of 1.")
    lead.click_link("LCS-7201", exact=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dip sample of case LCS-7201")

    lead.click_button("Record what you found for action 1")  # a link styled as a button
    lead.click_button("Save check")  # nothing chosen: the error, not a 500
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what you found")
    page.get_by_label("Not followed up").check()
    lead.fill("What did you see on the child's record?", "No case note since the audit.")
    lead.fill("What difference has it made for the child?", "The plan is still out of date.")
    fill_date(page, "New due date", today + timedelta(days=14))
    lead.fill("What still needs to be done?", "Update the plan and record it on the file.")
    lead.click_button("Save check")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The action is open again for its owner.")
    expect(page.locator("main")).to_contain_text("Not followed up, checked")

    manager = new_journey(java_script_enabled=javascript)
    manager.goto("/")
    manager.sign_in("manager@example.org.uk")
    actions = manager.page.locator("section", has=manager.page.locator("#panel-actions"))
    item = actions.get_by_role("listitem").filter(has_text="LCS-7201")
    expect(item).to_contain_text("Reopened")
    manager.click_link(f"Case LCS-7201: due {today + timedelta(days=14):%-d %B %Y}")
    expect(manager.page.locator("main")).to_contain_text(
        "Reopened: a dip sample found it not followed up")

    with live_server.app.app_context():
        action = db.session.get(Action, completed)
        assert (action.status, action.due_on) == ("open", today + timedelta(days=14))
        db.session.remove()
