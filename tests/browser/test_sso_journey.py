"""Journey: signing in with the council account in a real browser, through a real OpenID
Connect provider on 127.0.0.1 (tests/oidc_provider.py); axe on each of our pages.

The provider's own page is not ours, so it is not checked; the stylesheet it links from a
CDN is answered inside the browser, so nothing leaves this machine.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.oidc_provider import sso_app_config

pytestmark = pytest.mark.browser

AUDITOR = "auditor@example.org.uk"


@pytest.fixture
def live_config(oidc_provider):
    return sso_app_config(oidc_provider)


def sign_in_with_council_account(journey, sub, status=200):
    """From our sign-in page: the button, the provider's page, and back to us."""
    page = journey.page
    page.context.route(re.compile(r"^(?!http://127\.0\.0\.1:)"), lambda route: route.fulfill(
        status=200, content_type="text/css", body=""))
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in with Example Council").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.locator("input[name=sub]").fill(sub)
    with page.expect_navigation() as back:
        page.get_by_role("button", name="Authorize").click()
    journey.problems.clear()  # anything the provider's page did is not ours to judge
    return journey._loaded(back.value, status)


def test_signing_in_with_the_council_account(new_journey, live_server, oidc_provider):
    oidc_provider.add_person("entra-browser-1", AUDITOR, "Aisha Auditor")
    oidc_provider.add_person("entra-browser-2", "not.here@example.org.uk", "Not Here")

    journey = new_journey()
    journey.goto("/sign-in")
    page = journey.page
    expect(page.get_by_role("button", name="Sign in with Example Council")).to_be_visible()
    sign_in_with_council_account(journey, "entra-browser-1")
    expect(page).to_have_title(re.compile(r"^Home - "))
    expect(page.locator("header")).to_contain_text("Aisha Auditor")
    journey.click_button("Sign out")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")

    # Someone the tool does not know: told to ask an administrator, without JavaScript too.
    stranger = new_journey(java_script_enabled=False)
    stranger.goto("/sign-in")
    sign_in_with_council_account(stranger, "entra-browser-2", status=403)
    expect(stranger.page.get_by_role("heading", level=1)).to_have_text(
        "You do not have an account yet")
    expect(stranger.page.locator("main")).to_contain_text("Ask your administrator to add you")
    stranger.click_link("Go to the sign-in page")
