"""Importing the case register from CSV: the page, the command, bad files, and speed."""

import io
import time
from datetime import date

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from audit_app.cases import importer
from audit_app.extensions import db
from audit_app.models import Case, CaseCohort, Event
from tests.factories import make_case, team
from tests.pages import csrf_token_from

HEADER = "reference,team,cohorts,opened_on,closed_on"


def csv_file(*lines, bom=False, newline="\n"):
    text = newline.join(lines) + newline
    return (("\ufeff" if bom else "") + text).encode()


def upload(client, data, name="cases.csv"):
    return client.submit("/cases/import", {"file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")


def problem_table(response):
    return [tuple(td.get_text(strip=True) for td in tr.find_all("td"))
            for tr in response.soup.select("#import-problems tbody tr")]


def error_summary(response):
    return [a.get_text() for a in response.soup.select(".govuk-error-summary a")]


def run_cli(app, tmp_path, data, *options, name="cases.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["import-cases", str(path), *options])


def case_count():
    return db.session.scalar(db.select(db.func.count(Case.id)))


def imported_events():
    return db.session.scalars(db.select(Event).where(
        Event.entity_type == "case", Event.action == "imported")).all()


def by_reference(reference):
    return db.session.scalar(db.select(Case).where(Case.reference == reference))


# --- a good file -----------------------------------------------------------------------------


def test_a_good_file_adds_new_cases_and_updates_known_ones(client, login, users):
    known = make_case("LCS-1", "Crewe CIN/CP", ("child_in_need",))
    known.social_worker_id = users["practice_lead"].id
    db.session.commit()
    admin = login("admin")
    # As Excel saves "CSV UTF-8" on Windows: a byte-order mark, CRLF, blank lines at the end.
    data = csv_file(
        HEADER,
        "LCS-1,Macclesfield CIN/CP,child_protection;pre_proceedings,2025-01-06,2025-09-30",
        "LCS-2,crewe cin/cp,Child in need; CHILD PROTECTION,06/01/2025,",
        '"LCS-3","Care Leavers","Care leaver","1/2/2024",""',
        "", "",
        bom=True, newline="\r\n",
    )
    response = upload(client, data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "cases.csv imported: 2 cases created, 1 updated." in page.soup.select_one(
        ".govuk-notification-banner").get_text()

    db.session.expire_all()
    updated = by_reference("LCS-1")
    assert updated.team.name == "Macclesfield CIN/CP"
    assert updated.cohorts == {"child_protection", "pre_proceedings"}
    assert updated.closed_on == date(2025, 9, 30)
    assert updated.social_worker_id == users["practice_lead"].id  # not in the file: kept
    assert updated.row_version == 2  # anyone editing it meanwhile gets the conflict page
    added = by_reference("LCS-2")
    assert (added.team.name, added.opened_on, added.closed_on) == (
        "Crewe CIN/CP", date(2025, 1, 6), None)
    assert added.cohorts == {"child_in_need", "child_protection"}
    assert by_reference("LCS-3").opened_on == date(2024, 2, 1)
    [logged] = imported_events()
    assert (logged.entity_type, logged.actor_id) == ("case", admin.id)
    assert logged.after == {"created": 2, "updated": 1, "file": "cases.csv"}


def test_the_closed_on_column_can_be_left_out(client, login, users):
    login("moderator")
    response = upload(client, csv_file("reference,team,cohorts,opened_on",
                                       "LCS-9,Fostering,cared_for,2025-04-01"))
    assert response.status_code == 302
    assert by_reference("LCS-9").closed_on is None


def test_columns_may_come_in_any_order_with_spreadsheet_style_names(client, login, users):
    login("admin")
    response = upload(client, csv_file("Opened on, Team ,Reference,COHORTS",
                                       "2025-04-01,Fostering,LCS-9,CIN;CP;CWD;PLO"))
    assert response.status_code == 302
    assert by_reference("LCS-9").cohorts == {
        "child_in_need", "child_protection", "children_with_disabilities", "pre_proceedings"}


# --- bad rows --------------------------------------------------------------------------------

BAD_ROWS = csv_file(
    HEADER,
    "LCS-1,Crewe CIN/CP,child_in_need,2025-01-06,",
    "LCS-2,Crew CIN/CP,child_in_need,2025-01-06,",
    "LCS-3,Crewe CIN/CP,Adoption;cin,2025-01-06,",
    "LCS-4,Crewe CIN/CP,cp,2025-02-30,",
    "LCS-5,Crewe CIN/CP,cp,6 Jan 2025,",
    "LCS-6,Crewe CIN/CP,cp,2025-03-01,2025-02-01",
    "LCS-1,Crewe CIN/CP,cp,2025-01-06,",
    ",Crewe CIN/CP,;,2025-01-06,",
    "Jane Smith,Crewe CIN/CP,cp,2025-01-06,",
    "LCS-7,Crewe CIN/CP,cp,2025-01-06,,extra",
    "LCS-8,Crewe CIN/CP,cp,,2099-01-01",
)

BAD_ROW_PROBLEMS = [
    'line 3, column team: unknown team "Crew CIN/CP"',
    'line 4, column cohorts: unknown cohort "Adoption"',
    'line 5, column opened_on: bad date "2025-02-30": not a real date',
    'line 6, column opened_on: bad date "6 Jan 2025": use YYYY-MM-DD or DD/MM/YYYY',
    "line 7, column closed_on: closed date must be the same as or after the opened date",
    'line 8, column reference: duplicate reference "LCS-1" (also on line 2)',
    "line 9, column reference: missing value",
    "line 9, column cohorts: missing value",
    "line 10, column reference: case reference must include a number. "
    "Do not enter the child's name",
    "line 11: has 6 values but the header has 5 columns",
    "line 12, column opened_on: missing value",
    "line 12, column closed_on: date closed must be today or in the past",
]


def test_every_bad_row_is_listed_by_line_and_column_and_nothing_is_saved(
        client, login, users):
    make_case("LCS-1", "Fostering")
    db.session.commit()
    login("admin")
    response = upload(client, BAD_ROWS)
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: Import cases from a CSV file")
    assert error_summary(response) == [
        "The file has 12 problems. Nothing was imported. Correct the file and upload it again."]
    assert [
        f"line {line}, column {column}: {message}" if column else f"line {line}: {message}"
        for line, column, message in problem_table(response)
    ] == BAD_ROW_PROBLEMS
    assert case_count() == 1
    assert by_reference("LCS-1").team.name == "Fostering"
    assert imported_events() == []


def test_the_command_prints_each_problem_and_fails(app, users, tmp_path):
    result = run_cli(app, tmp_path, BAD_ROWS)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        *BAD_ROW_PROBLEMS, "cases.csv: 12 problem(s); nothing was imported."]
    assert case_count() == 0


def test_a_long_list_of_problems_is_cut_short_on_the_page(client, login, users):
    login("admin")
    rows = [f"LCS-{n},Nowhere,cp,2025-01-06" for n in range(250)]
    response = upload(client, csv_file("reference,team,cohorts,opened_on", *rows))
    assert len(problem_table(response)) == 200
    assert "Showing the first 200 of 250 problems." in response.text


# --- bad headers and bad files ---------------------------------------------------------------

EXPECTED = "reference,team,cohorts,opened_on[,closed_on]"


@pytest.mark.parametrize(("first_line", "problems"), [
    ("LCS-1,Crewe CIN/CP,cp,2025-01-06",
     [f"line 1: the first line must be the column names {EXPECTED}"]),
    ("ref,team,cohorts,opened_on",
     [f"line 1, column ref: unknown column (expected {EXPECTED})",
      "line 1, column reference: missing column"]),
    ("reference,team,cohorts",
     ["line 1, column opened_on: missing column"]),
    ("reference,team,cohorts,opened_on,team",
     ["line 1, column team: column appears more than once"]),
    ("reference;team;cohorts;opened_on",
     ["line 1: the columns must be separated by commas, not semicolons or tabs. In Excel, "
      "save the file as 'CSV UTF-8 (Comma delimited)'"]),
])
def test_a_wrong_header_is_named(app, users, tmp_path, first_line, problems):
    result = run_cli(app, tmp_path, csv_file(first_line, "LCS-1,Crewe CIN/CP,cp,2025-01-06"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == problems


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "cases.csv", "The selected file is empty"),
    (b"\xef\xbb\xbf \r\n\r\n", "cases.csv", "The selected file is empty"),
    (csv_file(HEADER, "", ""), "cases.csv", "The file has a header but no cases"),
    (csv_file(HEADER, "LCS-1,Crewe CIN/CP,cp,2025-01-06,", "LCS-2,Care Leavers,cp,2025-01-06,")
     .replace(b"Care", "Caré".encode("cp1252")), "cases.csv",
     "Line 3: the file is not UTF-8 text. In Excel, use Save As and choose "
     "'CSV UTF-8 (Comma delimited) (*.csv)'"),
    (csv_file(HEADER), "cases.xlsx", "The selected file must be a CSV"),
])
def test_a_bad_file_gets_one_clear_error(client, login, users, data, name, message):
    login("admin")
    response = upload(client, data, name)
    assert error_summary(response) == [message]
    assert problem_table(response) == []
    assert case_count() == 0


def test_a_file_over_five_megabytes_is_refused(client, login, users):
    login("admin")
    row = "LCS-{},Crewe CIN/CP,child_in_need;child_protection,2025-01-06,\n"
    lines, size, n = [HEADER + "\n"], 0, 0
    while size <= importer.MAX_BYTES:
        lines.append(row.format(n))
        size += len(lines[-1])
        n += 1
    # Encoded in memory: the test client's own temporary file for big bodies is never closed.
    token = csrf_token_from(client.get("/cases/import").text)
    boundary, body = encode_multipart({
        "csrf_token": token,
        "file": FileStorage(io.BytesIO("".join(lines).encode()), filename="cases.csv"),
    })
    response = client.post("/cases/import", data=body,
                           content_type=f'multipart/form-data; boundary="{boundary}"')
    assert error_summary(response) == ["The selected file must be smaller than 5 MB"]
    assert case_count() == 0


def test_no_file_chosen(client, login, users):
    login("admin")
    response = client.submit("/cases/import", {}, content_type="multipart/form-data")
    assert error_summary(response) == ["Select a CSV file"]


def test_the_page_explains_the_format_and_offers_an_example(client, login, users):
    login("admin")
    page = client.get("/cases/import")
    assert page.soup.find("form", attrs={"enctype": "multipart/form-data"}) is not None
    assert "27/03/2024" in page.text and EXPECTED in page.text
    example = client.get("/cases/import/example.csv")
    assert example.mimetype == "text/csv"
    # The example imports cleanly: it is a file to copy, not just documentation.
    response = upload(client, example.data)
    assert response.status_code == 302
    assert case_count() == 2


# --- the command line ------------------------------------------------------------------------


def test_the_command_imports_a_good_file(app, users, tmp_path):
    data = csv_file(HEADER, "LCS-1,Crewe CIN/CP,cin,2025-01-06,", "LCS-2,Fostering,cared for,"
                    "2025-01-07,2025-02-01")
    result = run_cli(app, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert result.stdout == "cases.csv: 2 cases created, 0 updated.\n"
    assert case_count() == 2
    [logged] = imported_events()
    assert logged.actor_id is None  # the command line runs as the system
    again = run_cli(app, tmp_path, data)
    assert again.stdout == "cases.csv: 0 cases created, 2 updated.\n"


def test_the_command_can_check_a_file_without_saving(app, users, tmp_path):
    data = csv_file(HEADER, "LCS-1,Crewe CIN/CP,cin,2025-01-06,")
    result = run_cli(app, tmp_path, data, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == ("cases.csv is valid; importing it would report: 1 case created, "
                             "0 updated. Nothing was saved (--dry-run).\n")
    assert case_count() == 0
    assert imported_events() == []


def test_the_command_has_no_size_limit(app, users, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 10)
    result = run_cli(app, tmp_path, csv_file(HEADER, "LCS-1,Crewe CIN/CP,cin,2025-01-06,"))
    assert result.exit_code == 0


# --- safety and speed ------------------------------------------------------------------------


def test_a_reference_added_by_someone_else_mid_import_rejects_the_whole_file(
        app, users, monkeypatch):
    make_case("LCS-1")
    db.session.commit()
    # As if another import added LCS-1 between our look-up and our insert.
    monkeypatch.setattr(importer, "_stored", lambda keys, column: {})
    data = csv_file(HEADER, "LCS-0,Fostering,cin,2025-01-06,", "LCS-1,Fostering,cin,2025-01-06,")
    with pytest.raises(importer.ImportRejected) as rejected:
        importer.import_cases(data, "cases.csv")
    db.session.rollback()
    assert "Nothing was imported" in str(rejected.value.problems[0])
    assert [c.reference for c in db.session.scalars(db.select(Case))] == ["LCS-1"]


def test_ten_thousand_rows_import_in_seconds(app, users):
    teams = ["Crewe CIN/CP", "Macclesfield CIN/CP", "Care Leavers", "Fostering"]
    cohorts = ["child_in_need", "Child protection;PLO", "cared_for;care_leaver", "early_help"]
    rows = [f"{100000 + n},{teams[n % 4]},{cohorts[n % 4]},2024-{n % 12 + 1:02d}-15,"
            + ("2025-06-30" if n % 3 == 0 else "") for n in range(10_000)]
    data = csv_file(HEADER, *rows)

    started = time.perf_counter()
    first = importer.import_cases(data, "big.csv")
    db.session.commit()
    took = time.perf_counter() - started
    assert (first.created, first.updated) == (10_000, 0)
    assert took < 20, f"10,000 rows took {took:.1f}s"
    assert case_count() == 10_000
    cohort_rows = db.session.scalar(db.select(db.func.count()).select_from(CaseCohort))
    assert cohort_rows == 2500 * (1 + 2 + 2 + 1)

    again = importer.import_cases(data, "big.csv")
    db.session.commit()
    assert (again.created, again.updated) == (0, 10_000)
    assert case_count() == 10_000
    assert db.session.scalar(db.select(db.func.count()).select_from(CaseCohort)) == cohort_rows
    assert by_reference("100001").cohorts == {"child_protection", "pre_proceedings"}
    assert by_reference("100001").team_id == team("Macclesfield CIN/CP").id
    assert len(imported_events()) == 2
