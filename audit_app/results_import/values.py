"""One cell of a results file as the value it stands for. Pure: no database.

A cell is text (from a CSV, or a text cell of a workbook) or what Excel typed it as: a
number, a datetime (a date cell) or a boolean. Each function returns the value as the app
stores it, or raises ValueError with a message that reads on after "line 3, column team:".
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from audit_app.audits.forms import TEXT_LIMIT, as_number, data_to_stored, number_problem
from audit_app.cases.importer import parse_date
from audit_app.inputs import date_range_text, in_date_range

# Grades the reference document's spreadsheets write short; matched ignoring case.
GRADE_ALIASES = {
    "ri": "requires improvement to be good",
    "requires improvement": "requires improvement to be good",
}
YES_NO = {"yes": "yes", "y": "yes", "no": "no", "n": "no", "partly": "partly",
          "n/a": "not_applicable", "na": "not_applicable", "not applicable": "not_applicable",
          "not_applicable": "not_applicable"}
QUOTED = 60  # characters of a bad value that a message repeats


def quoted(cell):
    """A cell as a message quotes it, cut short: a 10,000-character cell is not repeated."""
    text = text_of(cell)
    return f'"{text[:QUOTED]}…"' if len(text) > QUOTED else f'"{text}"'


def text_of(cell):
    """A cell as text: numbers as Excel shows them (1000001, not 1000001.0), dates as ISO."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))  # beyond 15 digits Excel shows it as 1E+308, as repr does
    if isinstance(cell, datetime):
        return (cell.date() if cell.time() == datetime.min.time() else cell).isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


@lru_cache(maxsize=4096)  # a file's grades and answers are a few words, over and over
def _words(text):
    return " ".join(text.casefold().split())


@lru_cache(maxsize=64)
def _scale_words(scale):
    """{grade in words: (label, rank)} for a scale (best first), with the short names."""
    found = {_words(label): (label, rank) for rank, label in enumerate(scale)}
    found.update({short: found[full] for short, full in GRADE_ALIASES.items() if full in found})
    return found


def day(cell):
    """A date: a date cell, or text as YYYY-MM-DD or DD/MM/YYYY, in the app's range."""
    if isinstance(cell, datetime):
        cell = cell.date()  # a date cell; any time of day it carries is not the point
    if isinstance(cell, date):
        if not in_date_range(cell):
            raise ValueError(f"bad date {quoted(cell)}: must be between {date_range_text()}")
        return cell
    if isinstance(cell, str):
        return parse_date(cell)
    raise ValueError(f"bad date {quoted(cell)}: use YYYY-MM-DD or DD/MM/YYYY, or a date cell")


def grade(cell, scale):
    """(label, rank) of a grade on `scale` (best first): any capitals, RI and Requires
    improvement for Requires improvement to be good."""
    found = _scale_words(tuple(scale)).get(_words(cell)) if isinstance(cell, str) else None
    if found is None:
        raise ValueError(f"{quoted(cell)} is not a grade: use one of {', '.join(scale)}")
    return found


def yes_no(cell):
    """yes, no, partly or not_applicable, from yes, no, partly or n/a in any capitals."""
    code = YES_NO.get(_words(cell)) if isinstance(cell, str) else None
    if code is None:
        raise ValueError(f"{quoted(cell)} is not an answer: use yes, no, partly or n/a")
    return code


def number(cell):
    """A number answer as the audit form stores it (no exponent, no trailing zeros)."""
    if isinstance(cell, bool) or not isinstance(cell, int | float | str):
        raise ValueError(f"{quoted(cell)} is not a number")
    if isinstance(cell, str):
        value = as_number(cell.strip())  # plain decimals only, as the audit form takes
    else:  # a number typed in Excel: its exact value
        try:
            value = Decimal(repr(cell) if isinstance(cell, float) else cell)
        except InvalidOperation:
            value = None
    if value is None:
        raise ValueError(f"{quoted(cell)} is not a number")
    problem = number_problem(value)
    if problem is not None:
        raise ValueError(f"the number {quoted(cell)} {problem}")
    return data_to_stored("number", value)


def text(cell):
    value = text_of(cell)
    if len(value) > TEXT_LIMIT:
        raise ValueError(f"must be {TEXT_LIMIT:,} characters or fewer")
    return value


def answer(question, cell, scale):
    """(stored value, grade rank or None) of an answer to `question` (lookups.Question)."""
    if question.kind == "graded":
        return grade(cell, scale)
    if question.kind == "yes_no":
        return yes_no(cell), None
    if question.kind == "date":
        return day(cell).isoformat(), None
    if question.kind == "number":
        return number(cell), None
    return text(cell), None


def reference(cell):
    """A case reference as text: a reference typed as a number reads as its digits."""
    if isinstance(cell, float) and not cell.is_integer():
        raise ValueError(f"{quoted(cell)} is not a case reference: it has a decimal point")
    return text_of(cell)
