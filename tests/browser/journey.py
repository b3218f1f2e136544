"""A user's journey through the live app in a real browser, checked on every page.

After every page load (goto, or a click that navigates) the journey checks:
- the response status (200 unless told otherwise);
- no JavaScript errors, console errors (CSP refusals included) or failed sub-resources
  (CSS, JS, images) since the last check;
- axe-core WCAG 2.2 A and AA (tests/browser/axe.py).

Set BROWSER_SCREENSHOTS=/some/dir to also save a full-page PNG of every page checked.
"""

import os
import re
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.axe import check_a11y
from tests.conftest import TEST_PASSWORD

SCREENSHOT_DIR = os.environ.get("BROWSER_SCREENSHOTS")


class BrowserError(AssertionError):
    """The page logged an error, threw, or failed to load one of its resources."""


class Journey:
    def __init__(self, page: Page, name="journey", *, javascript=True):
        """javascript=False when the page's context was made with java_script_enabled=False."""
        self.page = page
        self.name = name
        self.javascript = javascript
        self.problems = []
        self.pages_checked = 0
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught {error}"))
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    # -- what the browser reports ------------------------------------------------------

    def _on_console(self, message):
        # Bad responses are reported (with their URL) by _on_response instead; the main
        # document's status is checked against what the step expects.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _on_response(self, response):
        if response.status >= 400 and not response.request.is_navigation_request():
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def _on_request_failed(self, request):
        if not request.is_navigation_request():
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    # -- steps -------------------------------------------------------------------------

    def goto(self, path, status=200):
        """Open path (relative to the live server), then check the page."""
        response = self.page.goto(path)
        return self._loaded(response, status)

    def click_button(self, name, status=200, **locator_options):
        """Press the button with this accessible name; it must load a page, which is checked."""
        button = self.page.get_by_role("button", name=name, **locator_options)
        return self._navigate_by(button, status)

    def click_link(self, name, status=200, **locator_options):
        """Follow the link with this accessible name to another page, which is checked."""
        link = self.page.get_by_role("link", name=name, **locator_options)
        return self._navigate_by(link, status)

    def fill(self, label, value, **locator_options):
        """Type value into the field with this label (no page load, so no check)."""
        self.page.get_by_label(label, **locator_options).fill(value)

    def sign_in(self, email, password=TEST_PASSWORD):
        """From the sign-in page: fill in the form and sign in."""
        self.fill("Email address", email)
        self.fill("Password", password, exact=True)
        return self.click_button("Sign in")

    def check(self):
        """Check the current page: browser errors so far, then axe."""
        self.page.wait_for_load_state("load")
        self.assert_no_browser_errors()
        check_a11y(self.page, javascript=self.javascript)
        self.pages_checked += 1
        if SCREENSHOT_DIR:
            self._screenshot(Path(SCREENSHOT_DIR))

    def assert_no_browser_errors(self):
        problems, self.problems = self.problems, []
        if problems:
            raise BrowserError(f"on {self.page.url}:\n" + "\n".join(problems))

    # -- internals ---------------------------------------------------------------------

    def _navigate_by(self, locator, status):
        with self.page.expect_navigation() as navigation:
            locator.click()
        return self._loaded(navigation.value, status)

    def _loaded(self, response, status):
        assert response is not None, f"no response loading {self.page.url}"
        assert response.status == status, (
            f"{response.url} answered {response.status}, expected {status}"
        )
        self.check()
        return response

    def _screenshot(self, folder):
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.page.url.split("//", 1)[-1].split("/", 1)[-1])
        path = folder / f"{self.name}-{self.pages_checked:02d}-{slug.strip('-') or 'root'}.png"
        self.page.screenshot(path=path, full_page=True)
