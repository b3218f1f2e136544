"""CSV and Excel downloads that open cleanly in Excel and cannot run formulas.

Every CSV or XLSX file the app writes goes through `csv_response`, `xlsx_response` or (for a
streamed download) `csv_chunks`, so every cell is escaped by `safe`; the case importer reads
cells back through `unescape`.
"""

import csv
import io
import json
import zipfile
from datetime import date

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def xlsx_response(filename, title, columns, rows):
    rows = [[safe(value) for value in row] for row in rows]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        longest = max([len(str(column))] + [len(str(_text(row[index - 1]))) for row in rows])
        sheet.column_dimensions[get_column_letter(index)].width = (
            min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
        )
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe(column))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(), mimetype=XLSX, headers=_attachment(filename))
