"""Importing historical results into the database: what a good file adds, importing it again,
a changed grade, the figures, read-only imported audits, the command and the upload page.

The file's rows are checked without a database in test_results_import_checks.py.
"""

import io
from datetime import date, datetime

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from audit_app.cases.importer import ImportRejected
from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.compute import compute
from audit_app.measures.coverage import coverage
from audit_app.measures.periods import Quarter
from audit_app.measures.scope import Scope
from audit_app.models import (
    Answer,
    Audit,
    Case,
    Event,
    Moderation,
    ModerationGrade,
    User,
)
from audit_app.moderation import rounds
from audit_app.results_import import routes
from audit_app.results_import.service import import_results, source_name
from tests import factories
from tests.moderation_factories import (
    GOOD,
    INAD,
    RI,
    make_moderated,
    make_round,
    submitted_audit,
)
from tests.pages import csrf_token_from

Q2 = Quarter(2022, 2)
HEADER = ("case_reference,team,template,auditor,audited_on,overall,assessment,oversight,"
          "voice_seen,visits,opened_on,moderator,moderated_on,moderated_overall,"
          "moderated_oversight")
AUDITOR, MODERATOR = "t.manager@council.gov.uk", "qa.officer@council.gov.uk"


def results(*rows, header=HEADER):
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def imported(*rows, name="results-2022.csv", **options):
    report = import_results(results(*rows), name, **options)
    db.session.commit()
    return report


def problems(*rows):
    with pytest.raises(ImportRejected) as error:
        import_results(results(*rows), "results.csv")
    db.session.rollback()
    return [str(p) for p in error.value.problems]


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def template(users):
    """The small case-file template (assessment, oversight graded; voice_seen yes/no;
    visits a number), under the slug "small"."""
    made = factories.make_template(slug="small")
    db.session.commit()
    return made


# --- a good file -----------------------------------------------------------------------------


def test_a_good_file_adds_audits_moderations_cases_and_inactive_accounts(template, users):
    known = factories.make_case("LCS-500", team_name="Crewe CIN/CP", opened_on=date(2020, 1, 6))
    db.session.commit()
    report = imported(
        f"LCS-500,Fostering,small,{AUDITOR},2022-07-04,Good,Good,Good,yes,3,,"
        f"{MODERATOR},2022-08-01,RI,Inadequate",
        "LCS-501,Fostering,small,auditor@example.org.uk,05/07/2022,RI,,,n/a,,01/02/2021,,,,",
        f"lcs-501,Crewe CIN/CP,small,{AUDITOR},2022-09-30,Outstanding,,,,,,,,,",
    )
    assert (report.audits, report.moderations, report.cases, report.accounts) == (
        3, 1, 1, (AUDITOR, MODERATOR))
    assert str(report) == "3 audits, 1 moderation, 1 case and 2 accounts added"

    # A known case stays in its team; a new one joins the team of its latest audit.
    assert db.session.get(Case, known.id).team.name == "Crewe CIN/CP"
    new_case = db.session.scalar(db.select(Case).where(Case.reference == "LCS-501"))
    assert (new_case.team.name, new_case.opened_on) == ("Crewe CIN/CP", date(2021, 2, 1))

    audit = db.session.scalar(db.select(Audit).where(Audit.case_id == known.id))
    assert (audit.status, audit.programme_id, audit.imported_from, audit.is_imported) == (
        "submitted", None, "results-2022.csv", True)
    # Counted on its audit date, in the row's team, on the template's latest version.
    assert (audit.audited_on, audit.team.name, audit.template_version.template.slug) == (
        date(2022, 7, 4), "Fostering", "small")
    assert audit.submitted_at == datetime(2022, 7, 3, 23, 0)  # midnight, UK summer time
    assert (audit.overall_grade, audit.overall_rank) == (GOOD, 1)
    assert sorted((a.question.key, a.value, a.grade_rank) for a in audit.answers) == [
        ("assessment", GOOD, 1), ("oversight", GOOD, 1), ("visits", "3", None),
        ("voice_seen", "yes", None)]

    moderation = db.session.scalar(db.select(Moderation))
    assert (moderation.audit_id, moderation.sample_id, moderation.status,
            moderation.submitted_on, moderation.moderator.email, moderation.imported_from) == (
        audit.id, None, "submitted", date(2022, 8, 1), MODERATOR, "results-2022.csv")
    assert [(g.item, g.auditor_grade, g.moderator_grade, g.final_grade, g.comparison)
            for g in moderation.grades] == [
        ("overall", GOOD, RI, RI, "auditor_higher"),
        ("oversight", GOOD, INAD, INAD, "auditor_higher")]

    accounts = db.session.scalars(db.select(User).where(User.email.in_([AUDITOR, MODERATOR])))
    assert {(u.email, u.active, frozenset(u.roles), u.password_hash) for u in accounts} == {
        (AUDITOR, False, frozenset(), None), (MODERATOR, False, frozenset(), None)}
    event = db.session.scalar(db.select(Event).where(Event.action == "imported"))
    assert (event.entity_type, event.after["file"], event.after["audits"],
            event.after["accounts"]) == ("audit", "results-2022.csv", 3, [AUDITOR, MODERATOR])
    assert db.session.scalar(db.select(db.func.count()).select_from(Event).where(
        Event.entity_type == "user", Event.action == "created",
        Event.note.like("An inactive account%"))) == 2


def test_importing_the_same_file_again_changes_nothing(template, users):
    rows = (f"LCS-600,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,Good,Good,yes,3,,"
            f"{MODERATOR},2022-08-01,RI,Inadequate",
            f"LCS-601,Fostering,small,{AUDITOR},2022-07-05,RI,,,,,,,,,")
    imported(*rows)
    before = {model: count(model) for model in (Audit, Answer, Moderation, ModerationGrade,
                                                Case, User)}
    again = imported(*rows, name="results-2022 (copy).csv")
    assert (again.audits, again.moderations, again.cases, again.accounts,
            again.unchanged_audits, again.unchanged_moderations) == (0, 0, 0, (), 2, 1)
    assert {model: count(model) for model in before} == before
    # A new moderation of an audit already imported is added, and only it.
    later = imported(rows[1].replace(",,,,,,,,,", f",,,,,,{MODERATOR},2022-09-01,Good,"))
    assert (later.audits, later.moderations, later.unchanged_audits) == (0, 1, 1)


def test_a_changed_grade_for_an_audit_already_imported_is_a_problem(template, users):
    imported(f"LCS-700,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,Good,Good,yes,3,,"
             f"{MODERATOR},2022-08-01,RI,Inadequate")
    assert problems(
        f"LCS-700,Crewe CIN/CP,small,{AUDITOR},04/07/2022,Outstanding,,Good,yes,3,,"
        f"{MODERATOR},2022-08-01,RI,RI") == [
        'line 2, column overall: changed grade: the audit of case LCS-700 (small) by '
        f'{AUDITOR} on 2022-07-04 is already in the tool, with "Good" in this column; this '
        'row says "Outstanding". An import never changes what is in the tool: correct the '
        "row, or remove it",
        'line 2, column assessment: changed grade: the audit of case LCS-700 (small) by '
        f'{AUDITOR} on 2022-07-04 is already in the tool, with "Good" in this column; this '
        "row says a blank. An import never changes what is in the tool: correct the row, or "
        "remove it",
        "line 2, column moderated_oversight: changed grade: the moderation of that audit by "
        f'{MODERATOR} on 2022-08-01 is already in the tool, with "Inadequate" in this column; '
        'this row says "Requires improvement to be good". An import never changes what is in '
        "the tool: correct the row, or remove it"]
    assert count(Audit) == 1


def test_an_audit_done_in_the_tool_is_matched_too(template, users):
    """The same case, template, auditor and day as an audit submitted in the tool."""
    audit = submitted_audit(users["auditor"], template, reference="LCS-800")
    audit.overall_grade, audit.overall_rank = GOOD, 1
    db.session.commit()
    same = "LCS-800,Crewe CIN/CP,small,auditor@example.org.uk,2022-07-01,Good,,,,,,,,,"
    assert imported(same).unchanged_audits == 1
    assert problems(same.replace(",Good,", ",RI,"))[0].startswith(
        "line 2, column overall: changed grade")


def test_nothing_is_written_when_any_row_is_bad(template, users):
    before = {model: count(model) for model in (Audit, Case, User, Event)}
    assert problems(
        f"LCS-900,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,,,,,,,,,",
        f"LCS-901,Nowhere,small,{AUDITOR},2022-07-04,Good,,,,,,,,,") == [
        'line 3, column team: unknown team "Nowhere": add the team on the Teams page first, '
        "or correct its name"]
    assert problems() == ["The file has a header but no audits"]
    assert {model: count(model) for model in before} == before


def test_two_imports_of_one_file_at_once_cannot_both_add_it(template, users):
    """The second finds the database's unique index in its way, not a duplicate."""
    row = f"LCS-950,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,,,,,,,,,"
    imported(row)
    audit = db.session.scalar(db.select(Audit))
    with pytest.raises(IntegrityError):
        db.session.execute(db.insert(Audit).values(
            case_id=audit.case_id, auditor_id=audit.auditor_id, status="submitted",
            template_version_id=audit.template_version_id, due_on=audit.audited_on,
            audited_on=audit.audited_on, imported_from="again.csv"))
    db.session.rollback()
    with pytest.raises(IntegrityError):  # and an audit done in the tool needs its programme
        db.session.execute(db.insert(Audit).values(
            case_id=audit.case_id, auditor_id=audit.auditor_id, status="submitted",
            template_version_id=audit.template_version_id, due_on=audit.audited_on))
    db.session.rollback()


def test_the_source_is_the_files_name_without_folders_or_control_characters():
    assert source_name("C:\\Users\\qa\\2019 results.xlsx") == "2019 results.xlsx"
    assert source_name("a\x00b\u202eVSC.csv") == "abVSC.csv"
    assert len(source_name("x" * 5000 + ".csv")) == 255
    assert source_name("") == "unnamed file"


# --- the figures -----------------------------------------------------------------------------


def test_imported_audits_count_in_the_measures_like_audits_done_in_the_tool(template, users):
    """Q2 2022-23. In the tool: A1 Good, not moderated; A2 RI, moderated RI in a round of
    quota 9. Imported: I1 Good, oversight Good, moderated RI and oversight Inadequate;
    I2 Outstanding, oversight Good, on a case in Crewe but audited in Fostering; I3 RI;
    I4 Good on 30 June (Q1, not counted).

    good_or_better (final): A1, I2 of A1, A2, I1, I2, I3: 2 of 5
    good_or_better_as_audited: A1, I1, I2: 3 of 5
    agreement: A2 of A2, I1: 1 of 2
    domain_good_or_better:management_oversight: I2 of I1, I2: 1 of 2
    moderation_coverage: the round's 1 moderation of its quota of 9 (imported ones in none)
    good_or_better for team Fostering: I2, 1 of 1
    """
    a1 = submitted_audit(users["auditor"], template, reference="LCS-A1")
    a1.overall_grade, a1.overall_rank = GOOD, 1
    a2 = submitted_audit(users["auditor"], template, reference="LCS-A2")
    round_ = make_round(quota=9)
    make_moderated(a2, users["moderator"], overall=(RI, RI), round_=round_)
    factories.make_case("LCS-I2", team_name="Crewe CIN/CP")
    db.session.commit()
    imported(
        f"LCS-I1,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,,Good,,,,"
        f"{MODERATOR},2022-08-01,RI,Inadequate",
        f"LCS-I2,Fostering,small,{AUDITOR},2022-08-04,Outstanding,,Good,,,,,,,",
        f"LCS-I3,Crewe CIN/CP,small,{AUDITOR},2022-09-30,RI,,,,,,,,,",
        f"LCS-I4,Crewe CIN/CP,small,{AUDITOR},2022-06-30,Good,,,,,,,,,")

    def figures(scope=None, **options):
        return {r.measure.key: (r.figure.numerator, r.figure.denominator)
                for r in compute(Q2, scope or Scope(), **options)}

    found = figures(measures=[catalogue.find(key) for key in (
        "good_or_better", "good_or_better_as_audited", "agreement",
        "domain_good_or_better:management_oversight", "moderation_coverage")])
    assert found == {
        "good_or_better": (2, 5), "good_or_better_as_audited": (3, 5), "agreement": (1, 2),
        "domain_good_or_better:management_oversight": (1, 2), "moderation_coverage": (1, 9)}
    assert coverage(Scope(start=Q2.start, end=Q2.end)).moderated == 1
    fostering = factories.team("Fostering").id
    assert figures(Scope(team_id=fostering),
                   measures=[catalogue.find("good_or_better")]) == {"good_or_better": (1, 1)}
    # A moderation round never draws an imported audit.
    frame = rounds.frame_for(make_round(name="Later", quota=20))
    assert {r.audit_id for r in frame.records} == {a1.id}  # A2 is in the first round


# --- read-only -------------------------------------------------------------------------------


@pytest.fixture
def imported_audit(template, users):
    imported(f"LCS-RO1,Crewe CIN/CP,small,auditor@example.org.uk,2022-07-04,Good,Good,Good,"
             f"yes,,,{MODERATOR},2022-08-01,RI,Inadequate")
    return db.session.scalar(db.select(Audit))


def test_an_imported_audit_shows_its_source_and_refuses_every_change(client, login,
                                                                     imported_audit):
    login("moderator")
    page = client.get(f"/audits/{imported_audit.id}")
    text = " ".join(page.soup.get_text(" ").split())
    assert "Imported from results-2022.csv" in text
    assert "Audit date 4 July 2022" in text
    assert "Moderation by qa.officer, 1 August 2022" in text
    assert "Return this audit" not in text
    refusal = ("This audit was imported from results-2022.csv, so it cannot be changed, "
               "returned, escalated or responded to.")
    token = {"csrf_token": csrf_token_from(page.get_data(as_text=True))}
    for path in ("sections/1", "summary", "check", "return", "escalate", "responses"):
        response = client.post(f"/audits/{imported_audit.id}/{path}", data=token)
        assert response.headers["Location"] == f"/audits/{imported_audit.id}"
        assert refusal in client.get(response.headers["Location"]).get_data(as_text=True)
    autosave = client.post(f"/audits/{imported_audit.id}/sections/1/autosave", data=token)
    assert (autosave.status_code, autosave.json["message"]) == (403, refusal)
    grade = db.session.scalar(db.select(ModerationGrade))
    response = client.get(f"/moderation/grades/{grade.id}/challenge")
    assert response.headers["Location"] == f"/audits/{imported_audit.id}"
    assert "so its grades cannot be agreed or challenged" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    audit = db.session.get(Audit, imported_audit.id)
    assert (audit.status, audit.row_version, audit.responses) == ("submitted", 1, [])


def test_the_auditors_lists_leave_imported_work_out(client, login, imported_audit):
    login("auditor")
    assert "LCS-RO1" not in client.get("/audits/").get_data(as_text=True)
    assert "LCS-RO1" not in client.get("/").get_data(as_text=True)  # nothing to acknowledge
    feedback = client.get("/moderation/feedback").soup
    link = feedback.find("a", string="LCS-RO1")
    assert link["href"] == f"/audits/{imported_audit.id}"


def test_downgrading_past_0013_refuses_while_imported_records_exist(app, imported_audit):
    migrate = app.extensions["migrate"]
    with pytest.raises(RuntimeError, match=r"^1 imported audit\(s\) cannot be held"):
        command.downgrade(migrate.migrate.get_config(migrate.directory), "0012")
    assert db.session.get(Audit, imported_audit.id).is_imported


# --- the command -----------------------------------------------------------------------------


def run(app, tmp_path, data, *options, name="results.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["import-results", str(path), *options])


def test_the_command_imports_reports_and_refuses_a_bad_file(app, template, tmp_path):
    good = results(f"LCS-C1,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,,,,,,,,,")
    dry = run(app, tmp_path, good, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "is valid; importing it would report: 1 audit" in dry.output
    assert count(Audit) == 0
    done = run(app, tmp_path, good)
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [
        "results.csv: 1 audit, 0 moderations, 1 case and 1 account added.",
        "Inactive accounts added (they cannot sign in until an administrator activates "
        f"them): {AUDITOR}"]
    bad = run(app, tmp_path, results(
        f"LCS-C2,Crewe CIN/CP,small,{AUDITOR},31/02/2022,Good,,,,,,,,,"))
    assert bad.exit_code == 1
    assert bad.output.splitlines() == [
        'line 2, column audited_on: bad date "31/02/2022": not a real date',
        "results.csv: 1 problem(s); nothing was imported."]
    assert count(Audit) == 1


# --- the upload page -------------------------------------------------------------------------


def upload(client, data, name="results.csv"):
    return client.submit("/import-results/", {"file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")


def test_a_qa_officer_uploads_a_file_and_reads_the_report(client, login, template):
    user = login("moderator")
    home = client.get("/").soup
    assert home.find("a", string="Import historical audit results")["href"] == "/import-results/"
    response = upload(client, results(
        f"LCS-P1,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,,Good,,,,{MODERATOR},"
        "2022-08-01,Good,Good"), name="2022 results.csv")
    assert response.status_code == 200
    assert response.soup.h1.get_text() == "Results imported"
    report = {row.dt.get_text(): row.dd.get_text()
              for row in response.soup.select("#import-report .govuk-summary-list__row")}
    assert report == {"Audits added": "1", "Moderations added": "1",
                      "Cases added to the register": "1", "Accounts added": "2",
                      "Already in the tool, unchanged": "0 audits, 0 moderations"}
    assert [li.get_text() for li in response.soup.select("#new-accounts li")] == [
        AUDITOR, MODERATOR]
    event = db.session.scalar(db.select(Event).where(Event.action == "imported"))
    assert (event.actor_id, event.after["file"]) == (user.id, "2022 results.csv")


def test_a_bad_file_lists_its_problems_by_line_and_column_and_imports_nothing(
        client, login, template):
    login("admin")
    response = upload(client, results(
        f"LCS-P2,Nowhere,small,{AUDITOR},2022-07-04,Good,,,,,,,,,",
        f"LCS-P3,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Brilliant,,,maybe,,,,,,"))
    summary = [li.get_text(" ", strip=True)
               for li in response.soup.select(".govuk-error-summary__list li")]
    assert summary == [
        'Line 2, column team: unknown team "Nowhere": add the team on the Teams page first, '
        "or correct its name",
        'Line 3, column overall: "Brilliant" is not a grade: use one of Outstanding, Good, '
        "Requires improvement to be good, Inadequate",
        'Line 3, column voice_seen: "maybe" is not an answer: use yes, no, partly or n/a']
    assert {a["href"] for a in response.soup.select(".govuk-error-summary__list a")} == {
        "#file"}
    assert "The file has 3 problems. Nothing was imported." in response.soup.select_one(
        "#file-error").get_text()
    assert count(Audit) == count(Case) == 0


def test_the_page_lists_the_first_problems_and_says_how_many_more(client, login, template,
                                                                 monkeypatch):
    login("moderator")
    monkeypatch.setattr(routes, "SHOWN", 2)
    response = upload(client, results(*[
        f"LCS-Q{n},Nowhere,small,{AUDITOR},2022-07-04,Good,,,,,,,,," for n in range(5)]))
    items = [li.get_text(" ", strip=True)
             for li in response.soup.select(".govuk-error-summary__list li")]
    assert len(items) == 3
    assert items[2] == "And 3 more problems: correct these and upload the file again to see them"


def test_a_file_longer_than_the_page_takes_is_sent_to_the_command(client, login, template,
                                                                  monkeypatch):
    login("admin")
    monkeypatch.setattr(routes, "PAGE_ROWS", 2)
    response = upload(client, results(*[
        f"LCS-L{n},Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,,,,,,,,," for n in range(3)]))
    message = response.soup.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert "The file has more than 2 audits" in message
    assert "flask --app wsgi import-results FILE" in message
    assert count(Audit) == 0


def test_the_upload_form_needs_its_csrf_token(app, client, login, template):
    login("admin")
    page = client.get("/import-results/")
    assert csrf_token_from(page.get_data(as_text=True))
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/import-results/", data={"file": (io.BytesIO(results(
        f"LCS-X1,Crewe CIN/CP,small,{AUDITOR},2022-07-04,Good,,,,,,,,,")), "r.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert count(Audit) == 0
