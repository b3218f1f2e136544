"""The feed a BI tool reads: the measures command's figures and anonymised audit facts, as
JSON and CSV, checked against the hand-counted fixture of tests/test_measures.py."""

import csv
import io
import json

import pytest
from sqlalchemy import event

from audit_app.extensions import db
from audit_app.feed import facts, tokens
from audit_app.measures.audit_date import counted as counted_audits
from audit_app.measures.compute import KEYS
from audit_app.measures.scope import Scope
from audit_app.models import Audit, Team
from tests.hostile import VALUE, VALUES, urlencoded
from tests.test_authorization_matrix import load_matrix, matrix_ids, outcome
from tests.test_measures import hand_counted
from tests.test_measures import people as measures_people

people = pytest.fixture(measures_people.__wrapped__, name="people")


@pytest.fixture
def bearer(users):
    """Headers carrying a new token of the demo leader's."""
    _token, secret = tokens.issue(users["leader"], "Power BI", 90)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def command_json(app, *args):
    result = app.test_cli_runner().invoke(args=["measures", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def read_csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("query", [
    [("period", "2022-Q2")],
    [("period", "2022-Q2"), ("by", "team"), ("measure", "good_or_better")],
    [("period", "2022-23"), ("service", "Children in Need and Child Protection"),
     ("by", "team"), ("measure", "agreement")],
    [("period", "2022-07"), ("team", "Crewe CIN/CP")],
    [("period", "2022-Q2"), ("cohort", "private_fostering"),
     ("measure", "compliance:voice_of_child"), ("measure", "good_or_better")],
])
def test_the_measures_feed_is_the_measures_command(app, client, people, bearer, query):
    hand_counted(people)
    expected = command_json(app, *[part for name, value in query
                                   for part in (f"--{name}", value)])
    assert expected, "the fixture counts something here"
    response = client.get("/feed/measures.json", query_string=query, headers=bearer)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == expected
    assert [list(row) for row in response.json] == [list(KEYS)] * len(expected)

    rows = read_csv(client.get("/feed/measures.csv", query_string=query, headers=bearer))
    assert rows[0] == list(KEYS)
    assert rows[1:] == [["" if row[key] is None else str(row[key]) for key in KEYS]
                        for row in expected]


def test_the_good_or_better_figure_by_hand(client, people, bearer):
    hand_counted(people)
    found = client.get("/feed/measures.json?period=2022-Q2&measure=good_or_better",
                       headers=bearer).json
    assert [(r["measure"], r["scope"], r["numerator"], r["denominator"]) for r in found] == [
        ("good_or_better", "all", 4, 6)]


def test_audit_facts_follow_the_measures_rules(client, people, bearer):
    made, template, no_overall = hand_counted(people)
    response = client.get("/feed/audits.json?period=2022-Q2", headers=bearer)
    assert response.status_code == 200 and response.is_streamed
    by_id = {row["audit_id"]: row for row in response.json}
    # The counted audits of Q2 only: not the draft (A6), Q1's A8 or the returned A9.
    assert set(by_id) == {made[n].id for n in ("A1", "A2", "A3", "A4", "A5", "A7", "A10")}
    assert list(by_id[made["A1"].id]) == list(facts.COLUMNS)
    a1, a2, a3, a4, a5, a7, a10 = (by_id[made[n].id] for n in
                                   ("A1", "A2", "A3", "A4", "A5", "A7", "A10"))
    assert (a1["overall_grade_as_audited"], a1["overall_grade_final"], a1["moderated"],
            a1["agreed"]) == ("Good", "Good", False, None)
    assert (a2["overall_grade_as_audited"], a2["overall_grade_final"],
            a2["good_or_better_as_audited"], a2["good_or_better_final"], a2["agreed"]) == (
        "Requires improvement to be good", "Good", False, True, False)
    # Ruled on a challenge: the ruling is the final grade.
    assert (a3["overall_grade_final"], a3["good_or_better_final"]) == (
        "Requires improvement to be good", False)
    # Moderated twice: the later moderation agreed.
    assert (a4["overall_grade_final"], a4["agreed"], a4["moderated"]) == (
        "Outstanding", True, True)
    # Counted with the team the case was in when audited.
    assert (a5["team"], a5["service"], a5["overall_grade_final"]) == (
        "Macclesfield CIN/CP", "Children in Need and Child Protection", "Inadequate")
    # 23:30 UTC on 30 June is 1 July in the UK.
    assert (a7["audit_date"], a7["quarter"], a7["financial_year"]) == (
        "2022-07-01", "2022-Q2", "2022-23")
    assert (a10["overall_grade_final"], a10["good_or_better_final"], a10["template"]) == (
        None, None, no_overall.slug)
    # The facts add up to the figure.
    counted = [r for r in by_id.values() if r["good_or_better_final"] is not None]
    assert (sum(r["good_or_better_final"] for r in counted), len(counted)) == (4, 6)
    assert sum(r["agreed"] is True for r in by_id.values()) == 1


def test_audit_facts_name_no_one(client, people, bearer):
    made, *_ = hand_counted(people)
    for path in ("/feed/audits.json", "/feed/audits.csv"):
        body = client.get(path, headers=bearer).get_data(as_text=True)
        assert str(made["A1"].id) in body
        for private in ("LCS-", people["auditor"].name, people["auditor"].email,
                        people["other"].name, "@example.org.uk"):
            assert private not in body, (path, private)


def test_audit_facts_as_csv_count_with_one_and_zero(client, people, bearer):
    made, *_ = hand_counted(people)
    response = client.get("/feed/audits.csv?team=Crewe+CIN/CP&period=2022-23", headers=bearer)
    assert response.headers["Content-Disposition"] == "attachment; filename=audits-2022-23.csv"
    rows = read_csv(response)
    assert rows[0] == list(facts.COLUMNS)
    by_id = {int(row[0]): dict(zip(facts.COLUMNS, row, strict=True)) for row in rows[1:]}
    assert made["A5"].id not in by_id  # Macclesfield's when audited
    assert made["A8"].id in by_id  # Q1, in the financial year
    a2 = by_id[made["A2"].id]
    assert (a2["good_or_better_as_audited"], a2["good_or_better_final"], a2["moderated"],
            a2["agreed"]) == ("0", "1", "1", "0")
    assert by_id[made["A1"].id]["agreed"] == ""


def _statements(work):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(seen)


def test_facts_are_read_a_batch_at_a_time(people):
    hand_counted(people)
    scope = Scope()
    whole, _ = _statements(lambda: list(facts.rows(scope)))
    assert len(whole) == 8  # every submitted audit, all periods
    batched, statements = _statements(lambda: list(facts.rows(scope, batch=3)))
    assert batched == whole
    # The scales, then three batches of at most 3 (the third finds fewer and stops).
    assert statements == 1 + 3


def test_a_county_streams_a_batch_at_a_time(app, client, users, bearer, monkeypatch):
    """The large county generator's county at a small scale, read 30 audits to a query and
    sent in pieces of about 2,000 characters: every audit once, in the same order in both
    formats."""
    from audit_app import downloads
    from benchmarks.large_county import generate

    generate(seed=3, scale=0.004)  # 100 audits
    counted = db.session.scalar(db.select(db.func.count(Audit.id)).where(*counted_audits()))
    assert counted > 60
    monkeypatch.setattr(facts, "BATCH", 30)
    monkeypatch.setattr(downloads, "CHUNK_SIZE", 2000)
    response = client.get("/feed/audits.csv", headers=bearer, buffered=False)
    assert response.is_streamed
    pieces = [p.decode() for p in response.response]
    assert len(pieces) > 3
    rows = list(csv.reader(io.StringIO("".join(pieces)[1:])))
    assert len(rows) == 1 + counted
    assert len({row[0] for row in rows[1:]}) == counted
    listed = client.get("/feed/audits.json", headers=bearer).json
    assert [str(row["audit_id"]) for row in listed] == [row[0] for row in rows[1:]]


def test_cells_that_would_run_as_formulas_are_escaped(client, people, bearer):
    hand_counted(people)
    crewe = db.session.scalar(db.select(Team).where(Team.name == "Crewe CIN/CP"))
    crewe.name = '=HYPERLINK("http://evil.example","x")'
    db.session.scalar(db.select(Team).where(Team.name == "Macclesfield CIN/CP")).name = "@SUM(1)"
    db.session.commit()
    # A scope cell starts "team:", which no spreadsheet runs: it is kept as it is.
    measures = read_csv(client.get("/feed/measures.csv?period=2022-Q2&by=team"
                                   "&measure=good_or_better", headers=bearer))
    assert sorted(row[2] for row in measures[1:]) == ["team:" + crewe.name, "team:@SUM(1)"]
    audit_rows = read_csv(client.get("/feed/audits.csv", headers=bearer))
    teams = {row[4] for row in audit_rows[1:]}
    assert "'" + crewe.name in teams and "'@SUM(1)" in teams
    assert not any(team.startswith(("=", "@")) for team in teams)
    # The JSON carries the name as it is: a JSON reader does not run formulas.
    assert crewe.name in {r["team"] for r in client.get("/feed/audits.json",
                                                        headers=bearer).json}


@pytest.mark.parametrize(("query", "parameter", "words"), [
    ("", "period", "give a period"),
    ("period=2022-Q5", "period", "is not a period"),
    ("period=2022-13", "period", "neither a financial year"),
    ("period=9999-Q4", "period", "is out of range"),
    ("period=2022-Q2&period=2022-Q3", "period", "give period once"),
    ("period=2022-Q2&team=Nowhere", "team", "no team called 'Nowhere'"),
    ("period=2022-Q2&template=nope", "template", "no template with the slug 'nope'"),
    ("period=2022-Q2&auditor=x@y.z", "auditor", "no user with the email 'x@y.z'"),
    ("period=2022-Q2&cohort=pirates", "cohort", "unknown cohort 'pirates'"),
    ("period=2022-Q2&team=Crewe+CIN/CP&service=Fostering", "service", "give at most one of"),
    ("period=2022-Q2&by=colour", "by", "by must be one of team, service"),
    ("period=2022-Q2&measure=nonsense", "measure", "unknown measure 'nonsense'"),
    ("period=2022-Q2&by=team&measure=moderation_coverage", "measure", "whole council only"),
    ("period=2022-Q2&perod=2022-Q3", "perod", "unknown parameter 'perod'"),
])
def test_a_bad_parameter_is_named_in_a_json_400(client, users, bearer, query, parameter,
                                                words):
    for path in ("/feed/measures.json", "/feed/measures.csv"):
        response = client.get(f"{path}?{query}", headers=bearer)
        assert response.status_code == 400
        assert response.mimetype == "application/json"
        assert response.json["parameter"] == parameter
        assert words in response.json["error"]


@pytest.mark.parametrize(("query", "parameter"), [
    ("period=2022-Q9", "period"), ("team=Nowhere", "team"), ("auditor=a@b.c", "auditor"),
    ("by=team", "by"), ("cohort=x&team=y", "cohort"),
])
def test_the_facts_take_fewer_parameters(client, users, bearer, query, parameter):
    response = client.get(f"/feed/audits.csv?{query}", headers=bearer)
    assert (response.status_code, response.json["parameter"]) == (400, parameter)


def test_no_hostile_parameter_gives_a_server_error(client, users, bearer):
    names = {"/feed/measures.json": ("period", "team", "service", "template", "auditor",
                                     "cohort", "by", "measure"),
             "/feed/audits.csv": ("period", "team", "service", "template", "cohort")}
    values = [value for _, value in VALUES] + [VALUE[k] for k in ("NUL inside", "2^63",
                                                                  "far quarter")]
    for path, parameters in names.items():
        for name in parameters:
            for value in values:
                base = {} if name == "period" else {"period": "2022-Q2"}
                query = urlencoded([*base.items(), (name, value)]).decode()
                response = client.get(path, query_string=query, headers=bearer)
                assert response.status_code in (200, 400), (path, name, value[:20])
                assert response.mimetype == "application/json" or \
                    response.status_code == 200, (path, name, value[:20])
                response.get_data()  # a streamed body is made too


def test_a_token_reaches_the_feed_and_nothing_else(app, users, bearer):
    """Every route of the authorization matrix, with a leader's token and no session: the
    feed answers; every other route treats the request as anonymous."""
    app.config["WTF_CSRF_ENABLED"] = False
    ids = matrix_ids(users)
    failures = []
    for row in load_matrix():
        client = app.test_client()
        path = row["path"].format(**ids)
        response = client.open(path, method=row["method"], data={}, headers=bearer)
        expected = "200" if row["endpoint"].startswith("feed.") else row["anonymous"]
        if outcome(response) != expected.format(**ids):
            failures.append(f"{row['method']} {path}: expected {expected}, "
                            f"got {outcome(response)}")
    assert failures == []


def test_what_a_reader_moderates_blind_is_left_out(app, people, bearer):
    """A leader who also moderates does not learn an auditor's grade from the feed while
    moderating that audit blind, as the agreement report keeps it from them."""
    from audit_app.models import ModerationSample
    from tests.moderation_factories import make_round, make_user

    made, *_ = hand_counted(people)
    blind = make_user("Bo Both", roles=("leader", "moderator"))
    db.session.add(ModerationSample(round_id=make_round(name="Blind").id,
                                    audit_id=made["A1"].id, reason="random", position=1,
                                    moderator_id=blind.id))
    _token, secret = tokens.issue(blind, "Bo's report", 30)
    db.session.commit()
    theirs = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()

    def audit_ids(headers):
        return {row["audit_id"] for row in client.get("/feed/audits.json?period=2022-Q2",
                                                      headers=headers).json}

    def good_or_better(headers):
        row, = client.get("/feed/measures.json?period=2022-Q2&measure=good_or_better",
                          headers=headers).json
        return row["numerator"], row["denominator"]

    assert made["A1"].id in audit_ids(bearer)
    assert made["A1"].id not in audit_ids(theirs)
    assert good_or_better(bearer) == (4, 6)
    assert good_or_better(theirs) == (3, 5)


def test_a_signed_in_leader_opens_the_feed_in_the_browser(client, login, people):
    hand_counted(people)
    login("leader")
    response = client.get("/feed/measures.json?period=2022-Q2&measure=good_or_better")
    assert response.status_code == 200 and response.json[0]["numerator"] == 4
    assert response.headers["Cache-Control"] == "no-store"


def test_other_signed_in_users_are_refused_in_json(client, login):
    login("moderator")
    response = client.get("/feed/measures.json?period=2022-Q2")
    assert response.status_code == 403 and response.mimetype == "application/json"
    assert "leaders and administrators" in response.json["error"]
