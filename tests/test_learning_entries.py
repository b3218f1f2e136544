"""Learning and training entries (action 8a's quarterly briefing): a quality assurance
officer records what was given in response to audit themes, a leader reads it. Adding is once
per form, changing carries the version the page showed, every change is in the event log,
and bad input gets a GOV.UK error summary with nothing saved."""

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.measures.periods import Quarter
from audit_app.models import Event, LearningEntry
from audit_app.plan import learning
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD
from tests.moderation_factories import make_template, submitted_audit
from tests.pages import hidden_inputs
from tests.test_double_posts import assert_one_outcome, count
from tests.test_plan_pages import added, errors

ENTRY = {"quarter": "2022-Q2", "theme": "Contingency planning in child in need plans",
         "kind": "training", "title": "Masterclass on family networking",
         "audience": "Child in need team managers", "given_on": ["14", "9", "2022"],
         "link": "https://intranet.example.org.uk/learning/family-networking",
         "notes": "Four sessions during learning week.\nSlides shared with every team."}


@pytest.fixture(autouse=True)
def audits_since_2022(users):
    """A report, and so an entry, can be for any quarter from the first audit's."""
    submitted_audit(users["auditor"], make_template())  # 1 July 2022
    db.session.commit()


def entry_rows(page):
    return [[" ".join(c.get_text(" ", strip=True).split()) for c in row.find_all(["th", "td"])]
            for row in page.soup.select("main table tbody tr")]


def test_a_quality_assurance_officer_records_learning_and_a_leader_reads_it(app, client,
                                                                           login, users):
    login("moderator")
    listing = client.get("/plan/learning?quarter=2022-Q2")
    assert "No learning or training has been recorded for this quarter" in listing.text
    add = next(a for a in listing.soup.select("main a")
               if a.get_text(strip=True) == "Add learning or training")
    form = client.get(add["href"])
    assert form.soup.select_one("select[name=quarter] option[selected]")["value"] == "2022-Q2"
    assert added(client.submit("/plan/learning/new", ENTRY)) == "/plan/learning?quarter=2022-Q2"
    entry = db.session.scalar(select(LearningEntry))
    assert (entry.quarter, entry.kind, entry.given_on.isoformat()) == (
        "2022-Q2", "training", "2022-09-14")
    event = db.session.scalar(select(Event).where(Event.entity_type == "learning_entry"))
    assert (event.action, event.actor_id, event.after["title"]) == (
        "created", users["moderator"].id, ENTRY["title"])

    leader = app.test_client()
    leader.submit("/sign-in", {"email": users["leader"].email, "password": TEST_PASSWORD})
    page = leader.get("/plan/learning?quarter=2022-Q2")
    assert entry_rows(page) == [[
        "14 September 2022", ENTRY["theme"],
        "Training: Masterclass on family networking Four sessions during learning week. "
        "Slides shared with every team. " + ENTRY["link"], ENTRY["audience"]]]
    assert "Add learning or training" not in page.text and "Change" not in entry_rows(page)[0]
    assert leader.get(f"/plan/learning/{entry.id}/edit").status_code == 403
    assert "No learning or training" in leader.get("/plan/learning?quarter=2022-Q3").text


def test_changing_an_entry_keeps_both_versions_when_someone_saved_first(client, login, users):
    login("moderator")
    added(client.submit("/plan/learning/new", ENTRY))
    entry = db.session.scalar(select(LearningEntry))
    page = f"/plan/learning/{entry.id}/edit"
    opened = client.get(page).text
    added(client.submit(page, {**ENTRY, "audience": "Every social worker"}))
    db.session.expire_all()
    assert db.session.get(LearningEntry, entry.id).audience == "Every social worker"
    changed = db.session.scalar(select(Event).where(Event.entity_type == "learning_entry",
                                                    Event.action == "updated"))
    assert changed.before == {"audience": ENTRY["audience"]}

    stale = client.post(page, data={**hidden_inputs(opened, page), **ENTRY,
                                    "kind": "briefing"})
    assert "Someone else changed this learning entry while you were editing it" in stale.text
    db.session.expire_all()
    assert db.session.get(LearningEntry, entry.id).kind == "training"  # nothing overwritten


def test_three_posts_of_the_new_entry_form_at_once_add_one(live_app):
    moderator = live_app.client("moderator")
    path = "/plan/learning/new"
    data = {**moderator.form(path), **ENTRY}
    responses = at_once(*[(lambda: moderator.post(path, data)) for _ in range(3)])
    assert_one_outcome(responses)
    assert count(LearningEntry) == 1 and count(Event, Event.entity_type == "learning_entry") == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"quarter": ""}, "Select the quarter whose report the entry belongs in"),
    ({"quarter": "2099-Q1"}, "The quarter must not be in the future"),
    ({"theme": "   "}, "Enter the audit theme it responds to"),
    ({"kind": "party"}, "Select what kind of learning it was"),
    ({"kind": ""}, "Select what kind of learning it was"),
    ({"title": "x" * 301}, "What was given must be 300 characters or fewer"),
    ({"audience": ""}, "Enter who it was given to"),
    ({"given_on": ["", "", ""]}, "Enter the date it was given"),
    ({"given_on": ["31", "2", "2022"]}, "The date it was given must be a real date"),
    ({"given_on": ["1", "1", "2099"]}, "The date it was given must be today or in the past"),
    ({"link": "javascript:alert(1)"}, "Link must be a web address starting with https://"),
    ({"link": "https://x.example/" + "a" * 500}, "Link must be 500 characters or fewer"),
    ({"notes": "\x00"}, "Notes must not include hidden control characters"),
])
def test_bad_input_is_refused_with_nothing_saved(client, login, change, message):
    login("moderator")
    response = client.submit("/plan/learning/new", {**ENTRY, **change})
    assert response.status_code == 200
    assert any(found.startswith(message) or message in found for found in errors(response)), \
        errors(response)
    assert count(LearningEntry) == 0


def test_the_list_says_plainly_when_the_quarter_is_not_one_it_offers(client, login):
    login("leader")
    page = client.get("/plan/learning?quarter=9999-Q4")
    assert page.status_code == 200
    assert errors(page) == ["Select a quarter from the list"]



def test_the_demo_entries_load_through_the_rules(users):
    loaded = learning.load_entries()
    assert len(loaded) == 6 and count(LearningEntry) == 6
    assert count(Event, Event.entity_type == "learning_entry") == 6
    quarter = [e.title for e in learning.entries(Quarter(2022, 2))]
    assert quarter == ["Audit findings briefing on contingency planning",
                       "Masterclasses on holding family network meetings"]
