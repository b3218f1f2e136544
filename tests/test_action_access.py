"""Who sees which actions (audit_app/actions/access.py): the SQL rule and the per-action check
agree, and an auditor sees only the actions from their own audits unless they hold a role,
or a part, that allows more."""

import pytest
from sqlalchemy import select

from audit_app.actions import access
from audit_app.extensions import db
from audit_app.models import Action, Service
from tests.action_factories import manager_of, open_action
from tests.moderation_factories import make_user


def seen_by(user):
    ids = set(db.session.scalars(select(Action.id).where(access.visible(user))))
    for action in db.session.scalars(select(Action)):
        assert access.can_view(user, action) is (action.id in ids)
    return ids


@pytest.fixture
def actions(users):
    """One action from the demo auditor's audit (Crewe), one from another auditor's audit
    (Macclesfield), one owned by a social worker's colleague."""
    other_auditor = make_user("Other Auditor", roles=("auditor",))
    own = open_action(users["auditor"], team_name="Crewe CIN/CP")
    theirs = open_action(other_auditor, team_name="Macclesfield CIN/CP")
    db.session.commit()
    return own, theirs, other_auditor


def test_an_auditor_sees_only_the_actions_from_their_own_audits(users, actions):
    own, theirs, other_auditor = actions
    assert seen_by(users["auditor"]) == {own.id}
    assert seen_by(other_auditor) == {theirs.id}


@pytest.mark.parametrize("role", ["practice_lead", "moderator", "leader", "admin"])
def test_a_role_that_sees_every_action_lets_an_auditor_see_more(users, actions, role):
    own, theirs, _ = actions
    auditor = users["auditor"]
    auditor.roles = {"auditor", role}
    db.session.commit()
    assert seen_by(auditor) == {own.id, theirs.id}


def test_the_owner_the_team_manager_the_head_and_the_social_worker_see_it(users, actions):
    own, theirs, _ = actions
    owner = make_user("Named Owner", roles=("auditor",))
    theirs.owner_id = owner.id
    maccs_manager = manager_of("Macclesfield CIN/CP", name="Mo Macclesfield")
    worker = make_user("Social Worker", roles=())
    theirs.case.social_worker_id = worker.id
    head = make_user("Head of Service", roles=())
    db.session.get(Service, theirs.case.team.service_id).head_id = head.id
    db.session.commit()
    for person in (owner, maccs_manager, worker, head):
        assert theirs.id in seen_by(person), person.name
    assert seen_by(users["manager"]) == {own.id}  # manages Crewe only
    maccs_manager.active = False  # a deactivated manager manages nothing
    db.session.commit()
    assert seen_by(maccs_manager) == set()


def test_a_recommendation_in_a_draft_audit_is_seen_only_by_its_auditor_admins_and_moderators(
        users, actions):
    """Issue 7 item 5: a draft is the auditor's own until submitted; its proposed actions too
    (a manager read one at /actions/<id> before this rule)."""
    own, _theirs, _other = actions
    own.status = "proposed"
    db.session.commit()
    assert own.id in seen_by(users["auditor"])
    for role in ("admin", "moderator"):
        assert own.id in seen_by(users[role])
    for role in ("manager", "leader", "practice_lead"):
        assert own.id not in seen_by(users[role]), role
