"""Importing the case register from a CSV file.

Every row is checked before anything is written; one bad row rejects the whole file with
every problem listed by line (as a spreadsheet numbers its rows: the header is line 1) and
column. A good file is upserted by reference, set-based (a handful of statements however
many rows), in the caller's transaction, with one event summarising it.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from audit_app.cases.services import date_problems, reference_problem
from audit_app.downloads import unescape
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.inputs import date_range_text, describe_character, forbidden_character, in_date_range
from audit_app.models import COHORTS, Case, CaseCohort, Team
from audit_app.models.cases import reference_key
from audit_app.timeutil import utcnow

MAX_BYTES = 5 * 1024 * 1024  # about 100,000 rows; the upload page's limit
COLUMNS = ("reference", "team", "cohorts", "opened_on", "closed_on")
REQUIRED_COLUMNS = COLUMNS[:4]
HEADER_TEXT = "reference,team,cohorts,opened_on[,closed_on]"
# Keeps each IN (...) list well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 5000

# Cohort keys, their labels and the abbreviations the reference document uses, compared
# ignoring case and punctuation ("Child in need", "child_in_need", "CIN" are the same).
_ABBREVIATIONS = {"cin": "child_in_need", "cp": "child_protection",
                  "cwd": "children_with_disabilities", "plo": "pre_proceedings"}


def _squash(text):
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


COHORT_NAMES = {
    **{_squash(key): key for key in COHORTS},
    **{_squash(label): key for key, label in COHORTS.items()},
    **_ABBREVIATIONS,
}

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    message: str

    def __str__(self):
        where = [f"line {self.line}"] if self.line else []
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRejected(Exception):
    """The file was not imported; `problems` says why, in file order."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class CaseRow:
    line: int
    reference: str
    team_id: int
    cohorts: frozenset
    opened_on: date
    closed_on: date | None


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    def __str__(self):
        noun = "case" if self.created == 1 else "cases"
        return f"{self.created} {noun} created, {self.updated} updated"


# --- reading --------------------------------------------------------------------------------


def decode(data, max_bytes=MAX_BYTES):
    """The file's text, or ImportRejected for a file too big, not UTF-8, or empty."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ImportRejected([Problem(None, None, (
            f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB"))])
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ImportRejected([Problem(line, None, (
            "the file is not UTF-8 text. In Excel, use Save As and choose "
            "'CSV UTF-8 (Comma delimited) (*.csv)'"))]) from None
    if not text.strip():
        raise ImportRejected([Problem(None, None, "The selected file is empty")])
    return text


def csv_records(text):
    """(line, cells) for each record; a record's line is its row number in a spreadsheet."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    try:
        for line, cells in enumerate(reader, start=1):
            # A cell the app escaped on download (downloads.safe) reads as it was stored.
            yield line, [unescape(cell.strip()).strip() for cell in cells]
    except csv.Error as error:
        raise ImportRejected([Problem(line + 1, None, f"cannot be read as CSV ({error})")]) \
            from None


def hidden_characters(line, cells, names):
    """A problem for each cell holding a NUL or another control character: PostgreSQL
    cannot store a NUL, and none belongs in a case register. `names` are the columns by
    position (None for the header row)."""
    problems = []
    for index, cell in enumerate(cells):
        char = forbidden_character(cell)
        if char:
            column = names.get(index) if names else None
            where = "" if column else f"value {index + 1} "
            problems.append(Problem(line, column, (
                f"{where}contains {describe_character(char)}, which is not allowed; remove "
                "it (such characters often come in when text is copied from another system)")))
    return problems


def _normal_header(cell):
    return re.sub(r"[\s-]+", "_", cell.strip().casefold())


def _columns(header):
    """{column name: index} from the header row, or ImportRejected naming what is wrong."""
    names = [_normal_header(cell) for cell in header]
    if len(header) == 1 and re.search(r"[;\t]", header[0]):
        raise ImportRejected([Problem(1, None, (
            "the columns must be separated by commas, not semicolons or tabs. In Excel, "
            "save the file as 'CSV UTF-8 (Comma delimited)'"))])
    if not set(names) & set(COLUMNS):
        raise ImportRejected([Problem(1, None, (
            f"the first line must be the column names {HEADER_TEXT}"))])
    problems, positions = [], {}
    for index, (name, raw) in enumerate(zip(names, header, strict=True)):
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(Problem(1, raw, f"unknown column (expected {HEADER_TEXT})"))
        elif name in positions:
            problems.append(Problem(1, name, "column appears more than once"))
        else:
            positions[name] = index
    problems.extend(
        Problem(1, name, "missing column") for name in REQUIRED_COLUMNS if name not in positions
    )
    if problems:
        raise ImportRejected(problems)
    return positions


# --- checking -------------------------------------------------------------------------------


def parse_date(text):
    """A date from YYYY-MM-DD or DD/MM/YYYY (as UK Excel writes it), in the range the app
    takes (audit_app/inputs.py); ValueError says why."""
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _UK_DATE.fullmatch(text)
        if not match:
            raise ValueError(f'bad date "{text}": use YYYY-MM-DD or DD/MM/YYYY')
        day, month, year = match.groups()
    try:
        parsed = date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f'bad date "{text}": not a real date') from None
    if not in_date_range(parsed):
        raise ValueError(f'bad date "{text}": must be between {date_range_text()}')
    return parsed


def parse_cohorts(text):
    """(set of cohort keys, [unknown names]) from "child_in_need; Child protection"."""
    keys, unknown = set(), []
    for name in (part.strip() for part in text.split(";")):
        if not name:
            continue
        key = COHORT_NAMES.get(_squash(name))
        if key is None:
            unknown.append(name)
        else:
            keys.add(key)
    return keys, unknown


def _sentence_case(message):
    """The form's message, lower-cased to read on after "line 3, column team:"."""
    return message[0].lower() + message[1:]


class TeamLookup:
    """Team ids by name, compared ignoring case and spacing; an exact match wins."""

    def __init__(self):
        self.exact, self.loose = {}, {}
        for team_id, name in db.session.execute(select(Team.id, Team.name)):
            self.exact[name] = team_id
            self.loose.setdefault(" ".join(name.casefold().split()), []).append(team_id)

    def __call__(self, name):
        if name in self.exact:
            return self.exact[name]
        found = self.loose.get(" ".join(name.casefold().split()), [])
        return found[0] if len(found) == 1 else None


def check_rows(text, today=None):
    """Every row as a CaseRow, or ImportRejected listing every problem in the file."""
    records = csv_records(text)
    first = next(records, None)
    if first is None:
        raise ImportRejected([Problem(None, None, "The selected file is empty")])
    hidden = hidden_characters(*first, None)
    if hidden:
        raise ImportRejected(hidden)
    positions = _columns(first[1])
    names = {index: name for name, index in positions.items()}
    width = len(first[1])
    team_id_for = TeamLookup()
    problems, rows, first_line_of = [], [], {}

    for line, cells in records:
        if not any(cells):
            continue  # blank lines (often trailing ones) are not rows
        hidden = hidden_characters(line, cells, names)
        if hidden:  # before the checks below, which would quote the text
            problems.extend(hidden)
            continue
        if any(cells[width:]):
            problems.append(Problem(line, None, (
                f"has {len(cells)} values but the header has {width} columns")))
            continue
        value = {name: (cells[i] if i < len(cells) else "") for name, i in positions.items()}
        row_problems = []

        def problem(column, message, row_problems=row_problems, line=line):
            row_problems.append(Problem(line, column, message))

        for name in REQUIRED_COLUMNS:
            if not value[name]:
                problem(name, "missing value")

        reference = value["reference"]
        if reference:
            reason = reference_problem(reference)
            earlier = first_line_of.get(reference_key(reference))
            if reason:
                problem("reference", _sentence_case(reason))
            elif earlier:
                problem("reference", _duplicate_in_file(reference, *earlier))
            else:
                first_line_of[reference_key(reference)] = (line, reference)

        team_id = None
        if value["team"]:
            team_id = team_id_for(value["team"])
            if team_id is None:
                problem("team", f'unknown team "{value["team"]}"')

        cohorts = set()
        if value["cohorts"]:
            cohorts, unknown = parse_cohorts(value["cohorts"])
            for name in unknown:
                problem("cohorts", f'unknown cohort "{name}"')
            if not cohorts and not unknown:
                problem("cohorts", "missing value")

        dates = {}
        for name in ("opened_on", "closed_on"):
            if value.get(name):
                try:
                    dates[name] = parse_date(value[name])
                except ValueError as error:
                    problem(name, str(error))
        for name, message in date_problems(
            dates.get("opened_on"), dates.get("closed_on"), today=today
        ).items():
            problem(name, _sentence_case(message))

        if row_problems:
            problems.extend(row_problems)
        else:
            rows.append(CaseRow(line, reference, team_id, frozenset(cohorts),
                                dates["opened_on"], dates.get("closed_on")))

    problems.extend(_spelled_otherwise(rows))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.line or 0))
    if not rows:
        raise ImportRejected([Problem(None, None, "The file has a header but no cases")])
    return rows


def _duplicate_in_file(reference, line, spelled):
    if spelled == reference:
        return f'duplicate reference "{reference}" (also on line {line})'
    return (f'duplicate reference "{reference}": line {line} has "{spelled}", which differs '
            "only in capital letters, and capitals do not make a different case")


def _spelled_otherwise(rows):
    """A problem for each row whose reference is a case in the register with other capitals:
    an update would go to that case, so the file should spell it as the register does."""
    stored = _stored({reference_key(row.reference) for row in rows}, Case.reference)
    return [
        Problem(row.line, "reference", (
            f'"{row.reference}" differs only in capital letters from case '
            f'"{stored[key]}" in the register: write it as "{stored[key]}", or change the '
            "case's reference first"))
        for row in rows
        if (key := reference_key(row.reference)) in stored and stored[key] != row.reference
    ]


# --- writing --------------------------------------------------------------------------------


def _chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _stored(keys, column):
    """{reference key: column} for the cases in the register with these keys."""
    found = {}
    for chunk in _chunks(sorted(keys)):
        found.update(db.session.execute(
            select(Case.reference_key, column).where(Case.reference_key.in_(chunk))
        ).all())
    return found


def upsert(rows):
    """Insert new references and update known ones; returns ImportResult."""
    existing = _stored({reference_key(row.reference) for row in rows}, Case.id)
    new = [row for row in rows if reference_key(row.reference) not in existing]
    known = [row for row in rows if reference_key(row.reference) in existing]
    ids = {row.reference: existing[reference_key(row.reference)] for row in known}

    cases = Case.__table__  # Core, not ORM, statements: one executemany each
    if new:
        now = utcnow()
        inserted = db.session.execute(
            insert(cases).returning(cases.c.reference, cases.c.id),
            [{"reference": r.reference, "reference_key": reference_key(r.reference),
              "team_id": r.team_id, "opened_on": r.opened_on,
              "closed_on": r.closed_on, "created_at": now, "row_version": 1} for r in new],
        )
        ids.update(inserted.all())

    if known:
        # row_version goes up so anyone editing one of these cases gets a conflict page.
        db.session.execute(
            update(cases).where(cases.c.id == bindparam("b_id")).values(
                team_id=bindparam("b_team_id"), opened_on=bindparam("b_opened_on"),
                closed_on=bindparam("b_closed_on"), row_version=cases.c.row_version + 1,
            ),
            [{"b_id": ids[r.reference], "b_team_id": r.team_id, "b_opened_on": r.opened_on,
              "b_closed_on": r.closed_on} for r in known],
        )
        for chunk in _chunks([ids[r.reference] for r in known]):
            db.session.execute(delete(CaseCohort.__table__).where(
                CaseCohort.__table__.c.case_id.in_(chunk)))

    cohort_rows = [{"case_id": ids[r.reference], "cohort": c}
                   for r in rows for c in sorted(r.cohorts)]
    if cohort_rows:
        db.session.execute(insert(CaseCohort.__table__), cohort_rows)
    return ImportResult(created=len(new), updated=len(known))


def import_cases(data, filename, actor=None, max_bytes=MAX_BYTES, today=None):
    """Check and import a CSV file's bytes. Raises ImportRejected with nothing written.

    The caller commits, or rolls back on ImportRejected.
    """
    rows = check_rows(decode(data, max_bytes=max_bytes), today=today)
    try:
        result = upsert(rows)
        record("case", None, "imported", actor=actor, after={
            "created": result.created, "updated": result.updated, "file": filename})
        db.session.flush()
    except IntegrityError:
        # Another import or edit added one of these references since we looked.
        raise ImportRejected([Problem(None, None, (
            "The case register changed while this file was being imported. "
            "Nothing was imported: upload the file again"))]) from None
    # Objects already in the session do not see the bulk statements; reload them on use.
    db.session.expire_all()
    return result
