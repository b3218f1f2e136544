"""Dip samples over real HTTP at the same moment: two tabs checking one action store one check
(the other gets the conflict page), and two tabs drawing one round draw it once."""

from functools import partial

from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import Action, DipSampleCase, DipSampleCheck, Event
from tests.concurrency import at_once
from tests.dip_factories import completed_action, drawn_round, make_round

TRIES = 4
FOUND = {"evidence": "Case note of 25/11/2026.", "impact": "Weekly visits."}


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_two_tabs_checking_one_action_store_one_check(live_app):
    users = live_app.users
    tabs = [live_app.client("practice_lead"), live_app.client("practice_lead")]
    for attempt in range(TRIES):
        action = completed_action(users["auditor"], users["manager"],
                                  reference=f"LCS-K{attempt:02d}")
        round_ = drawn_round(users["practice_lead"], team_id=None)
        sampled = next(s for s in round_.cases if s.case_id == action.case_id)
        db.session.commit()
        path = f"/dip-samples/cases/{sampled.id}/actions/{action.id}"
        forms = [{**tab.form(path), "outcome": outcome, **FOUND}
                 for tab, outcome in zip(tabs, ("followed_up", "partly"), strict=True)]
        responses = at_once(*(partial(tab.post, path, form) for tab, form in zip(
            tabs, forms, strict=True)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 302], f"try {attempt}: {statuses}"
        loser = next(r for r in responses if r.status_code == 200)
        assert "Someone else changed this action while you were checking it" in loser.text
        winner = forms[[r.status_code for r in responses].index(302)]["outcome"]
        status = db.session.scalar(select(Action.status).where(Action.id == action.id))
        assert status == {"followed_up": "verified_followed_up",
                          "partly": "verified_partly"}[winner], f"try {attempt}"
        assert _count(DipSampleCheck, DipSampleCheck.action_id == action.id) == 1
        assert _count(Event, Event.entity_type == "action", Event.entity_id == action.id,
                      Event.action == "verified") == 1


def test_two_tabs_drawing_one_round_draw_it_once(live_app):
    users = live_app.users
    for n in range(5):
        completed_action(users["auditor"], users["manager"], reference=f"LCS-Q{n:02d}")
    db.session.commit()  # SQLite: nothing of the test's own writes may hold the database
    tabs = [live_app.client("practice_lead"), live_app.client("practice_lead")]
    for attempt in range(TRIES):
        round_ = make_round(users["practice_lead"], size=3)
        db.session.commit()
        page = f"/dip-samples/{round_.id}"
        path = f"{page}/draw"
        forms = [{**tab.form(page, path), "seed": str(seed)}
                 for tab, seed in zip(tabs, (11, 22), strict=True)]
        responses = at_once(*(partial(tab.post, path, form) for tab, form in zip(
            tabs, forms, strict=True)))
        assert sorted(r.status_code for r in responses) == [200, 302], f"try {attempt}"
        assert _count(DipSampleCase, DipSampleCase.round_id == round_.id) == 3
        assert _count(Event, Event.entity_type == "dip_sample_round",
                      Event.entity_id == round_.id, Event.action == "drawn") == 1
