"""Reading and checking a results file, without a database: the file's bytes through
read.read and validate.check against templates and teams built here.

Every kind of problem is named by its line (the header is line 1) and column; a good row
becomes an AuditRow with the values the app stores.
"""

import io
import time
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from audit_app.cases.importer import ImportRejected
from audit_app.results_import import read, validate
from audit_app.results_import.lookups import Lookups, Question, Template

SCALE = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
OUT, GOOD, RI, INAD = SCALE
TODAY = date(2025, 1, 31)


def _questions(*specs):
    return {key: Question(qid, key, kind, f"Question {key}", domain, order)
            for order, (qid, key, kind, domain) in enumerate(specs, start=1)}


SMALL = Template(1, "small", 10, True, SCALE, _questions(
    (1, "assessment", "graded", "assessment"), (2, "plan", "graded", "plan"),
    (3, "plan_date", "date", None), (4, "seen", "yes_no", "voice_of_child"),
    (5, "visits", "number", None), (6, "notes", "text", None)))
# No overall judgement; shares the key "seen" with SMALL (its own question there).
CHECKLIST = Template(2, "checklist", 20, False, SCALE, _questions(
    (7, "seen", "yes_no", None), (8, "visited", "yes_no", None)))
UNPUBLISHED = Template(3, "unpublished", None)
LOOKUPS = Lookups({"Crewe CIN/CP": 1, "Fostering": 2}.get,
                  {t.slug: t for t in (SMALL, CHECKLIST, UNPUBLISHED)})

HEADER = ("case_reference,team,template,auditor,audited_on,overall,assessment,plan,plan_date,"
          "seen,visits,notes,visited,moderator,moderated_on,moderated_overall,"
          "moderated_assessment,moderated_plan")
GOOD_ROW = "LCS-1,Crewe CIN/CP,small,a@council.gov.uk,2022-07-01,Good,Good,RI,,yes,,,,,,,,"


def csv_bytes(*rows, header=HEADER, encoding="utf-8", newline="\r\n"):
    return newline.join([header, *rows]).encode(encoding) + newline.encode()


def checked(data, lookups=LOOKUPS):
    """(rows, ["line N, column C: message", ...]) for a file's bytes."""
    rows, problems = validate.check(read.read(data), lookups, TODAY)
    return rows, [str(p) for p in problems]


def problems_of(*rows, header=HEADER):
    found, problems = checked(csv_bytes(*rows, header=header))
    assert found == [] or problems, "a bad row must not pass"
    return problems


def rejected(data, **options):
    with pytest.raises(ImportRejected) as error:
        read.read(data, **options)
    return [str(p) for p in error.value.problems]


def xlsx_bytes(*rows):
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- a good row ------------------------------------------------------------------------------


def test_a_good_row_becomes_an_audit_with_stored_values():
    rows, problems = checked(csv_bytes(
        "LCS-1,Crewe CIN/CP,small,A@Council.gov.uk,2022-07-01,Good,Outstanding,Inadequate,"
        "27/03/2022,partly,12.50,Seen at home,,m@council.gov.uk,2022-08-01,RI,Good,"))
    assert problems == []
    [row] = rows
    assert (row.line, row.reference, row.team_id, row.template, row.auditor) == (
        2, "LCS-1", 1, SMALL, "a@council.gov.uk")
    assert (row.audited_on, row.opened_on, row.overall) == (date(2022, 7, 1), None, (GOOD, 1))
    assert {q.key: (value, rank) for q, value, rank in row.answers} == {
        "assessment": (OUT, 0), "plan": (INAD, 3), "plan_date": ("2022-03-27", None),
        "seen": ("partly", None), "visits": ("12.5", None), "notes": ("Seen at home", None)}
    moderation = row.moderation
    assert (moderation.moderator, moderation.on, moderation.overall) == (
        "m@council.gov.uk", date(2022, 8, 1), (RI, 2))
    assert [(q.key, label, rank) for q, label, rank in moderation.grades] == [
        ("assessment", GOOD, 1)]


def test_both_date_formats_read_the_same_day():
    rows, problems = checked(csv_bytes(
        GOOD_ROW, GOOD_ROW.replace("LCS-1", "LCS-2").replace("2022-07-01", "01/07/2022"),
        GOOD_ROW.replace("LCS-1", "LCS-3").replace("2022-07-01", "1/7/2022")))
    assert problems == []
    assert {row.audited_on for row in rows} == {date(2022, 7, 1)}


@pytest.mark.parametrize(("written", "label"), [
    ("RI", RI), ("ri", RI), ("Requires improvement", RI), ("REQUIRES IMPROVEMENT TO BE GOOD", RI),
    ("good", GOOD), ("  Outstanding ", OUT), ("inadequate", INAD)])
def test_grade_labels_in_any_capitals_and_the_short_names_of_ri(written, label):
    rows, problems = checked(csv_bytes(GOOD_ROW.replace(",Good,Good,RI,", f",{written},Good,RI,")))
    assert problems == []
    assert rows[0].overall == (label, SCALE.index(label))


@pytest.mark.parametrize(("written", "code"), [
    ("Yes", "yes"), ("NO", "no"), ("Partly", "partly"), ("N/A", "not_applicable"),
    ("n/a", "not_applicable"), ("Not applicable", "not_applicable")])
def test_yes_no_answers_in_any_capitals_and_na(written, code):
    rows, problems = checked(csv_bytes(GOOD_ROW.replace(",yes,", f",{written},")))
    assert problems == []
    assert {q.key: v for q, v, _r in rows[0].answers}["seen"] == code


def test_a_key_two_templates_share_is_each_rows_own_templates_question():
    rows, problems = checked(csv_bytes(
        GOOD_ROW, "LCS-2,Fostering,checklist,a@council.gov.uk,2022-07-01,,,,,no,,,yes,,,,,"))
    assert problems == []
    assert [[(q.id, v) for q, v, _r in row.answers if q.key == "seen"] for row in rows] == [
        [(4, "yes")], [(7, "no")]]


def test_a_utf8_file_with_a_byte_order_mark_and_a_windows_1252_file():
    written = row(notes="Café – £5 visit")
    for data in (b"\xef\xbb\xbf" + csv_bytes(written), csv_bytes(written, encoding="cp1252")):
        rows, problems = checked(data)
        assert problems == []
        assert {q.key: v for q, v, _r in rows[0].answers}["notes"] == "Café – £5 visit"


def test_an_excel_workbook_with_numbers_and_dates_typed_as_cells():
    header = HEADER.split(",")
    cells = dict.fromkeys(header)
    cells.update(case_reference=1000001, team="Crewe CIN/CP", template="small",
                 auditor="a@council.gov.uk", audited_on=datetime(2022, 7, 1), overall="Good",
                 plan_date=datetime(2022, 3, 27), visits=3.0, notes=2.5)
    later = {**cells, "case_reference": "LCS-2", "visits": 12, "audited_on": "02/07/2022"}
    rows, problems = checked(xlsx_bytes(header, [cells[h] for h in header], [],
                                        [later[h] for h in header]))
    assert problems == []
    first, second = rows
    assert (first.reference, first.audited_on, second.line, second.audited_on) == (
        "1000001", date(2022, 7, 1), 4, date(2022, 7, 2))
    answers = {q.key: v for q, v, _r in first.answers}
    assert answers == {"plan_date": "2022-03-27", "visits": "3", "notes": "2.5"}
    assert {q.key: v for q, v, _r in second.answers}["visits"] == "12"


def test_a_workbooks_rows_keep_their_numbers_down_to_a_stray_cell_far_below():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(GOOD_ROW.split(","))
    sheet["B60000"] = "Crewe CIN/CP"
    out = io.BytesIO()
    book.save(out)
    rows, problems = checked(out.getvalue())
    assert [row.line for row in rows] == [2]
    assert problems[0] == "line 60000, column case_reference: missing value"


def _saved(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_cell_in_the_last_column_of_many_rows_is_read_quickly_and_refused():
    # A small file whose rows each end in column XFD: openpyxl would pad every row to
    # 16,384 cells; the sheet's stated width is refused before any row is read.
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for line in range(2, 3002):
        sheet.cell(row=line, column=16384, value="x")
    started = time.perf_counter()
    assert rejected(_saved(book))[0].startswith("The first sheet is 16,384 columns wide")
    assert time.perf_counter() - started < 5
    # Blank rows count towards the page's limit too (ten read for each row it allows).
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.cell(row=200, column=1, value=" ")
    assert rejected(_saved(book), max_rows=10) == [read.too_long(10)]


def test_a_workbook_that_unpacks_to_far_more_than_a_results_file_is_refused(monkeypatch):
    monkeypatch.setattr(read, "MAX_UNZIPPED_BYTES", 20_000)
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["x" * 200_000])  # compresses to almost nothing
    data = _saved(book)
    assert len(data) < 20_000
    assert rejected(data)[0].startswith("The workbook holds more than")


# --- problems with the whole file ------------------------------------------------------------


def test_files_that_cannot_be_read_say_why():
    assert rejected(b"") == ["The selected file is empty"]
    assert rejected(b"\r\n\r\n" + csv_bytes(GOOD_ROW)) == [
        "line 1: the first line must be the column names"]
    not_text = rejected(csv_bytes(GOOD_ROW) + b"\x81\x8d")
    assert not_text[0].startswith("line 3: the file is neither UTF-8 nor Windows-1252")
    assert rejected(b"PK\x03\x04 not really a workbook")[0].startswith(
        "The selected file cannot be read as an Excel workbook (.xlsx)")
    assert rejected(b"x" * (1024 * 1024 + 1), max_bytes=1024 * 1024) == [
        "The selected file must be smaller than 1 MB"]
    too_wide = rejected(("a," * 600 + "b").encode())
    assert too_wide == ["line 1: has more than 500 columns: a results file has one column "
                        "for each detail of an audit and each question"]


def test_more_rows_than_the_page_takes_say_how_to_import_them():
    data = csv_bytes(*[GOOD_ROW.replace("LCS-1", f"LCS-{n}") for n in range(4)])
    assert len(read.read(data, max_rows=4).records) == 4
    [message] = rejected(data, max_rows=3)
    assert message.startswith("The file has more than 3 audits")
    assert "flask --app wsgi import-results FILE" in message


def test_header_problems():
    assert problems_of(GOOD_ROW, header="reference,opened,cohorts") == [
        "line 1: the first line must be the column names case_reference, team, template, "
        "auditor, audited_on, then overall and the question keys"]
    assert problems_of(GOOD_ROW, header=HEADER.replace(",notes,", ",notes,team,")
                       .replace("audited_on,", "").replace(",visited", ",mystery")) == [
        "line 1, column team: column appears more than once",
        "line 1, column mystery: unknown column: not one of case_reference, team, template, "
        "auditor, audited_on, overall, opened_on, moderator, moderated_on, moderated_overall, "
        "nor a question key of a published template, nor moderated_ and such a key",
        "line 1, column audited_on: missing column"]
    assert problems_of(GOOD_ROW, header=HEADER.replace("seen", "se\x00en")) == [
        "line 1: value 10 contains a null character (U+0000), which is not allowed; remove "
        "it (such characters often come in when text is copied from another system)"]


def test_column_names_in_any_capitals_and_with_spaces():
    header = HEADER.replace("case_reference", "Case Reference").replace("team", "TEAM")
    assert checked(csv_bytes(GOOD_ROW, header=header))[1] == []


# --- problems on a row: each one by line and column ------------------------------------------


def row(**changes):
    """GOOD_ROW with some columns set."""
    names = HEADER.split(",")
    cells = dict(zip(names, GOOD_ROW.split(","), strict=True))
    cells.update(changes)
    return ",".join(cells[name] for name in names)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"case_reference": "", "team": "", "template": "", "auditor": "", "audited_on": ""}, [
        "line 2, column case_reference: missing value", "line 2, column team: missing value",
        "line 2, column template: missing value", "line 2, column auditor: missing value",
        "line 2, column audited_on: missing value"]),
    ({"case_reference": "Jane Smith"}, [
        "line 2, column case_reference: case reference must include a number. Do not enter "
        "the child's name"]),
    ({"case_reference": "LCS-" + "9" * 60}, [
        "line 2, column case_reference: case reference must be 60 characters or fewer"]),
    ({"team": "Nowhere"}, [
        'line 2, column team: unknown team "Nowhere": add the team on the Teams page first, '
        "or correct its name"]),
    ({"template": "mystery"}, [
        'line 2, column template: unknown template "mystery": write the template\'s slug, '
        "like whole-case-file"]),
    ({"template": "unpublished"}, [
        "line 2, column template: the template unpublished has no published version"]),
    ({"auditor": "not an email"}, [
        'line 2, column auditor: "not an email" is not an email address, like '
        "name@council.gov.uk"]),
    ({"auditor": "a" * 250 + "@x.uk"}, [
        "line 2, column auditor: must be 254 characters or fewer"]),
    ({"audited_on": "2022-13-01"}, [
        'line 2, column audited_on: bad date "2022-13-01": not a real date']),
    ({"audited_on": "July 2022"}, [
        'line 2, column audited_on: bad date "July 2022": use YYYY-MM-DD or DD/MM/YYYY']),
    ({"audited_on": "0001-01-01"}, [
        'line 2, column audited_on: bad date "0001-01-01": must be between 1 January 1900 '
        "and 31 December 2099"]),
    ({"audited_on": "2025-02-01"}, ["line 2, column audited_on: must be today or in the past"]),
    ({"overall": ""}, ["line 2, column overall: missing value"]),
    ({"overall": "Brilliant"}, [
        'line 2, column overall: "Brilliant" is not a grade: use one of Outstanding, Good, '
        "Requires improvement to be good, Inadequate"]),
    ({"seen": "maybe"}, [
        'line 2, column seen: "maybe" is not an answer: use yes, no, partly or n/a']),
    ({"plan_date": "31/02/2022"}, [
        'line 2, column plan_date: bad date "31/02/2022": not a real date']),
    ({"visits": "a few"}, ['line 2, column visits: "a few" is not a number']),
    ({"visits": "1000000000000"}, [
        'line 2, column visits: the number "1000000000000" must be between -999,999,999 and '
        "999,999,999"]),
    # Plain decimals in ASCII digits only, as the audit form takes.
    ({"visits": "1e12"}, ['line 2, column visits: "1e12" is not a number']),
    ({"visits": "1_000"}, ['line 2, column visits: "1_000" is not a number']),
    ({"visits": "\uff11\uff12"}, ['line 2, column visits: "\uff11\uff12" is not a number']),
    ({"visits": "1.23456"}, [
        'line 2, column visits: the number "1.23456" must have 4 decimal places or fewer']),
    ({"notes": "x" * 20001}, ["line 2, column notes: must be 20,000 characters or fewer"]),
    ({"visited": "yes"}, [
        "line 2, column visited: visited is not a question of the template small: leave it "
        "blank on this row"]),
    ({"notes": "nul\x00here"}, [
        "line 2, column notes: contains a null character (U+0000), which is not allowed; "
        "remove it (such characters often come in when text is copied from another system)"]),
    ({"notes": "esc\x1bape"}, [
        "line 2, column notes: contains a control character (U+001B), which is not allowed; "
        "remove it (such characters often come in when text is copied from another system)"]),
])
def test_each_kind_of_row_problem(changes, expected):
    assert problems_of(row(**changes)) == expected


def test_a_template_without_an_overall_judgement_must_leave_overall_blank():
    assert problems_of("LCS-2,Fostering,checklist,a@council.gov.uk,2022-07-01,Good,,,,,,,,,,,,"
                       ) == ["line 2, column overall: must be blank: the template checklist "
                             "has no overall judgement"]


def test_opened_on_must_come_before_the_audit_and_be_one_date_per_case():
    header = HEADER + ",opened_on"
    assert problems_of(GOOD_ROW + ",2022-08-01", header=header) == [
        "line 2, column opened_on: must be on or before audited_on: a case is audited after "
        "it is opened"]
    later = GOOD_ROW.replace("2022-07-01", "2022-09-01").replace("Crewe CIN/CP", "Fostering")
    assert problems_of(GOOD_ROW + ",2022-01-01", later + ",01/02/2022", header=header) == [
        "line 3, column opened_on: case LCS-1 was opened on 2022-01-01 on line 2: a case has "
        "one opening date"]


def test_rows_the_header_does_not_name_and_the_same_audit_twice():
    assert problems_of(GOOD_ROW + ",extra") == [
        "line 2: has 19 values but the header has 18 columns"]
    header = HEADER.replace(",notes,", ",,")
    assert problems_of(row(notes="stray"), header=header) == [
        "line 2: value 12 is in a column with no name on line 1"]
    assert problems_of(GOOD_ROW, GOOD_ROW.replace("LCS-1", "lcs-1")) == [
        "line 3: the same audit (case, template, auditor and audited_on) is also on line 2"]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"moderator": "m@council.gov.uk"}, [
        "line 2, column moderated_on: missing value: a moderation needs moderator, "
        "moderated_on and moderated_overall together",
        "line 2, column moderated_overall: missing value: a moderation needs moderator, "
        "moderated_on and moderated_overall together"]),
    ({"moderated_assessment": "Good"}, [
        "line 2, column moderator: missing value: a moderation needs moderator, moderated_on "
        "and moderated_overall together",
        "line 2, column moderated_on: missing value: a moderation needs moderator, "
        "moderated_on and moderated_overall together",
        "line 2, column moderated_overall: missing value: a moderation needs moderator, "
        "moderated_on and moderated_overall together"]),
    ({"moderator": "A@council.gov.uk", "moderated_on": "2022-06-30", "moderated_overall": "RI"},
     ["line 2, column moderator: the moderator must not be the auditor: nobody moderates "
      "their own audit",
      "line 2, column moderated_on: must be on or after audited_on: a moderation follows the "
      "audit"]),
    ({"moderator": "m@council.gov.uk", "moderated_on": "2022-08-01", "moderated_overall": "RI",
      "moderated_plan": "Goodish"},
     ['line 2, column moderated_plan: "Goodish" is not a grade: use one of Outstanding, Good, '
      "Requires improvement to be good, Inadequate"]),
    ({"moderator": "m@council.gov.uk", "moderated_on": "2022-08-01", "moderated_overall": "RI",
      "assessment": "", "moderated_assessment": "Good"},
     ["line 2, column moderated_assessment: the auditor did not answer assessment on this "
      "row, so there is no grade to moderate"]),
])
def test_each_kind_of_moderation_problem(changes, expected):
    assert problems_of(row(**changes)) == expected


def test_moderated_columns_only_for_graded_questions_of_the_rows_template():
    header = HEADER + ",moderated_seen,moderated_visited"
    moderated = "m@council.gov.uk,2022-08-01,"
    assert problems_of(
        row(moderator="m@council.gov.uk", moderated_on="2022-08-01", moderated_overall="RI")
        + ",yes,",
        f"LCS-2,Fostering,checklist,a@council.gov.uk,2022-07-01,,,,,no,,,yes,{moderated}RI,,,,"
        "yes", header=header) == [
        "line 2, column moderated_seen: seen is not a graded question of the template small",
        "line 3, column moderated_overall: must be blank: the template checklist has no "
        "overall judgement",
        "line 3, column moderated_visited: visited is not a graded question of the template "
        "checklist"]


def test_a_moderation_of_a_template_without_an_overall_judgement_needs_no_overall():
    rows, problems = checked(csv_bytes(
        "LCS-2,Fostering,checklist,a@council.gov.uk,2022-07-01,,,,,no,,,yes,"
        "m@council.gov.uk,2022-08-01,,,"))
    assert problems == []
    assert (rows[0].moderation.overall, rows[0].moderation.grades) == (None, ())


def test_every_bad_row_is_reported_and_a_long_value_is_not_repeated_in_full():
    _rows, problems = checked(csv_bytes(
        row(team="T" * 10_000), GOOD_ROW.replace("LCS-1", "LCS-2"), row(case_reference="LCS-3",
                                                                        seen="perhaps")))
    assert problems == [
        f'line 2, column team: unknown team "{"T" * 60}…": add the team on the Teams page '
        "first, or correct its name",
        'line 4, column seen: "perhaps" is not an answer: use yes, no, partly or n/a']
