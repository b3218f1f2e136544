"""Reading a results file: a header and numbered records, from CSV or XLSX.

CSV may be UTF-8, with or without the byte-order mark Excel's "CSV UTF-8" writes, or
Windows-1252, as Excel's plain "CSV" saves it on a UK Windows machine. XLSX is read from its
first worksheet with openpyxl in read-only mode (it streams the sheet), values only. A CSV
cell is text; a workbook cell is what Excel typed it as: text, a number, a datetime (a date
cell) or a boolean. Line numbers are the spreadsheet's row numbers: the header is line 1.
Blank rows are left out. Reading stops as soon as the file is past `max_rows` rows.
"""

import io
import zipfile
from contextlib import closing
from dataclasses import dataclass

from openpyxl import load_workbook

from audit_app.cases.importer import ImportRejected, Problem, csv_records
from audit_app.downloads import unescape

# A file mixing every template, with a moderated_ column per graded question, has under 200.
MAX_COLUMNS = 500
# What a workbook may unzip to: the 25,000-row benchmark's sheet is far smaller. A few MB of
# zip can hold gigabytes of XML (one huge cell, or millions of empty ones), which openpyxl
# would hold in memory or pad row by row.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
# Rows read (blank or not) for each row a limit allows: blank rows cost time to read too.
BLANK_ROWS_ALLOWED = 10
XLSX_START = b"PK\x03\x04"  # a workbook is a zip file


@dataclass(frozen=True)
class Sheet:
    header: list  # the first line's cells, as written
    records: list  # [(line, cells)] after the header, blank rows left out


def is_blank(cell):
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _trimmed(cells):
    """The cells without the blank ones at the end (a spreadsheet's unused columns)."""
    end = len(cells)
    while end and is_blank(cells[end - 1]):
        end -= 1
    return list(cells[:end])


def _text(data):
    """The CSV file's text: UTF-8 (after any byte-order mark), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ImportRejected([Problem(line, None, (
            "the file is neither UTF-8 nor Windows-1252 text. In Excel, save it as an Excel "
            "workbook (.xlsx) or as 'CSV UTF-8 (Comma delimited)'"))]) from None


def _workbook_rows(data):
    """(line, cells) for each row of the workbook's first sheet."""
    # A damaged or foreign file can make openpyxl (and zipfile, zlib and the XML parser
    # under it) raise almost anything; each is the same answer to the person uploading it.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(entry.file_size for entry in archive.infolist())
        if unzipped > MAX_UNZIPPED_BYTES:
            raise ImportRejected([Problem(None, None, (
                f"The workbook holds more than {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB of data "
                "when unpacked, far more than a results file needs: save only the results "
                "sheet, or save it as CSV"))])
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRejected:
        raise
    except Exception as error:
        raise _not_a_workbook(error) from None
    try:
        sheet = book.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise ImportRejected([Problem(None, None, (
                f"The first sheet is {sheet.max_column:,} columns wide: a results file has "
                f"one column for each detail of an audit and each question, at most "
                f"{MAX_COLUMNS}. Delete the columns after the last one you need"))])
        # The size a workbook states can be wrong (some programs write "A1"): read it all,
        # but no wider than one column past the widest file taken (see above).
        sheet.reset_dimensions()
        # openpyxl pads each row out to its last cell: a cell in column XFD would make
        # every row 16,384 wide.
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        width = MAX_COLUMNS + 1
        for line, cells in enumerate(rows, start=1):
            # After the header, a row is cleaned only as wide as the header and one more
            # cell (enough to see a value past the last column): blank padding costs nothing.
            cleaned = [unescape(cell.strip()).strip() if isinstance(cell, str) else cell
                       for cell in cells[:width]]
            if line == 1:
                width = len(_trimmed(cleaned)) + 1
            yield line, cleaned
    except ImportRejected:
        raise
    except Exception as error:
        raise _not_a_workbook(error) from None
    finally:
        book.close()


def _not_a_workbook(error):
    return ImportRejected([Problem(None, None, (
        "The selected file cannot be read as an Excel workbook (.xlsx): it may be damaged, "
        "or in another format. Save it again from Excel as an Excel workbook or as CSV "
        f"({type(error).__name__})"))])


def read(data, max_rows=None, max_bytes=None):
    """The file's Sheet, or ImportRejected for a file that is empty, too big, unreadable,
    too wide, or longer than `max_rows` rows after the header (`too_long` says what to do)."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ImportRejected([Problem(None, None, (
            f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB"))])
    if not data.strip():
        raise ImportRejected([Problem(None, None, "The selected file is empty")])
    rows = _workbook_rows(data) if data.startswith(XLSX_START) else csv_records(_text(data))
    header, records = None, []
    with closing(rows):
        for line, cells in rows:
            if max_rows is not None and line > (max_rows + 1) * BLANK_ROWS_ALLOWED:
                raise ImportRejected([Problem(None, None, too_long(max_rows))])
            header = _take(line, cells, header, records, max_rows)
    if not header:
        raise ImportRejected([Problem(1, None, "the first line must be the column names")])
    return Sheet(header, records)


def _take(line, cells, header, records, max_rows):
    """Add one row: the header if there is none yet (returned), else a record."""
    if len(cells) > MAX_COLUMNS and any(not is_blank(c) for c in cells[MAX_COLUMNS:]):
        raise ImportRejected([Problem(line, None, (
            f"has more than {MAX_COLUMNS} columns: a results file has one column for each "
            "detail of an audit and each question"))])
    cells = _trimmed(cells)
    if header is None:
        return cells
    if cells:
        if max_rows is not None and len(records) == max_rows:
            raise ImportRejected([Problem(None, None, too_long(max_rows))])
        records.append((line, cells))
    return header


def too_long(max_rows):
    return (f"The file has more than {max_rows:,} audits, more than this page imports at once. "
            "Split it into files of up to that many rows, or ask your system administrator "
            "to import it with the command flask --app wsgi import-results FILE, which has "
            "no limit")
