"""Journey: a team manager finds an overdue action on their home page and completes it with
the evidence on the child's record. Every page on the way is checked with axe-core."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from audit_app import timeutil
from audit_app.extensions import db
from audit_app.models import Action, User
from tests.action_factories import open_action

pytestmark = pytest.mark.browser


@pytest.fixture
def overdue_action(live_server):
    """An action on a Crewe CIN/CP case, owned by the demo manager, due 2 February 2026
    (20 working days after 5 January), so overdue today."""
    with live_server.app.app_context():
        auditor = db.session.scalar(db.select(User).where(User.email == "auditor@example.org.uk"))
        action = open_action(auditor, reference="LCS-7101", raised_on=date(2026, 1, 5))
        db.session.commit()
        found = (action.id, action.due_on)
        db.session.remove()
    return found


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_manager_completes_an_action_with_evidence(new_journey, live_server, overdue_action,
                                                     javascript):
    action_id, due_on = overdue_action
    journey = new_journey(java_script_enabled=javascript)
    page = journey.page
    journey.goto("/")
    journey.sign_in("manager@example.org.uk")
    panel = page.locator("section", has=page.locator("#panel-actions"))
    item = panel.get_by_role("listitem").filter(has_text="LCS-7101")
    expect(item).to_contain_text("Overdue")
    journey.click_link(f"Case LCS-7101: due {due_on:%-d %B %Y}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action on case LCS-7101")

    journey.click_button("Complete this action")  # a link styled as a button
    journey.click_button("Complete action")  # nothing filled in: the errors, not a 500
    expect(page).to_have_title(re.compile(r"^Error: Complete action"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the action was done")

    done = timeutil.today()
    when = page.get_by_role("group", name="Date done")
    when.get_by_label("Day").fill(str(done.day))
    when.get_by_label("Month").fill(str(done.month))
    when.get_by_label("Year").fill(str(done.year))
    journey.fill("How is it evidenced on the child's record?",
                 f"Case note added to the child's record on {done:%d/%m/%Y}")
    journey.click_button("Complete action")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action completed.")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Completed")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Case note added")

    with live_server.app.app_context():
        action = db.session.get(Action, action_id)
        assert action.status == "completed" and action.completed_on == done
        assert action.completed_by.email == "manager@example.org.uk"
        db.session.remove()
