"""Moderating an audit: blind and open modes, feedback, discussion, challenge and ruling."""

from datetime import date

import pytest

from audit_app.audits.access import can_view
from audit_app.extensions import db
from audit_app.models import Event, ModerationRound, ModerationSample, Notification
from audit_app.moderation import moderate as rules
from tests import factories
from tests.moderation_factories import make_user
from tests.test_audit_workflow import complete


def make_sample(users, mode="blind", grade="Good", moderator="moderator"):
    from audit_app.audits import workflow

    programme = factories.make_programme(factories.make_template(slug=f"m-{mode}"))
    audit = factories.make_audit(programme, factories.make_case(f"MOD-{mode}"),
                                 users["auditor"])
    complete(audit, users["auditor"], grade=grade)
    workflow.submit(audit, users["auditor"], audit.row_version)
    round_ = ModerationRound(name="Q3 QA moderation", period_start=date(2026, 10, 1),
                             period_end=date(2026, 12, 31), kind="qa_quarterly", mode=mode,
                             method="simple_random", filters={})
    round_.moderators = [users[moderator]]
    sample = ModerationSample(round=round_, audit=audit, position=1, reason="random",
                              moderator_id=users[moderator].id)
    db.session.add_all([round_, sample])
    db.session.commit()
    return sample


@pytest.fixture
def blind(app, users):
    return make_sample(users, "blind")


def grade_fields(page):
    return [i["name"] for i in page.soup.select("input[type=radio]")]


def test_blind_moderation_hides_then_reveals_the_auditors_grades(client, login, blind, users):
    login("moderator")
    audit = blind.audit
    start = client.get(f"/moderation/samples/{blind.id}")
    assert "blind moderation" in start.text
    assert client.submit(f"/moderation/samples/{blind.id}/start", {},
                         page=f"/moderation/samples/{blind.id}").status_code == 302
    form = client.get(f"/moderation/samples/{blind.id}")
    assert "The auditor's grade" not in form.text
    assert "Requires improvement" in form.text  # the scale, not the auditor's answers
    # While the blind moderation is open the moderator cannot open the audit itself.
    assert client.get(f"/audits/{audit.id}").status_code == 403
    grades = {g.id: g for g in blind.moderation.grades}
    overall = next(g for g in grades.values() if g.item == "overall")
    data = {f"grade_{g.id}": "Good" for g in grades.values()}
    data[f"grade_{overall.id}"] = "Requires improvement to be good"
    incomplete = client.submit(f"/moderation/samples/{blind.id}",
                               {**data, "submit_moderation": "y"})
    assert "Write your feedback to the auditor" in incomplete.text
    done = client.submit(f"/moderation/samples/{blind.id}",
                         {**data, "feedback": "Clear analysis; plan lacks dates.",
                          "submit_moderation": "y"})
    assert done.status_code == 302
    result = client.get(f"/moderation/samples/{blind.id}")
    rows = {tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in
                                         tr.find_all("td")]
            for tr in result.soup.select("tbody tr")}
    assert rows["Overall judgement"][:4] == [
        "Good", "Requires improvement to be good", "Requires improvement to be good",
        "Auditor higher"]
    assert rows["How effective is management oversight?"][3] == "Auditor higher"
    assert rows["How good is the assessment?"][3] == "Agree"
    assert client.get(f"/audits/{audit.id}").status_code == 200
    assert db.session.scalars(db.select(Event).where(Event.action == "graded")).all()


def test_auditor_sees_feedback_only_after_submission_and_acknowledges(
        client, login, blind, users):
    moderation = rules.start(blind, users["moderator"])
    db.session.commit()
    login("auditor")
    assert client.get(f"/moderation/samples/{blind.id}").status_code == 403
    grades = {g.item: "Good" for g in moderation.grades}
    rules.save(moderation, users["moderator"], moderation.row_version, grades, "Well done.")
    rules.submit(moderation, users["moderator"], moderation.row_version)
    db.session.commit()
    assert db.session.scalars(db.select(Notification).where(
        Notification.recipient_id == users["auditor"].id)).one().subject.startswith(
        "Moderation feedback")
    page = client.get(f"/moderation/samples/{blind.id}")
    assert "Well done." in page.text
    client.submit(f"/moderation/samples/{blind.id}/acknowledge", {},
                  page=f"/moderation/samples/{blind.id}")
    db.session.refresh(moderation)
    assert moderation.acknowledged_at is not None
    assert "acknowledged this feedback" in client.get(f"/moderation/samples/{blind.id}").text
    assert "MOD-blind" in client.get("/moderation/feedback").text


def test_open_moderation_records_agree_or_a_different_grade(client, login, app, users):
    sample = make_sample(users, "open")
    login("moderator")
    client.submit(f"/moderation/samples/{sample.id}/start", {},
                  page=f"/moderation/samples/{sample.id}")
    page = client.get(f"/moderation/samples/{sample.id}")
    assert "The auditor's grade: Good" in page.soup.get_text()
    grades = sample.moderation.grades
    data = {f"agree_{g.id}": "agree" for g in grades}
    first = grades[0]
    data[f"agree_{first.id}"] = "disagree"
    bad = client.submit(f"/moderation/samples/{sample.id}", {**data, "save_draft": "y"})
    message = f"Choose a grade for {first.label} that differs from the auditor's"
    assert message in bad.soup.get_text()
    data[f"grade_{first.id}"] = "Outstanding"
    client.submit(f"/moderation/samples/{sample.id}",
                  {**data, "feedback": "Agree mostly.", "submit_moderation": "y"})
    db.session.expire_all()
    comparisons = {g.item: g.comparison for g in sample.moderation.grades}
    assert comparisons["overall"] == "auditor_lower"
    assert set(comparisons.values()) == {"agree", "auditor_lower"}


def test_moderators_never_moderate_their_own_audits(app, users):
    # The manager is both auditor and moderator here.
    users["manager"].roles = {"manager", "auditor", "moderator"}
    db.session.commit()
    sample = make_sample(users, "blind")
    sample.audit.auditor_id = users["manager"].id
    sample.moderator_id = users["manager"].id
    db.session.commit()
    assert not rules.can_moderate(users["manager"], sample)
    with pytest.raises(rules.ModerationError):
        rules.start(sample, users["manager"])


def test_a_start_that_finds_another_moderators_start_is_refused(app, users):
    # Two moderators chose one unassigned audit; the second request read the sample
    # before the first committed, then found the first one's moderation.
    second = make_user("Second Moderator", roles=("moderator",))
    sample = make_sample(users, "blind")
    sample.round.moderators.append(second)
    sample.moderator_id = None
    db.session.commit()
    first = rules.start(sample, users["moderator"])
    db.session.commit()
    with pytest.raises(rules.ModerationError, match="Another moderator has just started"):
        rules.start(sample, second)
    assert rules.start(sample, users["moderator"]) is first


def submitted(sample, users, overall="Requires improvement to be good"):
    moderation = rules.start(sample, users["moderator"])
    grades = {g.item: "Good" for g in moderation.grades}
    grades["overall"] = overall
    rules.save(moderation, users["moderator"], moderation.row_version, grades, "Feedback")
    rules.submit(moderation, users["moderator"], moderation.row_version)
    db.session.commit()
    return moderation


def test_discussion_sets_an_agreed_final_grade_and_keeps_both(client, login, blind, users):
    moderation = submitted(blind, users)
    overall = moderation.grades[0]
    login("moderator")
    client.submit(f"/moderation/grades/{overall.id}/agree",
                  {"agreed_grade": "Good", "note": "Discussed on 3 Dec."})
    db.session.refresh(overall)
    assert (overall.auditor_grade, overall.moderator_grade, overall.final_grade) == (
        "Good", "Requires improvement to be good", "Good")
    assert overall.comparison == "agree"


def test_challenge_and_ruling_by_an_uninvolved_senior(client, login, blind, users):
    moderation = submitted(blind, users)
    overall = moderation.grades[0]
    login("auditor")
    page = f"/moderation/grades/{overall.id}/challenge"
    same = client.submit(page, {"proposed_grade": "Requires improvement to be good",
                                "reasons": "x"})
    assert "Select a grade different from the moderated grade" in same.text
    client.submit(page, {"proposed_grade": "Good", "reasons": "Plan was updated in May."})
    challenge = overall.challenges[0]
    again = client.submit(page, {"proposed_grade": "Good", "reasons": "Again"})
    assert "already has a challenge waiting" in again.text
    # The moderator who graded it may not rule; the leader (uninvolved) may.
    assert not rules.may_rule(users["moderator"], challenge)
    assert rules.may_rule(users["leader"], challenge)
    with pytest.raises(rules.ModerationError):
        rules.rule(challenge, users["moderator"], "upheld", "Mine")
    rules.rule(challenge, users["leader"], "upheld", "Evidence on file supports Good.")
    db.session.commit()
    assert (overall.ruled_grade, overall.final_grade, overall.comparison) == (
        "Good", "Good", "agree")
    assert challenge.outcome == "upheld"
    assert db.session.scalars(db.select(Event).where(Event.action == "upheld")).one()


def test_rejected_challenge_keeps_the_moderated_grade(blind, users):
    moderation = submitted(blind, users)
    overall = moderation.grades[0]
    challenge = rules.raise_challenge(overall, users["manager"], "Good", "Team view")
    rules.rule(challenge, users["leader"], "rejected", "Moderation stands.")
    assert overall.final_grade == "Requires improvement to be good"
    assert overall.comparison == "auditor_higher"


def test_others_cannot_see_an_unsubmitted_moderation(client, login, blind, users):
    rules.start(blind, users["moderator"])
    db.session.commit()
    login("leader")
    assert client.get(f"/moderation/samples/{blind.id}").status_code == 403
    assert can_view(users["auditor"], blind.audit)


def test_home_pages_list_moderations_to_do_and_feedback_to_read(client, login, blind, users):
    login("moderator")
    todo = client.get("/").soup.find(id="panel-moderations").find_parent("section")
    assert "Case MOD-blind (Random)" in todo.get_text()
    submitted(blind, users)
    todo = client.get("/").soup.find(id="panel-moderations").find_parent("section")
    assert "No audits are waiting for you to moderate." in todo.get_text()
    client.post("/sign-out", data={"csrf_token": client.get("/").soup.find(
        "input", attrs={"name": "csrf_token"})["value"]})
    login("auditor")
    feedback = client.get("/").soup.find(id="panel-feedback").find_parent("section")
    assert "Moderation of case MOD-blind: read and acknowledge" in feedback.get_text()


def test_two_saves_of_one_moderation_show_a_conflict_and_keep_the_typing(
        client, login, blind, users):
    moderation = rules.start(blind, users["moderator"])
    db.session.commit()
    login("moderator")
    page = f"/moderation/samples/{blind.id}"
    overall = moderation.grades[0]
    first = client.submit(page, {f"grade_{overall.id}": "Good", "version": "1",
                                 "save_draft": "y"})
    assert first.status_code == 302
    second = client.submit(page, {f"grade_{overall.id}": "Inadequate", "version": "1",
                                  "feedback": "Typed in another tab", "save_draft": "y"})
    assert "Someone else changed this moderation" in second.text
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for tr in second.soup.select(".govuk-error-summary tbody tr")]
    assert rows == [["Overall judgement", "Good", "Inadequate"],
                    ["Feedback to the auditor", "(none)", "Typed in another tab"]]
    assert second.soup.find("textarea", attrs={"name": "feedback"}).get_text(
        strip=True) == "Typed in another tab"
    db.session.refresh(overall)
    assert overall.moderator_grade == "Good"


def test_feedback_page_statement_count_stays_flat_as_moderations_grow(client, login, users):
    """/moderation/feedback loads each moderation's audit and case with the list, not one
    by one: the same number of SQL statements for 2 moderations as for 22."""
    from sqlalchemy import event

    from tests.moderation_factories import make_template
    from tests.moderation_factories import moderate as moderated

    template = make_template()
    db.session.commit()

    def add(count):
        for _ in range(count):
            moderated(users["auditor"], users["moderator"], template)
        db.session.commit()

    def statements():
        seen = []

        def on_execute(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            page = client.get("/moderation/feedback")
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
        assert page.status_code == 200
        return len(seen), len(page.soup.select("tbody tr"))

    login("auditor")
    add(2)
    few, rows = statements()
    assert rows == 2
    add(20)
    many, rows = statements()
    assert rows == 22
    assert many == few
