"""A test client that checks every HTML page it receives, and submits forms like a browser.

Every view test goes through this client, so every page is checked for: exactly one
<h1>; a <title> that starts with the h1 text (after an "Error: " prefix when the form has
errors); no duplicate ids; a CSRF token in every POST form.
"""

from collections import Counter

from bs4 import BeautifulSoup
from flask.testing import FlaskClient


class PageError(AssertionError):
    pass


def check_page(html, csrf=True):
    soup = BeautifulSoup(html, "html.parser")
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        raise PageError(f"expected exactly one <h1>, found {len(h1s)}")
    heading = " ".join(h1s[0].get_text().split())
    title = soup.title.get_text().strip() if soup.title else ""
    has_errors = soup.select_one(".govuk-error-summary") is not None
    if title.startswith("Error: "):
        if not has_errors:
            raise PageError("title starts with 'Error: ' but the page shows no error summary")
        title = title.removeprefix("Error: ")
    if not title.startswith(heading):
        raise PageError(f"<title> {title!r} does not start with the <h1> {heading!r}")
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    if duplicates:
        raise PageError(f"duplicate ids: {duplicates}")
    for form in soup.find_all("form") if csrf else []:
        if (form.get("method") or "get").lower() == "post" and not form.find(
            "input", attrs={"name": "csrf_token"}
        ):
            raise PageError(f"a POST form has no CSRF token: {str(form)[:200]}")
    return soup


def csrf_token_from(html):
    soup = BeautifulSoup(html, "html.parser")
    field = soup.find("input", attrs={"name": "csrf_token"})
    if field is None:
        raise PageError("no CSRF token on the page")
    return field["value"]


def hidden_inputs(html, action_path):
    """Hidden inputs of the POST form that posts to action_path (or to its own page)."""
    soup = BeautifulSoup(html, "html.parser")
    for form in soup.find_all("form", method=lambda m: m and m.lower() == "post"):
        action = form.get("action")
        if action is None or action == "" or action.split("?")[0] == action_path:
            return {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    return {"csrf_token": csrf_token_from(html)}


class CheckingClient(FlaskClient):
    def open(self, *args, **kwargs):
        # Each request gets its own app context (so its own `g` and database session), as
        # in a real server, rather than sharing the test's.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and response.status_code != 302:
            csrf = self.application.config.get("WTF_CSRF_ENABLED", True)
            response.soup = check_page(response.get_data(as_text=True), csrf=csrf)
        return response

    def submit(self, url, data, page=None, **kwargs):
        """Open the page holding the form (url itself by default) and post it as a browser would.

        The form's hidden inputs (CSRF token, record version) are sent with `data`, which
        overrides them.
        """
        html = self.get(page or url).get_data(as_text=True)
        hidden = hidden_inputs(html, url.split("?")[0])
        return self.post(url, data={**hidden, **data}, **kwargs)
