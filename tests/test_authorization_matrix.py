"""Every route against every role, from one table per area: tests/authz/<area>.csv.

A route that is missing from the tables fails `test_every_route_is_in_the_matrix`, so each
new view has to say who may use it. Each area's tests/authz/<area>.py has
`placeholders(users)`, which makes the records its paths need and returns their ids.
"""

import csv
import importlib
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD
from tests.pages import CheckingClient

MATRIX_DIR = Path(__file__).with_name("authz")
ROLES = ["anonymous", "admin", "auditor", "moderator", "practice_lead", "manager", "leader"]


def load_matrix():
    rows = []
    for path in sorted(MATRIX_DIR.glob("*.csv")):
        lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
        rows.extend(csv.DictReader(lines))
    return rows


def matrix_ids(users):
    """Values for the {placeholders} in the matrix's paths: real records of each kind."""
    ids = {}
    for path in sorted(MATRIX_DIR.glob("*.py")):
        if path.stem != "__init__":
            module = importlib.import_module(f"tests.authz.{path.stem}")
            ids.update(module.placeholders(users))
    return ids


def test_every_route_is_in_the_matrix(app):
    listed = {(row["endpoint"], row["method"]) for row in load_matrix()}
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - listed == set(), "routes missing from tests/authz/*.csv"
    assert listed - routes == set(), "rows in tests/authz/*.csv for routes that do not exist"


@pytest.mark.parametrize("role", ROLES)
def test_role_gets_what_the_matrix_says(app, users, role):
    app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check has its own tests
    app.test_client_class = CheckingClient
    ids = matrix_ids(users)
    cookie = app.config["SESSION_COOKIE_NAME"]
    signed_in = None  # the session cookie just after signing in, given to each row's client
    if role != "anonymous":
        signing_in = app.test_client()
        signing_in.post("/sign-in", data={"email": users[role].email, "password": TEST_PASSWORD})
        signed_in = signing_in.get_cookie(cookie).value
    failures = []
    for row in load_matrix():
        client = app.test_client()
        if signed_in:
            client.set_cookie(cookie, signed_in)
        path = row["path"].format(**ids)
        response = client.open(path, method=row["method"], data={})
        expected = row[role]
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith("/sign-in"):
            got = "login"
        elif response.status_code in (200, 302, 303):
            got = "ok"
        else:
            got = str(response.status_code)
        if got != expected:
            failures.append(f"{row['method']} {path}: expected {expected}, got {got}")
    assert failures == []
