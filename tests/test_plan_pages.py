"""The action plan's pages: a quality assurance officer builds the plan, a leader reads it.

Adding is once per form, changing carries the version the page showed, every change is in
the event log, and bad input gets a GOV.UK error summary with nothing saved.
"""

from datetime import date

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import (
    EnteredFigure,
    Event,
    OutcomeMeasure,
    PlanAction,
    PlanTarget,
    ProgressUpdate,
    Recommendation,
    Target,
)
from audit_app.plan import records
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD
from tests.pages import CheckingClient, hidden_inputs
from tests.test_double_posts import assert_one_outcome, count

RECOMMENDATION = {"number": "1", "title": "Improve the quality of assessments.",
                  "source": "ILACS November 2019",
                  "findings": "Some assessments did not contain enough analysis.\n"
                              "Plans were not always SMART."}
ENTERED = {"description": "Assessments completed within 45 days", "figure": "entered",
           "applies_to": "all:", "baseline_value": "74",
           "baseline_text": "In Q4 2021-22, 74% of assessments were completed within 45 days.",
           "baseline_on": ["31", "3", "2022"]}
TARGET = {"rate": "90", "applies_from": ["1", "9", "2022"],
          "text": "90% of assessments will be completed within 45 days."}
FIGURE = {"quarter": "2022-Q2", "value": "56", "numerator": "", "denominator": "",
          "source": "Case-record system performance report",
          "note": "70% were completed within 50 days."}
ACTION = {"reference": "1A", "text": "Deliver the 'doing the basics well' training.",
          "lead": "Principal Social Worker", "timescale": "December 2023"}
UPDATE = {"written_on": ["31", "1", "2023"], "status": "in_progress",
          "text": "Masterclasses run four times a week during learning week."}


def errors(response):
    summary = response.soup.select_one(".govuk-error-summary")
    return [a.get_text(" ", strip=True) for a in summary.select("a")] if summary else []


def added(response):
    assert response.status_code == 302, errors(response) or response.text[:500]
    return response.headers["Location"]


def build_plan(client):
    """What a quality assurance officer types to set up recommendation 1."""
    page = added(client.submit("/plan/recommendations/new", RECOMMENDATION))
    recommendation = db.session.scalar(select(Recommendation))
    assert page == f"/plan/recommendations/{recommendation.id}"
    added(client.submit(f"{page}/measures/new", ENTERED))
    measure = db.session.scalar(select(OutcomeMeasure))
    added(client.submit(f"/plan/measures/{measure.id}/targets/new", TARGET))
    added(client.submit(f"/plan/measures/{measure.id}/targets/new", {
        "rate": "80", "applies_from": ["1", "9", "2021"], "text": "80% within 45 days."}))
    added(client.submit(f"/plan/measures/{measure.id}/figures/new", FIGURE))
    added(client.submit(f"{page}/actions/new", ACTION))
    action = db.session.scalar(select(PlanAction))
    added(client.submit(f"/plan/actions/{action.id}/updates/new", UPDATE))
    return recommendation, measure, action


def plan_records(actor):
    """build_plan's records, made directly (quicker, for the tests of one form)."""
    recommendation = records.create_recommendation({**RECOMMENDATION, "number": 1}, actor)
    measure = records.create_measure(recommendation, {
        **ENTERED, "baseline_value": 0.74, "baseline_on": date(2022, 3, 31)}, actor)
    for rate, day in ((0.9, date(2022, 9, 1)), (0.8, date(2021, 9, 1))):
        records.create_target(measure, {"rate": rate, "applies_from": day,
                                        "text": TARGET["text"]}, actor)
    records.create_figure(measure, {**FIGURE, "value": 0.56, "numerator": None,
                                    "denominator": None}, actor)
    action = records.create_action(recommendation, ACTION, actor)
    records.create_update(action, {**UPDATE, "written_on": date(2023, 1, 31)}, actor)
    db.session.commit()
    return recommendation, measure, action


def test_a_quality_assurance_officer_builds_the_plan_and_a_leader_reads_it(app, client, login,
                                                                          users):
    login("moderator")
    assert 'href="/plan/"' in client.get("/").text  # in the navigation
    recommendation, measure, action = build_plan(client)
    assert (measure.measure_key, measure.baseline_value) == (None, 0.74)
    assert action.reference == "1a"  # kept as the plan writes it
    kinds = db.session.execute(select(Event.entity_type, Event.action, Event.actor_id).where(
        Event.entity_type.like("plan_%"))).all()
    assert sorted(kinds) == sorted(
        [(kind, "created", users["moderator"].id) for kind in (
            "plan_recommendation", "plan_measure", "plan_target", "plan_target",
            "plan_figure", "plan_action", "plan_update")])

    leader = app.test_client()
    leader.submit("/sign-in", {"email": users["leader"].email, "password": TEST_PASSWORD})
    plan = leader.get("/plan/?quarter=2022-Q2")
    soup = plan.soup
    assert soup.h1.get_text(strip=True) == "Action plan"
    row = soup.select_one("table tbody tr")
    cells = [" ".join(c.get_text(" ", strip=True).split()) for c in row.find_all(["th", "td"])]
    assert cells[0] == "Assessments completed within 45 days Entered by hand each quarter"
    assert cells[1].startswith("74% In Q4 2021-22, 74%") and "At 31 March 2022" in cells[1]
    assert "80% from 1 September 2021" in cells[2] and "90% from 1 September 2022" in cells[2]
    assert cells[3] == ("56% 70% were completed within 50 days. Source: Case-record system "
                        "performance report")
    assert cells[4].startswith("Below target Judged on the value alone: entered without a "
                               "denominator. Target in force on 30 September 2022: 90%")
    actions = [" ".join(c.get_text(" ", strip=True).split())
               for c in soup.select("table")[1].select("tbody tr")[0].find_all(["th", "td"])]
    assert actions == ["1a", ACTION["text"], "Principal Social Worker", "December 2023",
                       "In progress 31 January 2023: " + UPDATE["text"]]
    rule = soup.select_one("#rule").find_next("dl").get_text(" ", strip=True)
    assert "On track to achieve target" in rule and "straight line from the baseline" in rule
    assert "Add a recommendation" not in plan.text  # leaders read
    page = leader.get(f"/plan/recommendations/{recommendation.id}?quarter=2022-Q2")
    assert "Change" not in page.soup.select_one("main").get_text()
    found = page.soup.find("h2", string="What inspectors found")
    assert [p.get_text() for p in found.find_next_siblings("p")] == [
        "Some assessments did not contain enough analysis.", "Plans were not always SMART."]
    assert leader.get(f"/plan/recommendations/{recommendation.id}/edit").status_code == 403


def test_the_plan_shows_the_last_complete_quarter_unless_asked(app, client, login, users,
                                                               monkeypatch):
    moderator = login("moderator")
    plan_records(moderator)
    monkeypatch.setattr("audit_app.plan.routes.today", lambda: date(2022, 10, 3))
    page = client.get("/plan/")
    assert page.soup.select_one(".govuk-caption-l").get_text() == (
        "Position in Q2 2022-23 (July to September 2022)")
    assert "56%" in page.text
    later = client.get("/plan/?quarter=2022-Q3")
    assert "No figure yet" in later.text and "No figure for this quarter" in later.text
    # An unknown quarter is the default, not an error.
    assert "Q2 2022-23 (July" in client.get("/plan/?quarter=9999-Q4").soup.select_one(
        ".govuk-caption-l").get_text()


def test_a_computed_measure_is_judged_against_the_councils_targets(client, login, users):
    login("moderator")
    added(client.submit("/plan/recommendations/new", RECOMMENDATION))
    recommendation = db.session.scalar(select(Recommendation))
    added(client.submit(f"/plan/recommendations/{recommendation.id}/measures/new", {
        "description": "Privately fostered cases audited good or outstanding",
        "figure": "good_or_better", "applies_to": "cohort:private_fostering",
        "baseline_value": "", "baseline_text": "10 of 11 arrangements were suitable.",
        "baseline_on": ["31", "1", "2021"]}))
    measure = db.session.scalar(select(OutcomeMeasure))
    assert (measure.measure_key, measure.scope_kind, measure.scope_ref) == (
        "good_or_better", "cohort", "private_fostering")
    form = client.get(f"/plan/measures/{measure.id}/targets/new")
    assert "kept with the targets every page and the measures command" in form.text
    assert "Enter the target" in " ".join(errors(client.submit(
        f"/plan/measures/{measure.id}/targets/new", {**TARGET, "rate": ""})))
    added(client.submit(f"/plan/measures/{measure.id}/targets/new", {**TARGET, "rate": "80"}))
    target = db.session.scalar(select(Target))
    assert (target.measure, target.scope_kind, target.scope_ref, target.rate,
            target.source) == ("good_or_better", "cohort", "private_fostering", 0.8,
                               TARGET["text"])
    assert count(PlanTarget) == 0
    event = db.session.scalar(select(Event).where(Event.entity_type == "target"))
    assert event.actor_id == users["moderator"].id
    # No figure is entered by hand for it.
    assert client.get(f"/plan/measures/{measure.id}/figures/new").status_code == 404
    page = client.get(f"/plan/recommendations/{recommendation.id}?quarter=2022-Q2")
    assert ("Computed from audits: Audits good or better, after moderation, Cohort: Private "
            "fostering") in " ".join(page.soup.select_one("main").get_text(" ").split())
    added(client.submit(f"/plan/measures/{measure.id}/targets/{target.id}/edit",
                        {**TARGET, "rate": "85"}))
    db.session.expire_all()
    assert db.session.get(Target, target.id).rate == 0.85


@pytest.mark.parametrize(("change", "message"), [
    ({"value": "", "numerator": "3", "denominator": ""},
     "Enter both the number counted and the number it is out of, or neither"),
    ({"value": "", "numerator": "5", "denominator": "4"},
     "The number counted must be from 0 to the number it is out of"),
    ({"value": "", "numerator": "0", "denominator": "0"},
     "The number it is out of must be from 1 to 2,147,483,647"),
    ({"value": "", "numerator": "1", "denominator": "9223372036854775807"},
     "The number it is out of must be from 1 to 2,147,483,647"),
    ({"value": "80", "numerator": "1", "denominator": "4"},
     "Figure does not match 1 of 4: leave it blank to work it out from them"),
    ({"value": ""}, "Enter the figure, or for an outcome in words, choose its progress"),
    ({"judgement": "achieved"}, "Leave progress unchosen when there is a figure"),
    ({"value": "", "judgement": "nonsense"}, "Progress must be one of the options shown"),
    ({"value": "101"}, "Figure must be from 0% to 100%"),
    ({"value": "fifty"}, "Figure must be a percentage, like 90 or 92.5"),
    ({"numerator": "1.5", "denominator": "4", "value": ""},
     "Number counted must be a whole number"),
    ({"quarter": "2030-Q1"}, "The quarter must not be in the future"),
    ({"quarter": "soon"}, "Select the quarter the figure is for"),
    ({"source": " "}, "Enter where the figure comes from"),
    ({"note": "x" * 4001}, "The position in words must be 4,000 characters or fewer"),
    ({"source": "LCS\x00report"}, "Source must not include hidden control characters"),
])
def test_a_bad_figure_gets_a_specific_message_and_nothing_is_saved(client, login, users,
                                                                  change, message):
    moderator = login("moderator")
    _, measure, _ = plan_records(moderator)
    before = count(EnteredFigure), count(Event, Event.entity_type.like("plan_%"))
    response = client.submit(f"/plan/measures/{measure.id}/figures/new",
                             {**FIGURE, "quarter": "2022-Q1", **change})
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: Add a quarter's figure")
    assert any(message in error for error in errors(response)), errors(response)
    assert (count(EnteredFigure), count(Event, Event.entity_type.like("plan_%"))) == before


def test_figures_with_counts_and_outcomes_in_words(client, login, users):
    moderator = login("moderator")
    recommendation, measure, _ = plan_records(moderator)
    added(client.submit(f"/plan/measures/{measure.id}/figures/new", {
        **FIGURE, "quarter": "2022-Q1", "value": "", "numerator": "1", "denominator": "4"}))
    counted = db.session.scalar(select(EnteredFigure).where(EnteredFigure.quarter == "2022-Q1"))
    assert (counted.value, counted.numerator, counted.denominator) == (0.25, 1, 4)
    assert "already has a figure for that quarter" in " ".join(errors(client.submit(
        f"/plan/measures/{measure.id}/figures/new", FIGURE)))
    added(client.submit(f"/plan/measures/{measure.id}/figures/new", {
        **FIGURE, "quarter": "2021-Q4", "value": "", "judgement": "on_track"}))
    page = client.get(f"/plan/recommendations/{recommendation.id}")
    history = [[" ".join(c.get_text(" ", strip=True).split()) for c in tr.find_all(["th", "td"])]
               for tr in page.soup.select(f"#measure-{measure.id} ~ table")[1].select(
                   "tbody tr")]
    assert [(row[0], row[1], row[3]) for row in history] == [
        ("Q2 2022-23", "56%", "Below target Judged on the value alone: entered without a "
                              "denominator"),
        ("Q1 2022-23", "25% (1 of 4; 95% CI 5%–70%)", "Sample too small to judge"),
        ("Q4 2021-22", "No figure: described in words", "On track to achieve target Judged by "
                                                         "the plan's editors: no figure")]


def test_changing_a_record_needs_the_version_the_page_showed(client, login, users):
    moderator = login("moderator")
    recommendation, _, _ = plan_records(moderator)
    page = f"/plan/recommendations/{recommendation.id}/edit"
    form = client.get(page)
    assert form.soup.select_one("#number")["value"] == "1"
    version = form.soup.find("input", attrs={"name": "version"})["value"]
    base = {**RECOMMENDATION, "version": version}
    assert added(client.submit(page, {**base, "source": "ILACS 2019"})) == (
        f"/plan/recommendations/{recommendation.id}")
    stale = client.submit(page, {**base, "number": "2"})
    assert "Someone else changed this recommendation while you were editing it" in stale.text
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in stale.soup.select(
        ".govuk-error-summary tbody tr")]
    assert rows == [["Number", "1", "2"], ["Source", "ILACS 2019", "ILACS November 2019"]]
    db.session.expire_all()
    assert db.session.get(Recommendation, recommendation.id).number == 1
    again = stale.soup.find("input", attrs={"name": "version"})["value"]
    added(client.submit(page, {**base, "number": "2", "version": again}))
    updates = db.session.scalars(select(Event).where(
        Event.entity_type == "plan_recommendation", Event.action == "updated")).all()
    assert [(e.before, e.after) for e in updates] == [
        ({"source": "ILACS November 2019"}, {"source": "ILACS 2019"}),
        ({"number": 1, "source": "ILACS 2019"}, {"number": 2, "source": "ILACS November 2019"})]


def test_each_kind_of_record_can_be_changed(client, login, users):
    moderator = login("moderator")
    recommendation, measure, action = plan_records(moderator)
    target = db.session.scalar(select(PlanTarget).order_by(PlanTarget.applies_from.desc()))
    figure = db.session.scalar(select(EnteredFigure))
    update = db.session.scalar(select(ProgressUpdate))
    for page, data in [
        (f"/plan/measures/{measure.id}/edit", {**ENTERED, "baseline_value": "72"}),
        (f"/plan/measures/{measure.id}/targets/{target.id}/edit", {**TARGET, "rate": "95"}),
        (f"/plan/figures/{figure.id}/edit", {**FIGURE, "value": "58"}),
        (f"/plan/actions/{action.id}/edit", {**ACTION, "lead": "Head of Service"}),
        (f"/plan/updates/{update.id}/edit", {**UPDATE, "status": "completed"}),
    ]:
        shown = client.get(page).soup
        assert shown.find("input", attrs={"name": "version"})["value"] == "1"
        added(client.submit(page, data))
    db.session.expire_all()
    assert (measure.baseline_value, target.rate, figure.value, action.lead, update.status) == (
        0.72, 0.95, 0.58, "Head of Service", "completed")
    changed = db.session.execute(select(Event.entity_type, Event.after).where(
        Event.action == "updated", Event.entity_type.like("plan_%"))).all()
    assert sorted(changed) == sorted([
        ("plan_measure", {"baseline_value": 0.72}), ("plan_target", {"rate": 0.95}),
        ("plan_figure", {"value": 0.58}), ("plan_action", {"lead": "Head of Service"}),
        ("plan_update", {"status": "completed"})])
    plan = client.get("/plan/?quarter=2022-Q2").text
    assert "Completed" in plan and "58%" in plan
    # A target of another measure is not this measure's.
    assert client.get(f"/plan/measures/{measure.id}/targets/999/edit").status_code == 404


def test_a_measure_with_figures_entered_by_hand_cannot_become_computed(client, login, users):
    moderator = login("moderator")
    _, measure, _ = plan_records(moderator)
    response = client.submit(f"/plan/measures/{measure.id}/edit", {
        **ENTERED, "figure": "good_or_better", "applies_to": "all:"})
    assert errors(response) == [
        "This measure has figures or targets entered by hand, so its figure cannot be computed: "
        "add a new measure instead"]
    db.session.expire_all()
    assert db.session.get(OutcomeMeasure, measure.id).measure_key is None


@pytest.mark.parametrize(("path", "data", "message"), [
    ("/plan/recommendations/new", {**RECOMMENDATION, "number": "1"},
     "There is already a recommendation with this number"),
    ("/plan/recommendations/new", {**RECOMMENDATION, "number": "1000"},
     "Number must be a whole number from 1 to 999"),
    ("/plan/recommendations/new", {**RECOMMENDATION, "findings": "  "},
     "Enter what inspectors found"),
    ("measures", {**ENTERED, "baseline_value": "", "baseline_text": ""},
     "Enter the baseline as a percentage, in words, or both"),
    ("measures", {**ENTERED, "figure": "moderation_coverage"},
     "Select where the figure comes from"),
    ("measures", {**ENTERED, "figure": "good_or_better", "applies_to": "team:99999"},
     "Select what the computed figure is counted for"),
    ("measures", {**ENTERED, "baseline_on": ["", "", ""]}, "Enter the date of the baseline"),
    ("targets", {**TARGET}, "This measure already has a target from that date"),
    ("targets", {**TARGET, "rate": "100"}, "Target must be more than 0% and less than 100%"),
    ("actions", {**ACTION, "reference": "1a"}, "There is already an action with this reference"),
    ("actions", {**ACTION, "reference": "one"},
     "Reference must be the recommendation's number and up to two letters, like 1a"),
    ("updates", {**UPDATE, "written_on": ["1", "1", "2099"]},
     "The date of the update must be today or in the past"),
    ("updates", {**UPDATE, "status": ""}, "Select the action's status"),
])
def test_bad_input_on_each_form_is_refused_with_its_message(client, login, users, path, data,
                                                            message):
    moderator = login("moderator")
    recommendation, measure, action = plan_records(moderator)
    path = {"measures": f"/plan/recommendations/{recommendation.id}/measures/new",
            "targets": f"/plan/measures/{measure.id}/targets/new",
            "actions": f"/plan/recommendations/{recommendation.id}/actions/new",
            "updates": f"/plan/actions/{action.id}/updates/new"}.get(path, path)
    before = count(Event)
    response = client.submit(path, data)
    assert response.status_code == 200 and message in " ".join(errors(response))
    assert count(Event) == before


def test_a_form_sent_twice_adds_one_record(client, login, users):
    moderator = login("moderator")
    recommendation, _, action = plan_records(moderator)
    path = f"/plan/actions/{action.id}/updates/new"
    hidden = hidden_inputs(client.get(path).text, path)
    first = client.post(path, data={**hidden, **UPDATE, "written_on": ["1", "2", "2023"]})
    second = client.post(path, data={**hidden, **UPDATE, "written_on": ["1", "2", "2023"]})
    assert second.headers["Location"] == first.headers["Location"]
    assert count(ProgressUpdate) == 2  # build_plan's and this one
    path = "/plan/recommendations/new"
    hidden = hidden_inputs(client.get(path).text, path)
    data = {**hidden, **RECOMMENDATION, "number": "2"}
    first, second = client.post(path, data=data), client.post(path, data=data)
    assert first.headers["Location"] == second.headers["Location"] != "/plan/"
    assert count(Recommendation) == 2


def test_three_posts_of_the_new_action_form_at_once_add_one(live_app):
    recommendation = records.create_recommendation({
        "number": 3, "title": "Improve PLO oversight.", "source": "ILACS November 2019",
        "findings": "Drift in pre-proceedings."})
    db.session.commit()
    moderator = live_app.client("moderator")
    path = f"/plan/recommendations/{recommendation.id}/actions/new"
    data = {**moderator.form(path), **ACTION}
    responses = at_once(*[(lambda: moderator.post(path, data)) for _ in range(3)])
    assert_one_outcome(responses)
    assert count(PlanAction) == 1 and count(Event, Event.entity_type == "plan_action") == 1


def test_a_post_without_its_csrf_token_is_refused(client, login, users):
    login("moderator")
    response = client.post("/plan/recommendations/new", data=RECOMMENDATION)
    assert response.status_code == 400 and "your form could not be sent" in response.text
    assert count(Recommendation) == 0


def test_the_plan_pages_answer_only_readers(app, users):
    app.test_client_class = CheckingClient
    for role, expected in (("auditor", 403), ("manager", 403), ("practice_lead", 403),
                           ("leader", 200), ("moderator", 200), ("admin", 200)):
        client = app.test_client()
        client.submit("/sign-in", {"email": users[role].email, "password": TEST_PASSWORD})
        assert client.get("/plan/").status_code == expected, role
        assert ('href="/plan/"' in client.get("/").text) == (expected == 200), role


def test_a_stale_measure_edit_shows_both_versions(client, login, users):
    moderator = login("moderator")
    _, measure, _ = plan_records(moderator)
    page = f"/plan/measures/{measure.id}/edit"
    assert client.get(page).soup.select_one("#baseline_value")["value"] == "74"
    added(client.submit(page, {**ENTERED, "baseline_value": "72", "version": "1"}))
    stale = client.submit(page, {**ENTERED, "baseline_value": "70", "figure": "good_or_better",
                                 "version": "1"})
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in stale.soup.select(
        ".govuk-error-summary tbody tr")]
    assert rows == [
        ["Where the figure comes from", "Entered by hand each quarter",
         "Audits good or better, after moderation"],
        ["Baseline (%)", "72%", "70%"]]


def test_a_quarter_not_offered_is_said_and_the_last_complete_one_shown(client, login, users):
    login("leader")
    page = client.get("/plan/?quarter=2022-Q9")
    assert page.status_code == 200
    assert [a.get_text() for a in page.soup.select(".govuk-error-summary a")] == [
        "Select a quarter from the list"]
    assert "Select a quarter from the list" not in client.get("/plan/").text
