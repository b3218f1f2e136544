"""A form posted several times at once (a double or triple click, two tabs) creates one
record, and never a server error. Real concurrent requests against the live server."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from audit_app import once
from audit_app.audits import workflow
from audit_app.extensions import db
from audit_app.models import (
    Action,
    Audit,
    AuditResponse,
    Escalation,
    Event,
    Moderation,
    ModerationRound,
    Programme,
    ProgrammeDraw,
    Service,
    Team,
    User,
)
from tests import factories
from tests.concurrency import WebClient, at_once
from tests.conftest import TEST_PASSWORD
from tests.moderation_factories import make_user
from tests.test_audit_workflow import complete
from tests.test_moderating import make_sample


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def post_together(client, path, data, times=3):
    return at_once(*[(lambda: client.post(path, data)) for _ in range(times)])


def assert_one_outcome(responses):
    """Every post answered without a server error, all sent to the same page."""
    assert [r.status_code for r in responses] == [302] * len(responses)
    assert len({r.headers["Location"] for r in responses}) == 1


@pytest.fixture
def audit(live_app):
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, factories.make_case(), live_app.users["auditor"])
    db.session.commit()
    return audit


def test_three_posts_of_the_escalation_form_raise_one_escalation(live_app, audit):
    auditor = live_app.client("auditor")
    path = f"/audits/{audit.id}/escalate"
    responses = post_together(auditor, path, {
        **auditor.form(path), "concern": "Bruising seen on a home visit, not followed up."})
    assert_one_outcome(responses)
    [escalation] = db.session.scalars(select(Escalation)).all()
    assert responses[0].headers["Location"].endswith(f"/audits/escalations/{escalation.id}")
    assert count(Event, Event.action == "raised") == 1


def test_three_posts_of_a_recommendation_add_one(live_app, audit):
    auditor = live_app.client("auditor")
    path = f"/audits/{audit.id}/recommendations"
    responses = post_together(auditor, path, {
        **auditor.form(path), "description": "Update the plan with dates.",
        "priority": "high"})
    assert_one_outcome(responses)
    assert count(Action, Action.audit_id == audit.id) == 1
    # The same form typed again later is a new recommendation: the page gives a new token.
    again = auditor.post(path, {**auditor.form(path), "description": "Record supervision.",
                                "priority": "low"})
    assert again.status_code == 302
    assert count(Action, Action.audit_id == audit.id) == 2


def test_three_posts_of_a_response_add_one(live_app, audit):
    complete(audit, live_app.users["auditor"])
    workflow.submit(audit, live_app.users["auditor"], audit.row_version)
    db.session.commit()
    manager = live_app.client("manager")
    path = f"/audits/{audit.id}/responses"
    form = manager.form(f"/audits/{audit.id}", action=path)
    responses = post_together(manager, path, {**form, "body": "Plan updated on 3 March."})
    assert_one_outcome(responses)
    assert count(AuditResponse, AuditResponse.audit_id == audit.id) == 1
    assert count(Event, Event.action == "response_added") == 1


def test_two_starts_of_one_moderation_make_one(live_app):
    sample = make_sample(live_app.users)
    tabs = [live_app.client("moderator"), live_app.client("moderator")]
    path = f"/moderation/samples/{sample.id}/start"
    forms = [tab.form(f"/moderation/samples/{sample.id}", action=path) for tab in tabs]
    responses = at_once(*[(lambda tab=tab, form=form: tab.post(path, form))
                          for tab, form in zip(tabs, forms, strict=True)])
    assert_one_outcome(responses)
    assert count(Moderation, Moderation.sample_id == sample.id) == 1
    assert count(Event, Event.entity_type == "moderation", Event.action == "started") == 1


def test_two_moderators_starting_one_audit_at_once_get_one_moderation(live_app):
    sample = make_sample(live_app.users)
    second = make_user("Second Moderator", roles=("moderator",))
    second.set_password(TEST_PASSWORD)
    sample.round.moderators.append(second)
    sample.moderator_id = None  # not yet shared out: either may take it
    db.session.commit()
    people = [live_app.client("moderator"), WebClient(live_app.url).sign_in(second.email,
                                                                            TEST_PASSWORD)]
    path = f"/moderation/samples/{sample.id}/start"
    forms = [p.form(f"/moderation/samples/{sample.id}", action=path) for p in people]
    responses = at_once(*[(lambda p=p, form=form: p.post(path, form))
                          for p, form in zip(people, forms, strict=True)])
    assert [r.status_code for r in responses] == [302, 302]
    [moderation] = db.session.scalars(select(Moderation)).all()
    winner = [p for p, r in zip(people, responses, strict=True)
              if r.headers["Location"].endswith(f"/moderation/samples/{sample.id}")]
    assert len(winner) == 1
    # The other is sent back to the round and told why.
    loser = people[1 - people.index(winner[0])]
    page = loser.get(f"/moderation/rounds/{sample.round_id}")
    assert "Another moderator has just started moderating this audit" in page.text
    assert moderation.moderator_id in {live_app.users["moderator"].id, second.id}


@pytest.fixture
def programme(live_app):
    for number in range(1, 13):
        factories.make_case(reference=f"LCS-20{number:02d}", team_name="Macclesfield CIN/CP")
    programme = factories.make_programme(factories.make_template())
    db.session.commit()
    return programme


def _draw(client, programme, auditor, requested="4"):
    path = f"/programmes/{programme.id}/draw"
    return path, {**client.form(path), "requested": requested, "seed": "",
                  "auditor_ids": [str(auditor.id)]}


def test_two_posts_of_one_draw_form_draw_once(live_app, programme):
    admin = live_app.client("admin")
    path, form = _draw(admin, programme, live_app.users["auditor"])
    responses = post_together(admin, path, form, times=2)
    assert_one_outcome(responses)
    assert count(ProgrammeDraw, ProgrammeDraw.programme_id == programme.id) == 1
    assert count(Audit, Audit.programme_id == programme.id) == 4


def test_two_people_drawing_at_once_draw_different_cases(live_app, programme):
    people = [live_app.client("admin"), live_app.client("moderator")]
    forms = [_draw(p, programme, live_app.users["auditor"], requested="5") for p in people]
    responses = at_once(*[(lambda p=p, path=path, form=form: p.post(path, form))
                          for p, (path, form) in zip(people, forms, strict=True)])
    assert [r.status_code for r in responses] == [302, 302]
    assert count(ProgrammeDraw, ProgrammeDraw.programme_id == programme.id) == 2
    cases = Counter(db.session.scalars(
        select(Audit.case_id).where(Audit.programme_id == programme.id)))
    assert len(cases) == 10 and set(cases.values()) == {1}


def test_two_returns_of_one_audit_at_once_return_it_once(live_app, audit):
    complete(audit, live_app.users["auditor"])
    workflow.submit(audit, live_app.users["auditor"], audit.row_version)
    db.session.commit()
    people = [live_app.client("moderator"), live_app.client("admin")]
    path = f"/audits/{audit.id}/return"
    forms = [{**p.form(path), "reason": "Evidence for 1.1 is thin."} for p in people]
    responses = at_once(*[(lambda p=p, form=form: p.post(path, form))
                          for p, form in zip(people, forms, strict=True)])
    assert_one_outcome(responses)
    assert count(Event, Event.entity_type == "audit", Event.action == "returned") == 1


def test_two_posts_of_a_new_programme_or_round_form_create_one(live_app, programme):
    moderator = live_app.client("moderator")
    path = "/programmes/new"
    responses = post_together(moderator, path, {
        **moderator.form(path), "name": "Q4 2026-27 whole case file audit",
        "template_id": str(programme.template_id), "period_start": ["1", "1", "2027"],
        "period_end": ["31", "3", "2027"], "due_on": ["15", "4", "2027"]}, times=2)
    assert_one_outcome(responses)
    assert count(Programme, Programme.name == "Q4 2026-27 whole case file audit") == 1
    path = "/moderation/rounds/new"
    responses = post_together(moderator, path, {
        **moderator.form(path), "name": "Q4 2026-27 QA moderation",
        "period_start": ["1", "1", "2027"], "period_end": ["31", "3", "2027"],
        "kind": "qa_quarterly", "mode": "blind", "quota": "9", "method": "simple_random",
        "moderator_ids": [str(live_app.users["moderator"].id)]}, times=2)
    assert_one_outcome(responses)
    assert count(ModerationRound) == 1


@pytest.mark.parametrize(("path", "form", "model", "where"), [
    ("/admin/teams/new", {"name": "Nantwich CIN/CP", "service": "Fostering", "manager_id": "",
                          "active": "y"}, Team, Team.name == "Nantwich CIN/CP"),
    ("/admin/services/new", {"name": "Youth Justice", "head_id": ""}, Service,
     Service.name == "Youth Justice"),
    ("/admin/users/new", {"name": "Nia New", "email": "nia.new@example.org.uk",
                          "roles": "auditor", "team_id": "", "active": "y",
                          "password": "a long initial password"}, User,
     User.email == "nia.new@example.org.uk"),
])
def test_three_posts_of_a_new_team_service_or_user_form_create_one(live_app, path, form, model,
                                                                    where):
    admin = live_app.client("admin")
    if "service" in form:
        service = db.session.scalar(select(Service).where(Service.name == form.pop("service")))
        form = {**form, "service_id": str(service.id)}
    responses = post_together(admin, path, {**admin.form(path), **form})
    # All land where the first went, none says "already exists" of what it just made.
    assert_one_outcome(responses)
    assert count(model, where) == 1


def test_a_form_token_copied_by_someone_else_never_leads_to_their_page(app, users):
    with app.test_request_context():
        token = "copied-token-1234567890"
        assert once.first_post(token, users["auditor"])
        once.led_to(token, "/audits/1")
        db.session.commit()
        response = once.repeated(token, users["manager"], "/")
        assert response.headers["Location"] == "/"
        assert once.repeated(token, users["auditor"], "/").headers["Location"] == "/audits/1"
