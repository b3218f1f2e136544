"""A blind moderator never sees the auditor's grades before submitting: not by drawing the
same audit into another round, nor on any page, report or export about that audit."""

import re
from datetime import datetime

import pytest

from audit_app.extensions import db
from audit_app.models import Event, ModerationRound, ModerationSample
from audit_app.moderation import moderate, rounds
from tests.conftest import TEST_PASSWORD
from tests.moderation_factories import make_moderated
from tests.test_moderation_rounds import Org, form_data, new_round

OUTSTANDING = "Outstanding"


@pytest.fixture
def blind(app, users):
    """Audit A judged Outstanding, drawn into a targeted blind round for the demo moderator,
    who has started but not submitted. A second moderator exists for the other rounds."""
    org = Org(users)
    audit = org.audit(grade=OUTSTANDING, submitted=datetime(2026, 8, 3, 10, 0))
    other = org.person("other.moderator", "Olu Other-Moderator", {"moderator"})
    db.session.commit()
    round_ = new_round(users, name="Blind Q2", method="targeted", quota=1)
    [sample], _ = rounds.draw(round_, users["moderator"], seed=1)
    moderate.start(sample, users["moderator"])
    db.session.commit()
    return org, audit, sample, other


def _hidden_phrases(text):
    """What would give the auditor's grade away (the masked reason names both ends)."""
    return re.findall(r"judged Outstanding(?! or Inadequate)|The auditor's grade|"
                      r"Auditor's grade", text)


def test_the_exact_attack_an_open_round_including_moderated_does_not_draw_it(
        client, login, users, blind):
    org, audit, sample, _ = blind
    login("moderator")
    data = form_data(users, name="Open Q2 again", mode="open", method="simple_random",
                     quota="5", include_moderated="y")
    created = client.submit("/moderation/rounds/new", data)
    assert created.status_code == 302, created.text
    view = created.headers["Location"]
    page = client.get(view)
    assert ("The frame now holds 0 submitted audits from the period, leaving out 1 already "
            "sampled in another round") in page.text
    drawn = client.submit(f"{view}/draw", {"seed": "7"}, page=view)
    new = db.session.scalar(db.select(ModerationRound).where(
        ModerationRound.name == "Open Q2 again"))
    db.session.expire_all()
    assert audit.id not in [s.audit_id for s in new.samples]
    # There was nothing else to draw: the page says so, and nothing is half-drawn.
    assert drawn.status_code == 200
    assert "there is nothing to draw" in drawn.text
    assert new.drawn_at is None


def test_an_audit_in_unfinished_blind_moderation_is_left_out_of_every_other_frame(
        app, users, blind):
    org, audit, sample, other = blind
    other_audit = org.audit(grade="Good")
    db.session.commit()
    for mode in ("open", "blind"):
        round_ = new_round(users, name=f"Another {mode}", mode=mode, include_moderated=True,
                           moderators=[other])
        frame = rounds.frame_for(round_)
        assert [r.audit_id for r in frame.records] == [other_audit.id]
        assert audit.id in frame.excluded_ids
    # Picking it by hand into a targeted round is refused too.
    targeted = new_round(users, name="Targeted open", mode="open", method="targeted",
                         include_moderated=True, moderators=[other], quota=1)
    rounds.draw(targeted, users["moderator"], seed=3)
    with pytest.raises(rounds.RoundError, match="already in another round"):
        rounds.pick(targeted, users["moderator"], audit.case.reference)
    # Once the blind moderation is submitted the audit may be drawn again on purpose.
    moderation = sample.moderation
    grades = {g.item: "Good" for g in moderation.grades}
    moderate.save(moderation, users["moderator"], moderation.row_version, grades, "Fine.")
    moderate.submit(moderation, users["moderator"], moderation.row_version)
    db.session.commit()
    again = new_round(users, name="Later open", mode="open", include_moderated=True,
                      moderators=[other])
    assert audit.id in [r.audit_id for r in rounds.frame_for(again).records]


def test_the_blind_sample_pages_do_not_show_the_grade_or_a_grade_based_reason(
        client, login, users, blind):
    org, audit, sample, _ = blind
    login("moderator")
    page = client.get(f"/moderation/samples/{sample.id}")
    assert page.status_code == 200
    assert "Your grade for Overall judgement" in page.text  # the blind form itself
    assert _hidden_phrases(page.text) == []
    assert "judged Outstanding or Inadequate" in page.text
    home = client.get("/")
    assert audit.case.reference in home.text
    assert _hidden_phrases(home.text) == []
    assert client.get(f"/audits/{audit.id}").status_code == 403


def test_no_other_page_or_export_about_the_audit_shows_its_grades(
        client, login, users, blind):
    """Data the frame now prevents (or an earlier round's finished moderation) must still
    not reach the blind moderator."""
    org, audit, sample, other = blind
    # An earlier targeted open round, moderated by someone else and submitted.
    earlier = new_round(users, name="Earlier open", mode="open", method="targeted",
                        moderators=[other], quota=1)
    finished = make_moderated(audit, other, overall=(OUTSTANDING, "Good"), round_=earlier,
                              submitted_at=datetime(2026, 8, 20, 10))
    finished.sample.reason = "targeted_top"
    earlier.drawn_at = datetime(2026, 8, 10, 9)
    # And an open sample of the same audit given to the blind moderator.
    stray = ModerationRound(name="Stray open", period_start=earlier.period_start,
                            period_end=earlier.period_end, kind="qa_quarterly", mode="open",
                            method="simple_random", filters={})
    stray.moderators = [users["moderator"]]
    stray_sample = ModerationSample(round=stray, audit_id=audit.id, position=1,
                                    reason="random", moderator_id=users["moderator"].id)
    db.session.add_all([stray, stray_sample])
    db.session.commit()

    login("moderator")
    assert client.get(f"/moderation/samples/{finished.sample_id}").status_code == 403
    assert client.get(f"/moderation/samples/{stray_sample.id}").status_code == 403
    grade = finished.grades[0]
    assert client.get(f"/moderation/grades/{grade.id}/challenge").status_code == 403
    round_page = client.get(f"/moderation/rounds/{earlier.id}")
    assert audit.case.reference in round_page.text
    assert _hidden_phrases(round_page.text) == []
    assert f"/moderation/samples/{finished.sample_id}" not in round_page.text
    for export in ("/reports/agreement-pairs.csv", "/reports/agreement.csv"):
        body = client.get(f"{export}?period_from=&period_to=").text
        assert audit.case.reference not in body
        assert OUTSTANDING not in body
    report = client.get(f"/reports/agreement?period_from=&period_to="
                        f"&round_id={earlier.id}")
    assert OUTSTANDING not in report.text.replace("Outstanding or Inadequate", "")
    # The figures say what they leave out, on the page and in its download.
    left_out = "1 audit you are moderating blind, until you submit your moderation"
    assert left_out in report.text
    assert left_out in client.get("/reports/agreement.csv?period_from=&period_to=").text
    client.submit("/sign-out", {}, page="/")
    login("admin")
    assert left_out not in client.get("/reports/agreement?period_from=&period_to=").text
    client.submit("/sign-out", {}, page="/")
    login("moderator")

    # Another moderator, not blind on this audit, still sees all of it.
    assert moderate.can_see(other, finished.sample)


def test_the_event_log_does_not_show_the_grades_to_an_admin_moderating_blind(
        client, login, users, blind):
    org, audit, sample, _ = blind
    users["moderator"].roles = {"moderator", "admin"}
    from audit_app.eventlog import record

    record("audit", audit.id, "grade_changed", {"question": "overall", "grade": None},
           {"question": "overall", "grade": OUTSTANDING}, actor=users["auditor"])
    db.session.commit()
    assert db.session.scalar(db.select(Event).where(Event.action == "grade_changed"))
    login("moderator")
    page = client.get("/admin/events?entity_type=audit")
    assert page.status_code == 200
    assert OUTSTANDING not in page.text
    # The demo admin, who moderates nothing blind, reads the whole log.
    admin = app_client(client)
    admin.submit("/sign-in", {"email": users["admin"].email, "password": TEST_PASSWORD})
    assert OUTSTANDING in admin.get("/admin/events?entity_type=audit").text


def app_client(client):
    """A second browser on the same app."""
    return client.application.test_client()


def test_the_action_plan_leaves_out_and_says_what_is_moderated_blind(client, login, blind):
    login("moderator")
    left_out = "1 audit you are moderating blind, until you submit your moderation"
    assert left_out in client.get("/plan/?quarter=2026-Q2").text
