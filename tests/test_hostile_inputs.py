"""No input gives a server error (issue 7, item 12): every route, form field, query parameter
and URL id, with every hostile value in tests/hostile.py, as each role.

Each role starts from its own copy of the seeded database with a record for every route
(the authorization matrix's placeholders), so what one role's posts change does not reach
another's. The number of cases is printed, and summed at the end of the run.
"""

import time

import pytest

from audit_app.extensions import db
from audit_app.models import ModerationSample
from audit_app.moderation import moderate
from tests.hostile import Driver, first_users
from tests.test_authorization_matrix import ROLES, load_matrix, matrix_ids


def start_requests(ids):
    return [(row["method"], row["path"].format(**ids)) for row in load_matrix()]


def in_progress_moderation(ids, users):
    """The matrix's pending sample, started, so the moderation form has a page too."""
    sample = db.session.get(ModerationSample, ids["pending_sample_id"])
    moderate.start(sample, users["moderator"])
    db.session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_input_gives_a_server_error(app, users, role, record_property):
    ids = matrix_ids(users)
    in_progress_moderation(ids, users)
    started = time.process_time()
    driver = Driver(app, role, users.get(role), start_requests(ids),
                    first_users(load_matrix(), ROLES), ROLES.index(role)).run()
    seconds = time.process_time() - started
    record_property("hostile_cases", driver.cases)
    record_property("hostile_requests", driver.requests)
    record_property("hostile_seconds", seconds)
    print(f"\n{role}: {driver.cases} hostile cases in {driver.requests} requests, "
          f"{seconds:.1f} s of CPU")
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static" for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - driver.covered == set(), "routes no hostile request reached"
    assert [str(f) for f in driver.failures] == []
