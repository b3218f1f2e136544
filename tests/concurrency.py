"""Real concurrent requests: the app on a live threaded server, signed-in HTTP clients, and
a barrier so that requests leave at the same moment.

Fixture
- live_app: the test's app (tests/conftest.py `app`, seeded with the demo organisation by
  `users`) served on 127.0.0.1 by a threaded werkzeug server. Each request runs in its own
  server thread with its own database session, as in production.
  live_app.client("auditor") is a new signed-in browser (a requests.Session with its own
  cookies) for the demo user with that role; call it twice for two tabs or two people.

Helpers
- at_once(call, call, ...): runs each call in its own thread, all released together by a
  threading.Barrier, and returns their results in order.
- WebClient.form(path): the hidden inputs (CSRF token, row version, form token) of the POST
  form on a page, as a browser would send them. The CSRF token lasts the whole session, so
  a test firing many tries may read the form once and set the row version itself.

The test thread keeps its own session: commit after setting up, and read results with
column queries (or after db.session.expire_all()) so they come from the database.
"""

import threading
from dataclasses import dataclass

import pytest
import requests
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.pages import hidden_inputs

TIMEOUT = 60


class WebClient:
    """One browser: its own cookies, talking HTTP to the live server. Redirects are not
    followed, so a test sees each response as the server sent it."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path):
        return self.http.get(self.base_url + path, allow_redirects=False, timeout=TIMEOUT)

    def post(self, path, data):
        return self.http.post(self.base_url + path, data=data, allow_redirects=False,
                              timeout=TIMEOUT)

    def form(self, path, action=None):
        """The hidden inputs of the POST form on the page at `path` posting to `action`
        (the page itself by default)."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return hidden_inputs(response.text, action or path)

    def sign_in(self, email, password):
        data = self.form("/sign-in")
        response = self.post("/sign-in", {**data, "email": email, "password": password})
        assert response.status_code == 302, response.text
        return self


@dataclass(frozen=True)
class LiveApp:
    url: str
    app: Flask
    users: dict

    def client(self, role=None):
        """A new browser, signed in as the demo user with `role` (anonymous when None)."""
        from tests.conftest import TEST_PASSWORD

        browser = WebClient(self.url)
        return browser.sign_in(self.users[role].email, TEST_PASSWORD) if role else browser


def at_once(*calls):
    """Run the calls in parallel threads released together; their results, in order.

    An exception in any call is raised here once all have finished.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = call()
        except BaseException as error:  # re-raised in the test thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, call), daemon=True)
               for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a concurrent request did not finish")
    if errors:
        raise errors[0]
    return results


class QuietHandler(WSGIRequestHandler):
    """No access-log line per request: hundreds of requests would bury a failure's output."""

    def log_request(self, code="-", size="-"):
        pass


@pytest.fixture
def live_app(app, users):
    """The test's app served by a threaded server on a free port (see the module doc)."""
    from audit_app.extensions import db

    db.session.commit()  # nothing of the test's own transaction stays open
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", app, users)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
