"""CSV and Excel downloads that open cleanly in Excel and cannot run formulas.

Every CSV or XLSX file the app writes goes through `csv_response`, `xlsx_response`,
`xlsx_workbook_response` (several sheets, numbers and dates in number formats) or (for a
streamed download) `csv_chunks`, so every cell is escaped by `safe`; the case importer reads
cells back through `unescape`. Word documents go out through `docx_response`.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A spreadsheet treats a cell starting with one of these as a formula (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A leading ' is escaped too, so that `unescape` can always undo `safe`.
ESCAPED_START = (*FORMULA_START, "'")
MIN_WIDTH, MAX_WIDTH = 8, 60
CHUNK_SIZE = 64 * 1024  # characters of a streamed CSV sent at a time


def safe(value):
    """Text that would start a formula gets a leading ' so it stays text; numbers are kept."""
    if isinstance(value, str) and value.startswith(ESCAPED_START):
        return "'" + value
    return value


def unescape(text):
    """The text `safe` was given, from what it wrote (a file downloaded and uploaded again)."""
    if text.startswith("'") and text[1:].startswith(ESCAPED_START):
        return text[1:]
    return text


def _text(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):  # a JSON column
        return json.dumps(value, sort_keys=True)
    return value


def _attachment(filename):
    return {"Content-Disposition": f"attachment; filename={filename}"}


def csv_chunks(columns, rows, chunk_size=None):
    """The CSV file in pieces of about `chunk_size` (CHUNK_SIZE) characters, for a download
    streamed as `rows` (any iterable) are read."""
    chunk_size = chunk_size or CHUNK_SIZE
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    # The byte-order mark tells Excel the file is UTF-8 (names with accents, en dashes).
    out.write("\ufeff")
    writer.writerow([safe(c) for c in columns])
    for row in rows:
        writer.writerow([safe(_text(value)) for value in row])
        if out.tell() >= chunk_size:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_text(columns, rows):
    return "".join(csv_chunks(columns, rows))


def csv_response(filename, columns, rows):
    return Response(csv_text(columns, rows), mimetype="text/csv", headers=_attachment(filename))


def zip_response(filename, files):
    """A ZIP of {name: text}; CSV members made with `csv_text`, so escaped the same way."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return Response(out.getvalue(), mimetype="application/zip", headers=_attachment(filename))


# Excel number formats: numbers and dates are real cells, shown by their column's format.
PERCENT, WHOLE, DECIMAL, P_VALUE, STEPS, DAY = ("0.0%", "0", "0.000", "0.0000",
                                                "+0.00;-0.00;0.00", "d mmm yyyy")


@dataclass(frozen=True)
class Column:
    heading: str
    number_format: str | None = None  # for the numbers and dates in the column


@dataclass(frozen=True)
class Formatted:
    """A number shown in a format other than its column's (a kappa among percentages)."""

    value: object
    number_format: str


@dataclass(frozen=True)
class Sheet:
    title: str  # at most 31 characters, Excel's limit
    columns: list  # Column, or a heading alone
    rows: list


def _column(column):
    return column if isinstance(column, Column) else Column(column)


def _cell(sheet, value, number_format):
    """A cell of the sheet: text escaped by `safe`, numbers and dates as themselves."""
    if isinstance(value, Formatted):
        value, number_format = value.value, value.number_format
    cell = WriteOnlyCell(sheet, value=safe(value))
    if number_format and isinstance(value, int | float | date) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def _width(value):
    return len(str(_text(value.value if isinstance(value, Formatted) else value)))


def xlsx_workbook(sheets):
    """The bytes of a workbook of `sheets` (Sheet), each with a bold, frozen header row."""
    workbook = Workbook(write_only=True)
    for shown in sheets:
        columns = [_column(c) for c in shown.columns]
        sheet = workbook.create_sheet(shown.title)
        for index, column in enumerate(columns, start=1):
            longest = max([len(column.heading)] + [_width(row[index - 1]) for row in shown.rows])
            sheet.column_dimensions[get_column_letter(index)].width = (
                min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
            )
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=safe(column.heading))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in shown.rows:
            sheet.append([_cell(sheet, value, column.number_format)
                          for value, column in zip(row, columns, strict=True)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_workbook_response(filename, sheets):
    return Response(xlsx_workbook(sheets), mimetype=XLSX, headers=_attachment(filename))


def xlsx_response(filename, title, columns, rows):
    return xlsx_workbook_response(filename, [Sheet(title, columns, list(rows))])


def docx_response(filename, document):
    """A Word document (python-docx's Document) as a download."""
    out = io.BytesIO()
    document.save(out)
    return Response(out.getvalue(), mimetype=DOCX, headers=_attachment(filename))
