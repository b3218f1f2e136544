"""What may arrive in a request, file or form, and how far: the bounds every input is held to.

Anything a person (or an attacker) sends must get a clear answer, never a server error. The
database cannot take some text (PostgreSQL refuses a NUL character), an INTEGER column holds
up to 2^31 - 1 (SQLite's driver fails on anything past 2^63), and dates far from today break
the calendar arithmetic done on them. So:

- `forbidden_character` finds the characters no text may hold (NUL and other control
  characters, unpaired surrogates); forms, the CSV and JSON imports and the query string
  (`refuse_bad_query_string`, run before every request) refuse them with a message that
  names the place.
- `whole_number` reads an id, a version or a page number: ASCII digits only (`int()` also
  reads "١٢", and `str.isdigit()` says yes to "²"), within the database's integer range.
  `IdConverter` holds the ids in URLs to that range, so `/audits/99999999999999999999` is
  not found rather than a server error.
- `DATE_MIN` to `DATE_MAX` is the range of every date typed or imported.
- `page_number` reads `?page=`.
"""

import re
from datetime import date

from flask import abort, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError

DB_INT_MAX = 2**31 - 1  # an INTEGER column on PostgreSQL: ids, row versions, counts
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2099, 12, 31)

# C0 controls but tab, newline and carriage return; DEL and the C1 controls; surrogates
# (a lone one cannot be stored or sent as UTF-8).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9]+")


# What a message about such a character says after naming the field.
NO_CONTROL_CHARACTERS = "must not include hidden control characters, such as a null character"


def forbidden_character(text):
    """The first character in `text` that no stored text may hold, or None."""
    match = _FORBIDDEN.search(text) if isinstance(text, str) else None
    return match.group() if match else None


def describe_character(char):
    """ "a null character (U+0000)" """
    code = ord(char)
    if code == 0:
        what = "a null character"
    elif 0xD800 <= code <= 0xDFFF:
        what = "an unpaired surrogate"
    else:
        what = "a control character"
    return f"{what} (U+{code:04X})"


def whole_number(text, minimum=0, maximum=DB_INT_MAX):
    """The whole number written in `text` (ASCII digits, surrounding spaces allowed) if it is
    from `minimum` to `maximum`; None for anything else."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    widest = len(str(max(-minimum, maximum)))  # int() of thousands of digits is refused
    if not _DIGITS.fullmatch(digits) or len(digits.lstrip("0")) > widest:
        return None
    number = -int(digits) if negative else int(digits)
    return number if minimum <= number <= maximum else None


def in_date_range(day):
    return DATE_MIN <= day <= DATE_MAX


def date_range_text():
    return f"{DATE_MIN.day} {DATE_MIN:%B %Y} and {DATE_MAX.day} {DATE_MAX:%B %Y}"


class BadInput(BadRequest):
    """A request the app cannot take, with a description for the error page."""


def refuse_bad_query_string():
    """Before every request: a query string holding a control character is refused (400)."""
    for name, value in request.args.items(multi=True):
        char = forbidden_character(name) or forbidden_character(value)
        if char:
            raise BadInput(description=(
                f"The web address contains {describe_character(char)}, which is not allowed. "
                "Check the address, or go back and try again."))


def page_number(per_page):
    """`?page=`: 1 when absent; a page that cannot exist is not found (404)."""
    text = request.args.get("page")
    if text is None:
        return 1
    page = whole_number(text, minimum=1, maximum=DB_INT_MAX // per_page)
    if page is None:
        abort(404)
    return page


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: ASCII digits, up to what the database can hold; anything else
    does not match, so the page is not found (404)."""

    regex = r"[0-9]+"

    def to_python(self, value):
        number = whole_number(value)
        if number is None:
            raise ValidationError()
        return number
