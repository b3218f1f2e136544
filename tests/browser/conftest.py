"""Browser journeys: a live server on a fresh database, a real headless Chromium, axe-core.

Fixtures
- browser (session): Playwright's Chromium, Debian's /usr/bin/chromium. Missing: the test
  is skipped with install instructions, or fails when CI is set.
- live_config: overrides for the live server's app configuration ({} unless a module says).
- live_server: the app on its own fresh database (tests/conftest.py's database_url), from
  the snapshot seeded with the demo organisation and accounts (password TEST_PASSWORD),
  served on 127.0.0.1 by a thread. live_server.url, live_server.app, and
  live_server.responses: (method, path, status) of every request the server answered,
  including those the page cannot see (e.g. the browser's own /favicon.ico).
- base_url: live_server.url.
- new_journey(**context_options): a Journey (tests/browser/journey.py) in a new browser
  context on the live server, e.g. new_journey(java_script_enabled=False).
- journey: new_journey() with the defaults.

Every test in tests/browser gets the `browser` marker. When one fails, a full-page
screenshot of each of its pages is saved to test-artifacts/<test name>.png.
"""

import os
import re
import threading
from dataclasses import dataclass, field

import pytest
from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from audit_app.extensions import db
from tests.browser.journey import Journey
from tests.conftest import _make_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
INSTALL_HINT = "sudo apt-get install chromium chromium-driver"
STEP_TIMEOUT_MS = 10_000
BROWSER_DIR = os.path.dirname(__file__)
PAGES = pytest.StashKey[list]()


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.path).startswith(BROWSER_DIR + os.sep):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = f"Chromium is not installed at {CHROMIUM}. Install it with: {INSTALL_HINT}"
        if in_ci():
            pytest.fail(f"{message} (CI is set: a missing browser is a failure)", pytrace=False)
        pytest.skip(f"browser tests skipped: {message}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask
    responses: list = field(default_factory=list)

    def errors(self):
        """The (method, path, status) of every 4xx and 5xx answered so far."""
        return [r for r in self.responses if r[2] >= 400]


def recording(wsgi_app, responses):
    """WSGI middleware appending (method, path, status) to responses for every request."""

    def app(environ, start_response):
        def record_status(status, headers, exc_info=None):
            responses.append(
                (environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), int(status[:3]))
            )
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, record_status)

    return app


@pytest.fixture
def live_config():
    """Configuration for the live server's app; a test module overrides it (single sign-on)."""
    return {}


@pytest.fixture
def live_server(database_url, live_config):
    # seeded: tests/conftest.py's SEEDED_BY names live_server
    app = _make_app(database_url, **live_config)
    responses = []
    server = make_server("127.0.0.1", 0, recording(app, responses), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # links in emails, and where single sign-on comes back to
    try:
        yield LiveServer(url, app, responses)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def base_url(live_server):
    return live_server.url


@pytest.fixture
def new_journey(browser, base_url, request):
    contexts = []

    def start(**context_options):
        context = browser.new_context(base_url=base_url, **context_options)
        contexts.append(context)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = context.new_page()
        request.node.stash.setdefault(PAGES, []).append(page)
        javascript = context_options.get("java_script_enabled", True)
        return Journey(page, name=_safe_name(request.node.name), javascript=javascript)

    yield start
    for context in contexts:
        context.close()


@pytest.fixture
def journey(new_journey):
    return new_journey()


def _safe_name(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        pages = [page for page in item.stash.get(PAGES, []) if not page.is_closed()]
        folder = item.config.rootpath / "test-artifacts"
        for number, page in enumerate(pages, start=1):
            suffix = "" if number == 1 else f"-{number}"
            path = folder / f"{_safe_name(item.name)}{suffix}.png"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=path, full_page=True)
            except PlaywrightError as error:
                report.sections.append(("browser screenshot", f"not saved: {error}"))
            else:
                report.sections.append(("browser screenshot", str(path)))
    return report
