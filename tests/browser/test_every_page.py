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

# Files rather than pages: CSV, Excel and JSON downloads.
DOWNLOAD = re.compile(r"\.(csv|xlsx|json)$|/export(\?|$)")
# Who visits: the first role the matrix lets in, in this order.
VISITORS = ["admin", "moderator", "auditor", "manager", "leader", "practice_lead", "anonymous"]
EMAILS = {"practice_lead": "practicelead@example.org.uk"}


@pytest.fixture
def pages(live_server):
    with live_server.app.app_context():
        ids = matrix_ids(demo_users_by_role())
        db.session.commit()
        db.session.remove()
    visits = defaultdict(list)
    for row in load_matrix():
        path = row["path"].format(**ids)
        if row["method"] != "GET" or DOWNLOAD.search(path):
            continue
        visitor = next(role for role in VISITORS if row[role] == "ok")
        visits[visitor].append(path)
    return visits


def test_every_page_passes_axe(new_journey, pages):
    toured = 0
    for role, paths in pages.items():
        journey = new_journey()
        if role != "anonymous":
            journey.goto("/sign-in")
            journey.sign_in(EMAILS.get(role, f"{role}@example.org.uk"))
        for path in paths:
            journey.goto(path)  # checks the status, browser errors and axe
            toured += 1
    assert toured >= 40
