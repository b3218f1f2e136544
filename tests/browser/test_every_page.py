"""Every page of the app, as a user allowed to see it, passes axe-core (WCAG 2.2 A and AA).

The pages come from the authorization matrix (tests/authz/*.csv), so a new route is toured
as soon as it is listed there; its records come from the same placeholders.
"""

import re
from collections import defaultdict

import pytest

from audit_app.extensions import db
from tests.conftest import demo_users_by_role
from tests.test_authorization_matrix import load_matrix, matrix_ids

pytestmark = pytest.mark.browser

# Files rather than pages: CSV, Excel and JSON downloads, and the health check's JSON.
DOWNLOAD = re.compile(r"\.(csv|xlsx|docx|json)(\?|$)|/export(\?|$)|^/healthz$")
# Who visits: the first role the matrix shows the page (200), in this order.
VISITORS = ["admin", "moderator", "auditor", "manager", "leader", "practice_lead", "anonymous"]
EMAILS = {"practice_lead": "practicelead@example.org.uk"}


def page_rows():
    """The GET rows of the matrix that are pages, each with the role that visits it."""
    rows = []
    for row in load_matrix():
        if row["method"] != "GET" or DOWNLOAD.search(row["path"]):
            continue
        visitor = next((role for role in VISITORS if row[role] == "200"), None)
        if visitor is not None:  # rows that refuse everyone (or redirect) show no page
            rows.append((visitor, row["path"]))
    return rows


PAGES_PER_TEST = 10


def tour():
    """pytest.param(visitor, paths) for each test: the matrix's pages, 10 at most at a time.

    Several tests rather than one, so that parallel test processes can share the tour.
    """
    visits = defaultdict(list)
    for role, path in page_rows():
        visits[role].append(path)
    return [
        pytest.param(role, paths[start:start + PAGES_PER_TEST], id=f"{role}-{part}")
        for role, paths in visits.items()
        for part, start in enumerate(range(0, len(paths), PAGES_PER_TEST), start=1)
    ]


def test_the_tour_takes_in_every_page():
    toured = [path for part in tour() for path in part.values[1]]
    assert sorted(toured) == sorted(path for _, path in page_rows())
    assert len(toured) >= 40


@pytest.mark.parametrize(("role", "paths"), tour())
def test_every_page_passes_axe(new_journey, live_server, role, paths):
    with live_server.app.app_context():
        ids = matrix_ids(demo_users_by_role())
        db.session.commit()
        db.session.remove()
    journey = new_journey()
    if role != "anonymous":
        journey.goto("/sign-in")
        journey.sign_in(EMAILS.get(role, f"{role}@example.org.uk"))
    for path in paths:
        journey.goto(path.format(**ids))  # checks the status, browser errors and axe
