"""Journey: an admin sets a target, and a leader reads the agreement report and how its
figures are counted. axe-core runs on every page; no JavaScript is needed."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_admin_sets_a_target_and_a_leader_reads_how_figures_are_counted(new_journey,
                                                                         live_server):
    admin = new_journey(java_script_enabled=False)
    page = admin.page
    admin.goto("/")
    admin.sign_in("admin@example.org.uk")
    admin.click_link("Targets", exact=True)
    admin.click_button("Add a target")
    admin.click_button("Save target")  # nothing filled in: every field says what it needs
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a figure")
    page.get_by_label("Figure").select_option(label="Auditors' overall judgements agreed by "
                                                    "moderation")
    page.get_by_label("Applies to").select_option(label="The whole council")
    admin.fill("Target (%)", "90")
    admin.fill("Day", "1")
    admin.fill("Month", "9")
    admin.fill("Year", "2022")
    admin.fill("Source", "ILACS action plan, recommendation 2")
    admin.click_button("Save target")
    expect(page.get_by_role("table")).to_contain_text("ILACS action plan, recommendation 2")
    admin.click_link("Auditors' overall judgements agreed by moderation", exact=False)
    expect(page.get_by_label("Target (%)")).to_have_value("90")

    leader = new_journey()
    page = leader.page
    leader.goto("/")
    leader.sign_in("leader@example.org.uk")
    leader.goto("/reports/agreement?period_from=2022-Q2&period_to=2022-Q2")
    expect(page.locator("main")).to_contain_text("No data to judge against 90%")
    leader.click_link("how figures are counted", exact=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("How figures are counted")
    expect(page.locator("main")).to_contain_text("ILACS action plan, recommendation 2")
    leader.goto("/")
    leader.click_link("How figures are counted", exact=True)  # from the footer, anywhere
