"""Every route against every role, from one table: tests/authz_matrix.csv.

A route that is missing from the table fails `test_every_route_is_in_the_matrix`, so each
new view has to say who may use it.
"""

import csv
from pathlib import Path

import pytest

from audit_app.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.pages import CheckingClient

MATRIX = Path(__file__).with_name("authz_matrix.csv")
ROLES = ["anonymous", "admin", "auditor", "moderator", "practice_lead", "manager", "leader"]


def load_matrix():
    lines = [line for line in MATRIX.read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def matrix_ids(users):
    """Values for the {placeholders} in the matrix's paths: one real record of each kind."""
    from audit_app.models import Service, Team

    team = db.session.scalar(db.select(Team).order_by(Team.id))
    return {
        "user_id": users["auditor"].id,
        "team_id": team.id,
        "service_id": db.session.scalar(db.select(Service.id).order_by(Service.id)),
    }


def test_every_route_is_in_the_matrix(app):
    listed = {(row["endpoint"], row["method"]) for row in load_matrix()}
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - listed == set(), "routes missing from tests/authz_matrix.csv"
    assert listed - routes == set(), "rows in tests/authz_matrix.csv for routes that do not exist"


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
