"""Two people completing the same action at the same moment, over real HTTP: exactly one
completion is stored, the other person gets the conflict page, and one event is written."""

from datetime import date
from functools import partial

from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import Action, Event
from tests.action_factories import open_action
from tests.concurrency import at_once

TRIES = 5
DONE_ON = date(2026, 11, 16)
CONFLICT = "Someone else changed this action while you were editing it"


def _completion(evidence):
    return {"completed_on": [str(DONE_ON.day), str(DONE_ON.month), str(DONE_ON.year)],
            "evidence": evidence}


def _stored(action_id):
    return db.session.execute(select(Action.status, Action.evidence, Action.row_version)
                              .where(Action.id == action_id)).one()


def _events(action_id, verb):
    return db.session.scalar(select(func.count(Event.id)).where(
        Event.entity_type == "action", Event.entity_id == action_id, Event.action == verb))


def test_the_owner_and_the_team_manager_complete_at_once(live_app):
    # The demo auditor owns it; the demo manager manages the case's team: both may complete.
    owner, manager = live_app.client("auditor"), live_app.client("manager")
    for attempt in range(TRIES):
        action = open_action(live_app.users["auditor"], owner=live_app.users["auditor"])
        db.session.commit()
        path = f"/actions/{action.id}/complete"
        forms = [{**browser.form(path), **_completion(f"{who} try {attempt}")}
                 for browser, who in ((owner, "Owner"), (manager, "Manager"))]
        responses = at_once(partial(owner.post, path, forms[0]),
                            partial(manager.post, path, forms[1]))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 302], f"try {attempt}: {statuses}"
        winner = 0 if responses[0].status_code == 302 else 1
        loser = responses[1 - winner]
        assert CONFLICT in loser.text.replace("&#39;", "'"), f"try {attempt}"
        status, evidence, version = _stored(action.id)
        assert (status, evidence, version) == (
            "completed", forms[winner]["evidence"], 2), f"try {attempt}"
        assert _events(action.id, "completed") == 1


def test_a_cancel_and_a_completion_at_once_keep_one(live_app):
    admin, manager = live_app.client("admin"), live_app.client("manager")
    for attempt in range(TRIES):
        action = open_action(live_app.users["auditor"])
        db.session.commit()
        cancel, complete = f"/actions/{action.id}/cancel", f"/actions/{action.id}/complete"
        cancelling = {**admin.form(cancel), "reason": f"Duplicate {attempt}"}
        completing = {**manager.form(complete), **_completion(f"Done {attempt}")}
        responses = at_once(partial(admin.post, cancel, cancelling),
                            partial(manager.post, complete, completing))
        assert sorted(r.status_code for r in responses) == [200, 302], f"try {attempt}"
        status, _, version = _stored(action.id)
        won = "cancelled" if responses[0].status_code == 302 else "completed"
        assert (status, version) == (won, 2), f"try {attempt}"
        assert _events(action.id, "cancelled") + _events(action.id, "completed") == 1
