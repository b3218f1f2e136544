"""Moderation rounds: a QA officer sets up a quarter's round, draws a reproducible sample,
shares it between moderators, picks audits by hand; an admin redraws with a reason."""

from datetime import date, datetime

import numpy
import pytest
from sqlalchemy.exc import IntegrityError

from audit_app.admin import services as admin
from audit_app.extensions import db
from audit_app.models import Event, Moderation, ModerationRound, ModerationSample
from audit_app.moderation import rounds
from audit_app.versioning import EditConflict
from tests import factories
from tests.conftest import TEST_PASSWORD

Q2_START, Q2_END = date(2026, 7, 1), date(2026, 9, 30)
Q2 = "/moderation/rounds"


class Org:
    """Submitted audits of one template, made straight in the database: the frame only
    reads status, submission time, grade, team and auditor."""

    def __init__(self, users):
        self.users = users
        self.template = factories.make_template()
        self.programme = factories.make_programme(self.template)
        self.count = 0

    def person(self, local, name, roles, team=None):
        return admin.create_user(
            email=f"{local}@example.org.uk", name=name, roles=roles, password=TEST_PASSWORD,
            team_id=factories.team(team).id if team else None)

    def audit(self, team="Crewe CIN/CP", auditor=None, grade="Good",
              submitted=datetime(2026, 8, 3, 10, 0), status="submitted", reference=None,
              programme=None):
        self.count += 1
        case = factories.make_case(reference or f"LCS-{7000 + self.count}", team_name=team)
        audit = factories.make_audit(programme or self.programme, case,
                                     auditor or self.users["auditor"], status=status)
        if status == "submitted":
            audit.submitted_at = submitted
            scale = audit.template_version.scale
            audit.overall_grade, audit.overall_rank = grade, scale.index(grade)
        db.session.flush()
        return audit


@pytest.fixture
def org(app, users):
    org = Org(users)
    db.session.commit()
    return org


def new_round(users, moderators=None, **overrides):
    values = dict(name="Q2 2026-27 QA moderation", period_start=Q2_START, period_end=Q2_END,
                  kind="qa_quarterly", mode="blind", quota=9, method="simple_random",
                  moderators=moderators or [users["moderator"]], actor=users["moderator"])
    values.update(overrides)
    round_ = rounds.create_round(**values)
    db.session.commit()
    return round_


def drawn_ids(round_):
    db.session.expire_all()
    return [s.audit_id for s in db.session.get(ModerationRound, round_.id).samples]


def events(action):
    return db.session.scalars(db.select(Event).where(Event.action == action)).all()


def form_data(users, **overrides):
    data = {
        "name": "Q2 2026-27 QA moderation",
        "period_start": ["1", "7", "2026"], "period_end": ["30", "9", "2026"],
        "kind": "qa_quarterly", "mode": "blind", "quota": "9", "method": "stratified_team",
        "moderator_ids": [str(users["moderator"].id)],
    }
    data.update(overrides)
    return data


def error_links(response):
    return [(a.get_text(strip=True), a["href"])
            for a in response.soup.select(".govuk-error-summary a")]


# --- journeys through the pages ----------------------------------------------------------


def test_qa_officer_creates_a_round_and_draws_a_stratified_sample(client, login, users, org):
    for _ in range(8):
        org.audit(team="Crewe CIN/CP")
    for _ in range(3):
        org.audit(team="Macclesfield CIN/CP")
    org.audit(team="Care Leavers")
    org.audit(team="Care Leavers", submitted=datetime(2026, 10, 1, 9, 0))  # next quarter
    org.audit(team="Care Leavers", status="in_progress")  # not submitted
    db.session.commit()

    login("moderator")
    assert "There are no moderation rounds yet." in client.get(Q2).text
    response = client.submit(f"{Q2}/new", form_data(users))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.soup.h1.get_text(strip=True) == "Q2 2026-27 QA moderation"
    assert "Round Q2 2026-27 QA moderation created." in page.text
    assert "The frame now holds 12 submitted audits from the period" in page.text

    [round_] = db.session.scalars(db.select(ModerationRound)).all()
    view = f"{Q2}/{round_.id}"
    response = client.submit(f"{view}/draw", {"seed": "20260701"}, page=view)
    assert response.headers["Location"] == view
    page = client.get(view)
    assert "9 audits drawn from a frame of 12." in page.text
    summary = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
               for row in page.soup.select(".govuk-summary-list__row")}
    assert summary["Frame size"] == "12 submitted audits in the period matched the filters"
    assert summary["Seed"] == "20260701"
    assert summary["NumPy version"] == numpy.__version__
    assert summary["Method"] == "Stratified by team"
    assert summary["Moderated"] == "0 of 9"
    assert "the same method with the same seed on the same frame gives the same audits" in (
        page.text)

    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in page.soup.select("tbody tr")]
    assert len(rows) == 9
    # 8, 3 and 1 of 12: shares 6, 2 and 1 of 9.
    assert sorted(r[1] for r in rows) == ["Care Leavers"] + ["Crewe CIN/CP"] * 6 + [
        "Macclesfield CIN/CP"] * 2
    assert {r[3] for r in rows} == {"Stratified by team"}
    assert {r[4] for r in rows} == {"Morgan Moderator"}
    assert {r[5] for r in rows} == {"Not started"}
    link = page.soup.select_one("tbody a")
    sample = db.session.scalars(db.select(ModerationSample).order_by(ModerationSample.position)
                                ).first()
    assert link["href"] == f"/moderation/samples/{sample.id}"
    assert link.get_text() == sample.audit.case.reference

    [drawn] = events("drawn")
    assert drawn.entity_type == "moderation_round" and drawn.entity_id == round_.id
    assert drawn.actor_id == users["moderator"].id
    assert drawn.after["seed"] == 20260701 and drawn.after["method"] == "stratified_team"
    db.session.refresh(round_)
    assert drawn.after["numpy_version"] == numpy.__version__ == round_.numpy_version
    assert drawn.after["frame_size"] == 12 and len(drawn.after["frame_audit_ids"]) == 12
    assert drawn.after["audit_ids"] == drawn_ids(round_)

    listing = client.get(Q2)
    cells = [td.get_text(" ", strip=True) for td in listing.soup.select("tbody td")]
    assert cells[:7] == ["Q2 2026-27 QA moderation", "Quality assurance officer (quarterly)",
                         "1 July 2026 to 30 September 2026", "Blind", "9", "0 of 9",
                         "9 drawn"]


def test_a_draw_is_repeated_by_its_seed_method_and_frame(client, login, users, org):
    second = org.person("auditor2", "Bo Auditor", {"auditor"}, "Fostering")
    for auditor in [users["auditor"]] * 6 + [second] * 6:
        org.audit(auditor=auditor)
    db.session.commit()
    first = new_round(users, method="stratified_auditor", mode="open")
    rounds.draw(first, users["moderator"], seed=424242)
    db.session.commit()
    # A second round over the same frame (so it includes audits already sampled).
    again = new_round(users, name="Repeat", method="stratified_auditor", include_moderated=True)
    login("moderator")
    view = f"{Q2}/{again.id}"
    client.submit(f"{view}/draw", {"seed": "424242"}, page=view)
    assert drawn_ids(again) == drawn_ids(first)
    other = new_round(users, name="Other seed", method="stratified_auditor",
                      include_moderated=True)
    rounds.draw(other, users["moderator"], seed=424243)
    assert drawn_ids(other) != drawn_ids(first)


def test_audits_sampled_in_another_round_are_left_out_unless_asked(client, login, users, org):
    for _ in range(4):
        org.audit()
    db.session.commit()
    earlier = new_round(users, name="Independent auditor, July", kind="independent", quota=3,
                        mode="open")
    rounds.draw(earlier, users["moderator"], seed=1)
    db.session.commit()

    later = new_round(users, name="QA officer, Q2", mode="open")
    frame = rounds.frame_for(later)
    assert (frame.size, frame.excluded) == (1, 3)
    login("moderator")
    page = client.get(f"{Q2}/{later.id}")
    assert ("The frame now holds 1 submitted audit from the period, leaving out 3 already "
            "sampled in another round.") in page.text
    client.submit(f"{Q2}/{later.id}/draw", {}, page=f"{Q2}/{later.id}")
    assert drawn_ids(later) == sorted(set(a.id for a in org.programme.audits)
                                      - set(drawn_ids(earlier)))
    assert "leaving out 3 already sampled in another round" in client.get(
        f"{Q2}/{later.id}").text

    asked = new_round(users, name="Second look", include_moderated=True)
    assert rounds.frame_for(asked).size == 4
    # A round's own sample never counts as "another round"; the later round's does.
    frame = rounds.frame_for(earlier)
    assert (frame.size, frame.excluded) == (3, 1)


def test_a_moderator_is_never_given_their_own_audit(client, login, users, org):
    both = org.person("senior", "Sasha Senior", {"auditor", "moderator"}, "Crewe CIN/CP")
    for _ in range(5):
        org.audit(auditor=both)
    for _ in range(5):
        org.audit()
    db.session.commit()
    shared = new_round(users, quota=10, moderators=[users["moderator"], both], mode="open")
    samples, unassigned = rounds.draw(shared, users["moderator"], seed=99)
    db.session.commit()
    assert unassigned == []
    assert all(s.moderator_id != s.audit.auditor_id for s in samples)
    assert {s.moderator_id for s in samples} == {users["moderator"].id, both.id}

    alone = new_round(users, name="Only Sasha", quota=10, moderators=[both],
                      include_moderated=True)
    login("moderator")
    view = f"{Q2}/{alone.id}"
    client.submit(f"{view}/draw", {"seed": "5"}, page=view)
    page = client.get(view)
    assert ("5 of the audits have no moderator: everyone moderating this round wrote them."
            in page.text)
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in page.soup.select("tbody tr")]
    mine = [r for r in rows if r[2] == "Sasha Senior"]
    assert len(mine) == 5
    assert {r[4] for r in mine} == {"Nobody: everyone moderating this round wrote this audit"}
    assert {r[4] for r in rows if r[2] != "Sasha Senior"} == {"Sasha Senior"}
    [drawn] = [e for e in events("drawn") if e.entity_id == alone.id]
    assert len(drawn.after["unassigned_audit_ids"]) == 5


def test_redraw_needs_an_admin_and_a_reason_and_is_logged(client, login, users, org):
    for _ in range(12):
        org.audit()
    db.session.commit()
    round_ = new_round(users)
    rounds.draw(round_, users["moderator"], seed=7)
    db.session.commit()
    before = drawn_ids(round_)
    redraw = f"{Q2}/{round_.id}/redraw"

    login("moderator")
    assert "Redraw the sample" not in client.get(f"{Q2}/{round_.id}").text
    assert client.get(redraw).status_code == 403
    assert client.submit(redraw, {"reason": "x"}, page=f"{Q2}/{round_.id}").status_code == 403
    with pytest.raises(rounds.RoundError, match="Only an administrator"):
        rounds.redraw(round_, users["moderator"], "Wrong period")

    client = client.application.test_client()
    client.submit("/sign-in", {"email": users["admin"].email, "password": TEST_PASSWORD})
    assert "Redraw the sample" in client.get(f"{Q2}/{round_.id}").text
    response = client.submit(redraw, {"reason": "   "})
    assert response.status_code == 200
    assert error_links(response) == [("Enter the reason for redrawing the sample", "#reason")]
    assert drawn_ids(round_) == before

    response = client.submit(redraw, {"reason": "Drawn before the late audits were in.",
                                      "seed": "8"})
    assert response.headers["Location"] == f"{Q2}/{round_.id}"
    after = drawn_ids(round_)
    assert after != before and len(after) == 9
    [event] = events("redrawn")
    assert event.actor_id == users["admin"].id
    assert event.note == "Drawn before the late audits were in."
    assert event.before["audit_ids"] == before and event.before["seed"] == 7
    assert event.after["audit_ids"] == after and event.after["seed"] == 8

    # Once someone starts moderating, the sample stays.
    sample = db.session.get(ModerationRound, round_.id).samples[0]
    db.session.add(Moderation(sample_id=sample.id, audit_id=sample.audit_id,
                              moderator_id=users["moderator"].id, mode="blind"))
    db.session.commit()
    page = client.get(redraw)
    assert "Moderation has started on 1 audit in this round" in page.text
    assert page.soup.select_one("form textarea") is None
    client.submit(redraw, {"reason": "Again"}, page=f"{Q2}/{round_.id}")
    assert drawn_ids(round_) == after
    with pytest.raises(rounds.RoundError, match="Moderation has started on 1 of the audits"):
        rounds.redraw(db.session.get(ModerationRound, round_.id), users["admin"], "Again")


def test_a_round_is_drawn_only_once(client, login, users, org):
    org.audit()
    db.session.commit()
    round_ = new_round(users)
    login("moderator")
    view = f"{Q2}/{round_.id}"
    page = client.get(view)
    version = page.soup.find("input", attrs={"name": "version"})["value"]
    client.submit(f"{view}/draw", {}, page=view)
    # A second click from the page as it was before the draw.
    response = client.post(f"{view}/draw", data={"version": version,
                                                 "csrf_token": page.soup.find(
                                                     "input", attrs={"name": "csrf_token"}
                                                 )["value"]})
    assert response.status_code == 200
    assert error_links(response) == [(
        "This round has already been drawn. An administrator can redraw it, giving a reason",
        "#sample")]
    assert len(drawn_ids(round_)) == 1
    assert len(events("drawn")) == 1


def test_a_draw_from_a_stale_page_is_a_conflict(users, org):
    org.audit()
    db.session.commit()
    round_ = new_round(users)
    with pytest.raises(EditConflict):
        rounds.draw(round_, users["moderator"], version=round_.row_version - 1)


def test_nothing_to_draw_says_so_and_leaves_the_round_undrawn(client, login, users, org):
    org.audit(submitted=datetime(2026, 6, 30, 22, 59))  # 23:59 UK time: the quarter before
    db.session.commit()
    round_ = new_round(users)
    login("moderator")
    view = f"{Q2}/{round_.id}"
    response = client.submit(f"{view}/draw", {}, page=view)
    assert error_links(response) == [(
        "No submitted audits match this round's period and filters, so there is nothing to "
        "draw", "#sample")]
    db.session.expire_all()
    assert db.session.get(ModerationRound, round_.id).drawn_at is None


def test_the_frame_is_the_period_inclusive_and_the_filters(users, org):
    second = org.person("auditor2", "Bo Auditor", {"auditor"})
    other_template = factories.make_template(slug="thematic", name="PLO thematic audit",
                                             purpose="thematic")
    thematic = factories.make_programme(other_template, name="PLO")
    # Stored in UTC; the period is whole UK days, and UK summer time is UTC+1.
    first_moment = org.audit(submitted=datetime(2026, 6, 30, 23, 0))  # 00:00 on 1 July
    last_moment = org.audit(submitted=datetime(2026, 9, 30, 22, 59, 59))  # 23:59:59, 30 Sept
    org.audit(submitted=datetime(2026, 9, 30, 23, 0))  # 00:00 on 1 October
    org.audit(submitted=datetime(2026, 6, 30, 22, 59, 59))  # 23:59:59 on 30 June
    fostering = org.audit(team="Fostering", auditor=second)
    plo = org.audit(programme=thematic)
    db.session.commit()

    def frame(**filters):
        round_ = new_round(users, name=str(filters), **filters)
        return [r.audit_id for r in rounds.frame_for(round_).records]

    assert frame() == [first_moment.id, last_moment.id, fostering.id, plo.id]
    assert frame(template_id=other_template.id) == [plo.id]
    assert frame(team_ids=[factories.team("Fostering").id]) == [fostering.id]
    assert frame(auditor_ids=[users["auditor"].id]) == [first_moment.id, last_moment.id,
                                                        plo.id]
    assert frame(template_id=org.template.id, auditor_ids=[second.id]) == [fostering.id]


def test_targeted_round_takes_the_extremes_and_audits_picked_by_hand(client, login, users, org):
    best = org.audit(grade="Outstanding", reference="LCS-OUT")
    worst = org.audit(grade="Inadequate", reference="LCS-INAD")
    org.audit(grade="Good", reference="LCS-GOOD")
    org.audit(grade="Good", reference="LCS-LATE", submitted=datetime(2026, 11, 2, 9, 0))
    taken = org.audit(grade="Good", reference="LCS-TAKEN")
    db.session.commit()
    elsewhere = new_round(users, name="Elsewhere", method="targeted")
    db.session.add(ModerationSample(round_id=elsewhere.id, audit_id=taken.id, position=1,
                                    reason="hand_picked"))
    round_ = new_round(users, method="targeted", mode="open")
    login("moderator")
    view = f"{Q2}/{round_.id}"
    assert client.get(view).soup.find("input", attrs={"name": "reference"}) is None
    client.submit(f"{view}/draw", {}, page=view)
    page = client.get(view)
    reasons = {tr.select("td")[0].get_text(strip=True): tr.select("td")[3].get_text(strip=True)
               for tr in page.soup.select("tbody tr")}
    assert reasons == {"LCS-OUT": "Targeted: judged Outstanding",
                       "LCS-INAD": "Targeted: judged Inadequate"}

    pick = f"{view}/pick"
    for reference, message in [
        ("", "Enter the case reference"),
        ("LCS-NOPE", "There is no case with the reference LCS-NOPE"),
        ("LCS-LATE", "Case LCS-LATE has no submitted audit in this round's period and filters"),
        ("LCS-TAKEN", "The audit of case LCS-TAKEN is already in another round's sample"),
        ("LCS-OUT", "Case LCS-OUT is already in this round's sample"),
    ]:
        response = client.submit(pick, {"reference": reference}, page=view)
        assert response.status_code == 200
        assert error_links(response) == [(message, "#reference")]
    response = client.submit(pick, {"reference": " LCS-GOOD "}, page=view)
    assert response.headers["Location"] == view
    page = client.get(view)
    assert "Case LCS-GOOD added to the sample." in page.text
    last = page.soup.select("tbody tr")[-1].select("td")
    assert [last[0].get_text(strip=True), last[3].get_text(strip=True),
            last[4].get_text(strip=True)] == ["LCS-GOOD", "Picked by hand", "Morgan Moderator"]
    [picked] = events("picked")
    assert picked.after["reference"] == "LCS-GOOD"
    assert [best.id, worst.id] == drawn_ids(round_)[:2]


def test_picking_is_only_for_drawn_targeted_rounds(client, login, users, org):
    org.audit(reference="LCS-ANY")
    db.session.commit()
    round_ = new_round(users)
    rounds.draw(round_, users["moderator"], seed=1)
    db.session.commit()
    login("moderator")
    view = f"{Q2}/{round_.id}"
    response = client.submit(f"{view}/pick", {"reference": "LCS-ANY"}, page=view)
    assert response.headers["Location"] == view
    assert "only be picked by hand in a targeted round" in client.get(view).text
    with pytest.raises(rounds.RoundError, match="only be picked by hand"):
        rounds.pick(round_, users["moderator"], "LCS-ANY")


def test_redraw_keeps_audits_picked_by_hand(users, org):
    org.audit(grade="Outstanding")
    org.audit(grade="Good", reference="LCS-HAND")
    for _ in range(5):
        org.audit(grade="Good")
    db.session.commit()
    round_ = new_round(users, method="targeted_then_random", quota=3)
    rounds.draw(round_, users["moderator"], seed=3)
    hand = rounds.pick(round_, users["moderator"], "LCS-HAND")
    db.session.commit()
    rounds.redraw(round_, users["admin"], "Quota agreed at 3 after all", seed=4)
    db.session.commit()
    reasons = {s.audit_id: s.reason for s in db.session.get(ModerationRound, round_.id).samples}
    assert reasons[hand.audit_id] == "hand_picked"
    assert list(reasons.values()).count("targeted_top") == 1


def test_blind_round_does_not_reveal_which_end_a_targeted_audit_was_judged(
        client, login, users, org):
    org.audit(grade="Inadequate", reference="LCS-INAD")
    db.session.commit()
    round_ = new_round(users, method="targeted", mode="blind")
    [sample], _ = rounds.draw(round_, users["moderator"], seed=1)
    db.session.commit()
    login("moderator")
    cell = client.get(f"{Q2}/{round_.id}").soup.select("tbody td")[3].get_text(strip=True)
    assert cell == "Targeted: judged Outstanding or Inadequate"
    assert sample.reason == "targeted_bottom"  # kept for the record
    db.session.add(Moderation(sample_id=sample.id, audit_id=sample.audit_id,
                              moderator_id=users["moderator"].id, mode="blind",
                              status="submitted", submitted_at=datetime(2026, 10, 5)))
    db.session.commit()
    page = client.get(f"{Q2}/{round_.id}")
    assert page.soup.select("tbody td")[3].get_text(strip=True) == "Targeted: judged Inadequate"
    assert page.soup.select("tbody td")[5].get_text(strip=True) == "Submitted"
    listing = client.get(Q2)
    assert "1 of 9" in [td.get_text(strip=True) for td in listing.soup.select("tbody td")]


def test_reasons_are_stored_as_codes_and_shown_on_the_audits_own_scale(
        app, client, login, users, org):
    """A targeted audit is judged at the top or bottom of its own template's scale, whatever
    that scale's words; a blind moderator sees both ends, on every page, until submitting."""
    template = factories.make_template(slug="three-point", name="Three-point audit")
    template.latest_published.scale = ["Excellent", "Adequate", "Poor"]
    programme = factories.make_programme(template, name="Three-point programme")
    org.audit(grade="Inadequate", reference="LCS-INAD")  # the Ofsted scale's worst
    for reference, grade in (("LCS-EXC", "Excellent"), ("LCS-POOR", "Poor"),
                             ("LCS-ADEQ", "Adequate")):
        org.audit(grade=grade, reference=reference, programme=programme)
    db.session.commit()
    open_round = new_round(users, name="Open", method="targeted", mode="open",
                           include_moderated=True)
    blind_round = new_round(users, name="Blind", method="targeted", mode="blind",
                            include_moderated=True)
    for round_ in (open_round, blind_round):
        rounds.draw(round_, users["moderator"], seed=1)
    db.session.commit()
    stored = {(s.round_id, s.audit.case.reference): s.reason
              for s in db.session.scalars(db.select(ModerationSample))}
    assert stored[(open_round.id, "LCS-EXC")] == "targeted_top"
    assert stored[(open_round.id, "LCS-POOR")] == stored[(open_round.id, "LCS-INAD")] == (
        "targeted_bottom")
    assert (open_round.id, "LCS-ADEQ") not in stored

    def why_chosen(round_, reader=client):
        page = reader.get(f"{Q2}/{round_.id}")
        return {tr.select("td")[0].get_text(strip=True): tr.select("td")[3].get_text(strip=True)
                for tr in page.soup.select("tbody tr")}

    # The admin reads the open round as drawn; the moderator, who has the same audits in an
    # unfinished blind round, sees both ends of the scale there too.
    admin_client = app.test_client()
    admin_client.submit("/sign-in", {"email": users["admin"].email, "password": TEST_PASSWORD})
    assert why_chosen(open_round, admin_client) == {"LCS-INAD": "Targeted: judged Inadequate",
                                      "LCS-EXC": "Targeted: judged Excellent",
                                      "LCS-POOR": "Targeted: judged Poor"}
    login("moderator")
    assert why_chosen(open_round) == {
        "LCS-INAD": "Targeted: judged Outstanding or Inadequate",
        "LCS-EXC": "Targeted: judged Excellent or Poor",
        "LCS-POOR": "Targeted: judged Excellent or Poor"}
    assert why_chosen(blind_round) == {
        "LCS-INAD": "Targeted: judged Outstanding or Inadequate",
        "LCS-EXC": "Targeted: judged Excellent or Poor",
        "LCS-POOR": "Targeted: judged Excellent or Poor"}
    # The blind sample's own page and the moderator's home page keep the grade hidden too.
    poor = next(s for s in db.session.get(ModerationRound, blind_round.id).samples
                if s.audit.case.reference == "LCS-POOR")
    start = client.get(f"/moderation/samples/{poor.id}")
    assert "Targeted: judged Excellent or Poor" in start.text
    assert "judged Poor" not in start.text
    home = client.get("/").soup
    blind_items = {a.get_text() for a in home.select("#panel-moderations ~ ul a")
                   if a["href"] in {f"/moderation/samples/{s.id}"
                                    for s in db.session.get(ModerationRound,
                                                            blind_round.id).samples}}
    assert blind_items == {"Case LCS-INAD (Targeted: judged Outstanding or Inadequate)",
                           "Case LCS-EXC (Targeted: judged Excellent or Poor)",
                           "Case LCS-POOR (Targeted: judged Excellent or Poor)"}


def test_the_database_refuses_a_reason_that_is_not_a_code(users, org):
    audit = org.audit()
    round_ = new_round(users)
    db.session.add(ModerationSample(round_id=round_.id, audit_id=audit.id, position=1,
                                    reason="Random"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_leaders_read_rounds_but_change_nothing(client, login, users, org):
    org.audit()
    db.session.commit()
    undrawn = new_round(users, name="Not drawn yet")
    drawn = new_round(users, name="Drawn", method="targeted", include_moderated=True)
    org.audit(grade="Outstanding")
    rounds.draw(drawn, users["moderator"], seed=1)
    db.session.commit()
    login("leader")
    listing = client.get(Q2)
    assert "Create a round" not in listing.text
    assert listing.soup.select_one("a[href='/moderation/rounds/new']") is None
    assert client.get(f"{Q2}/{undrawn.id}").soup.select_one("form[action$='/draw']") is None
    page = client.get(f"{Q2}/{drawn.id}")
    assert page.soup.select_one("form[action$='/pick']") is None
    assert "Redraw the sample" not in page.text
    assert client.submit(f"{Q2}/{undrawn.id}/draw", {}, page=Q2).status_code == 403


# --- validation ---------------------------------------------------------------------------


def test_an_empty_round_form_says_what_to_fill_in(client, login, users):
    login("moderator")
    page = client.get(f"{Q2}/new")
    assert page.soup.find("input", attrs={"name": "quota"})["value"] == "9"
    checked_mode = page.soup.find("input", attrs={"name": "mode", "checked": True})
    assert checked_mode["value"] == "blind"
    response = client.submit(f"{Q2}/new", {"quota": "", "mode": ""})
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: Create a moderation round")
    assert error_links(response) == [
        ("Enter a name for the round", "#name"),
        ("Enter the start of the period", "#period_start"),
        ("Enter the end of the period", "#period_end"),
        ("Select the kind of round", "#kind"),
        ("Select the mode", "#mode"),
        ("Enter the quota", "#quota"),
        ("Select the sampling method", "#method"),
        ("Select at least one moderator", "#moderator_ids"),
    ]
    assert db.session.scalar(db.select(db.func.count(ModerationRound.id))) == 0


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"period_start": ["31", "2", "2026"]},
     ("Period start must be a real date", "#period_start")),
    ({"period_end": ["30", "6", "2026"]},
     ("Period end must be the same as or after the start", "#period_end")),
    ({"quota": "0"}, ("Quota must be a whole number from 1 to 500", "#quota")),
    ({"quota": "nine"}, ("Quota must be a whole number from 1 to 500", "#quota")),
    ({"name": "x" * 201}, ("Round name must be 200 characters or fewer", "#name")),
    # A blank or tampered team or auditor tick was a 500 (int('') in rounds.py).
    ({"team_ids": [""]}, ("Teams must be one of the options shown", "#team_ids")),
    ({"team_ids": [" ", "abc"]}, ("Teams must be one of the options shown", "#team_ids")),
    ({"auditor_ids": [""]}, ("Auditors must be one of the options shown", "#auditor_ids")),
])
def test_round_form_errors_are_specific(client, login, users, overrides, expected):
    login("moderator")
    response = client.submit(f"{Q2}/new", form_data(users, **overrides))
    assert error_links(response) == [expected]


def test_only_moderators_can_be_named_as_moderators(client, login, users):
    login("moderator")
    response = client.submit(f"{Q2}/new", form_data(
        users, moderator_ids=[str(users["auditor"].id)]))
    assert response.status_code == 200
    assert [href for _, href in error_links(response)] == ["#moderator_ids"]
    with pytest.raises(rounds.RoundError, match="moderator role"):
        new_round(users, moderators=[users["auditor"]])


def test_filters_are_kept_and_shown(client, login, users, org):
    login("moderator")
    response = client.submit(f"{Q2}/new", form_data(
        users, template_id=str(org.template.id),
        team_ids=[str(factories.team("Fostering").id), str(factories.team("Care Leavers").id)],
        auditor_ids=[str(users["auditor"].id)], include_moderated="y", mode="open",
        kind="independent", quota="20"))
    page = client.get(response.headers["Location"])
    summary = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
               for row in page.soup.select(".govuk-summary-list__row")}
    assert summary["Template"] == org.template.name
    assert summary["Teams"] == "Care Leavers, Fostering"
    assert summary["Auditors"] == "Aisha Auditor"
    assert summary["Audits sampled in another round"] == "Included"
    assert summary["Mode"] == "Open" and summary["Kind"] == "Independent auditor"
    assert summary["Quota"] == "20 audits"
    [created] = [e for e in events("created") if e.entity_type == "moderation_round"]
    assert created.entity_type == "moderation_round"
    assert created.after["filters"]["auditor_ids"] == [users["auditor"].id]
    assert created.after["moderator_ids"] == [users["moderator"].id]


@pytest.mark.parametrize("seed", ["abc", "-1", str(2**63)])
def test_a_bad_seed_is_refused(client, login, users, org, seed):
    org.audit()
    db.session.commit()
    round_ = new_round(users)
    login("moderator")
    view = f"{Q2}/{round_.id}"
    response = client.submit(f"{view}/draw", {"seed": seed}, page=view)
    assert error_links(response) == [
        ("The seed must be a whole number from 0 to 9223372036854775807", "#seed")]
    assert drawn_ids(round_) == []


def test_round_pages_make_the_same_number_of_queries_however_many_audits(
        client, login, users, org):
    from sqlalchemy import event

    def count_queries(path):
        statements = []

        def on_execute(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
        return len(statements)

    def round_of(n, name):
        for _ in range(n):
            org.audit()
        db.session.commit()
        round_ = new_round(users, name=name, quota=n)
        samples, _ = rounds.draw(round_, users["moderator"], seed=1)
        db.session.add(Moderation(sample_id=samples[0].id, audit_id=samples[0].audit_id,
                                  moderator_id=users["moderator"].id, mode="blind"))
        db.session.commit()
        return f"{Q2}/{round_.id}"

    login("moderator")
    few, many = round_of(2, "Few"), round_of(15, "Many")
    assert count_queries(few) == count_queries(many)
    before = count_queries(Q2)
    round_of(3, "More")
    assert count_queries(Q2) == before


def test_the_services_refuse_what_the_pages_would_never_send(users, org):
    org.audit(reference="LCS-ONE")
    db.session.commit()
    with pytest.raises(rounds.RoundError, match="Period end must be") as refused:
        new_round(users, period_end=date(2026, 6, 30))
    assert refused.value.field == "period_end"
    round_ = new_round(users, method="targeted")
    for attempt in (lambda: rounds.draw(round_, users["auditor"]),
                    lambda: rounds.pick(round_, users["leader"], "LCS-ONE")):
        with pytest.raises(rounds.RoundError, match="Only a moderator or an administrator"):
            attempt()
    with pytest.raises(rounds.RoundError, match="Draw the sample before picking"):
        rounds.pick(round_, users["moderator"], "LCS-ONE")
    with pytest.raises(rounds.RoundError, match="has not been drawn yet"):
        rounds.redraw(round_, users["admin"], "Because")
