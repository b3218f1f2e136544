"""Journey: an auditor signs in, sees their work, and signs out (with and without JavaScript)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AUDITOR = "auditor@example.org.uk"


def test_auditor_signs_in_and_out(journey, live_server):
    page = journey.page

    # Opening the site sends a signed-out visitor to sign in.
    journey.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))
    expect(page).to_have_title(re.compile(r"^Sign in - "))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sign in to continue.")
    # GOV.UK Frontend's JavaScript ran under the CSP (app.js sets these classes, then initAll).
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))

    # An empty form: the error summary names each field, takes focus, and links to the fields.
    journey.click_button("Sign in")
    expect(page).to_have_title(re.compile(r"^Error: Sign in - "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    email_link = summary.get_by_role("link", name="Enter your email address")
    password_link = summary.get_by_role("link", name="Enter your password")
    expect(email_link).to_have_attribute("href", "#email")
    expect(password_link).to_have_attribute("href", "#password")
    expect(page.locator("#email-error")).to_contain_text("Enter your email address")
    email_link.click()
    expect(page.get_by_label("Email address")).to_be_focused()
    password_link.click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()

    # The demo auditor signs in and lands on their home page.
    journey.sign_in(AUDITOR)
    expect(page).to_have_title(re.compile(r"^Home - "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    expect(page.get_by_role("heading", name="Audits to complete")).to_be_visible()
    expect(page.locator("header")).to_contain_text("Aisha Auditor")

    # Sign out from the header.
    journey.click_button("Sign out")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # Signed out means signed out: home sends us back to sign in.
    journey.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))
    assert journey.pages_checked == 5
    # Not even the browser's own requests (such as /favicon.ico) went unanswered.
    assert live_server.errors() == []


def test_sign_in_and_out_work_without_javascript(new_journey):
    journey = new_journey(java_script_enabled=False)
    page = journey.page

    journey.goto("/sign-in")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))

    journey.click_button("Sign in")
    expect(page).to_have_title(re.compile(r"^Error: Sign in - "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")

    journey.sign_in(AUDITOR)
    expect(page.get_by_role("heading", name="Audits to complete")).to_be_visible()

    journey.click_button("Sign out")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
