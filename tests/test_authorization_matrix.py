"""Every route against every role, from one table per area: tests/authz/<area>.csv.

A route that is missing from the tables fails `test_every_route_is_in_the_matrix`, so each
new view has to say who may use it. Each area's tests/authz/<area>.py has
`placeholders(users)`, which makes the records its paths need and returns their ids.
Each cell is exact: a status code, "login", or "302 /where", so a route that redirects a
user it should refuse fails.
"""

import csv
import importlib
from pathlib import Path
from urllib.parse import urlsplit

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


def outcome(response):
    """What a request got, as the matrix writes it: "200", "403", "404", ...; "login" for a
    redirect to the sign-in page; "302 /where" for any other redirect."""
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response.headers["Location"])
        if location.path == "/sign-in":
            return "login"
        where = location.path + (f"?{location.query}" if location.query else "")
        return f"{response.status_code} {where}"
    return str(response.status_code)


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
    failures = []
    for row in load_matrix():
        client = app.test_client()
        if role != "anonymous":
            client.post("/sign-in", data={"email": users[role].email, "password": TEST_PASSWORD})
        path = row["path"].format(**ids)
        response = client.open(path, method=row["method"], data={})
        expected = row[role].format(**ids)
        got = outcome(response)
        if got != expected:
            failures.append(f"{row['method']} {path}: expected {expected}, got {got}")
    assert failures == []


def test_a_redirect_is_not_taken_for_a_page_or_a_refusal():
    from flask import Response

    assert outcome(Response(status=302, headers={"Location": "/"})) == "302 /"
    assert outcome(Response(status=302, headers={"Location": "/sign-in?next=%2Fa"})) == "login"
    assert outcome(Response(status=303, headers={"Location": "http://x/b?c=1"})) == "303 /b?c=1"
    assert outcome(Response(status=403)) == "403"
    assert outcome(Response(status=200)) == "200"
