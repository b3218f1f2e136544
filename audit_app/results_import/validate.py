"""Checking every row of a results file before anything is written. Pure: a Sheet and the
Lookups in, AuditRows and Problems out; no database.

One row per audit. Columns (names in any capitals; spaces read as underscores):
- case_reference, team, template (its slug), auditor (email), audited_on: required.
- overall: the overall judgement, required for a template with one, blank for others.
- opened_on: the date the case was opened, used when the import adds the case.
- a column per question key of the templates in the file: a grade for a graded question;
  yes, no, partly or n/a for a yes/no one; a date, number or text for those kinds; blank is
  not answered. Only the row's template's questions are read: a key two templates share is
  the row's template's question, and a value under a key its template does not have is a
  problem.
- moderator (email), moderated_on, moderated_overall: together on a row or not at all
  (moderated_overall blank for a template without an overall judgement), and
  moderated_<key>: the moderator's grade for a graded question the auditor answered; blank
  means not re-graded, so that question keeps its final grade from the auditor.
Dates are YYYY-MM-DD, DD/MM/YYYY or date cells; no date may be in the future.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from audit_app.cases.importer import Problem, hidden_characters
from audit_app.cases.services import reference_problem
from audit_app.models import User
from audit_app.models.cases import reference_key
from audit_app.results_import import values
from audit_app.results_import.read import is_blank

REQUIRED = ("case_reference", "team", "template", "auditor", "audited_on")
OPTIONAL = ("overall", "opened_on", "moderator", "moderated_on", "moderated_overall")
MODERATED = "moderated_"
MODERATION = ("moderator", "moderated_on", "moderated_overall")
EMAIL_MAX = 254


@dataclass(frozen=True)
class Columns:
    named: dict  # a REQUIRED or OPTIONAL name -> its index
    questions: dict  # question key -> index
    moderated: dict  # question key -> index of its moderated_<key> column
    unnamed: tuple  # indexes of columns with no name

    def names(self):
        """{index: column name} for messages."""
        found = {i: name for name, i in self.named.items()}
        found.update({i: key for key, i in self.questions.items()})
        found.update({i: MODERATED + key for key, i in self.moderated.items()})
        return found


@dataclass(frozen=True)
class Moderated:
    moderator: str  # email, lower case
    on: date
    overall: tuple | None  # (label, rank)
    grades: tuple  # ((Question, label, rank), ...) for the questions re-graded


@dataclass(frozen=True)
class AuditRow:
    line: int
    reference: str  # as written
    team_id: int
    template: object  # lookups.Template
    auditor: str  # email, lower case
    audited_on: date
    opened_on: date | None
    overall: tuple | None  # (label, rank)
    answers: tuple  # ((Question, stored value, rank or None), ...)
    moderation: Moderated | None

    @property
    def case_key(self):
        return reference_key(self.reference)

    @property
    def key(self):
        """What makes two rows (or a row and a stored audit) the same audit."""
        return (self.case_key, self.template.id, self.auditor, self.audited_on)


def _normal(cell):
    return "_".join(values.text_of(cell).casefold().split())


def columns(header, question_keys):
    """The file's Columns, or the header's problems (line 1)."""
    hidden = hidden_characters(1, header, None)
    if hidden:
        return None, hidden
    names = [_normal(cell) for cell in header]
    if not set(names) & set(REQUIRED):
        return None, [Problem(1, None, (
            f"the first line must be the column names {', '.join(REQUIRED)}, then overall "
            "and the question keys"))]
    problems, named, questions, moderated, unnamed, seen = [], {}, {}, {}, [], set()
    for index, name in enumerate(names):
        if not name:
            unnamed.append(index)
        elif name in seen:
            problems.append(Problem(1, name, "column appears more than once"))
        elif name in REQUIRED or name in OPTIONAL:
            named[name] = index
        elif name in question_keys:
            questions[name] = index
        elif name.startswith(MODERATED) and name.removeprefix(MODERATED) in question_keys:
            moderated[name.removeprefix(MODERATED)] = index
        else:
            problems.append(Problem(1, values.text_of(header[index])[:values.QUOTED], (
                f"unknown column: not one of {', '.join(REQUIRED + OPTIONAL)}, nor a question "
                "key of a published template, nor moderated_ and such a key")))
        seen.add(name)
    problems.extend(Problem(1, name, "missing column") for name in REQUIRED
                    if name not in named)
    return Columns(named, questions, moderated, tuple(unnamed)), problems


def email(cell):
    """An email address, lower-cased as accounts keep it; ValueError if it is not one."""
    text = User.normalise_email(values.text_of(cell))
    if len(text) > EMAIL_MAX:
        raise ValueError(f"must be {EMAIL_MAX} characters or fewer")
    if not _is_email(text):
        raise ValueError(f"{values.quoted(cell)} is not an email address, like "
                         "name@council.gov.uk")
    return text


@lru_cache(maxsize=4096)  # a file names a few dozen people on thousands of rows
def _is_email(text):
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


class _Row:
    """One record being checked: its cells by column, and the problems found."""

    def __init__(self, line, cells, cols):
        self.line, self.cells, self.cols, self.problems = line, cells, cols, []

    def cell(self, index):
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def get(self, name):
        return self.cell(self.cols.named.get(name))

    def problem(self, column, message):
        self.problems.append(Problem(self.line, column, message))

    def parse(self, column, parser, *args):
        """parser(cell of `column`, *args), or None with the problem noted."""
        try:
            return parser(self.get(column), *args)
        except ValueError as error:
            self.problem(column, str(error))
            return None

    def day(self, column, today, required=False):
        cell = self.get(column)
        if is_blank(cell):
            if required:
                self.problem(column, "missing value")
            return None
        found = self.parse(column, values.day)
        if found is not None and found > today:
            self.problem(column, "must be today or in the past")
            return None
        return found


def _reference(row):
    cell = row.get("case_reference")
    if is_blank(cell):
        return None
    reference = row.parse("case_reference", values.reference)
    reason = reference_problem(reference) if reference is not None else None
    if reason:
        row.problem("case_reference", reason[0].lower() + reason[1:])
        return None
    return reference


def _template(row, lookups):
    cell = row.get("template")
    if is_blank(cell):
        return None
    template = lookups.templates.get(values.text_of(cell).lower())
    if template is None:
        row.problem("template", f"unknown template {values.quoted(cell)}: write the "
                    "template's slug, like whole-case-file")
    elif template.version_id is None:
        row.problem("template", f"the template {template.slug} has no published version")
        return None
    return template


def _answers(row, template):
    found = []
    for key, index in row.cols.questions.items():
        cell = row.cell(index)
        if is_blank(cell):
            continue
        question = template.questions.get(key)
        if question is None:
            row.problem(key, f"{key} is not a question of the template {template.slug}: "
                        "leave it blank on this row")
            continue
        try:
            found.append((question, *values.answer(question, cell, template.scale)))
        except ValueError as error:
            row.problem(key, str(error))
    return tuple(found)


def _overall(row, template, column):
    """The grade in `column` (overall or moderated_overall): required when the template has
    an overall judgement, else it must be blank."""
    cell = row.get(column)
    if not template.has_overall:
        if not is_blank(cell):
            row.problem(column, f"must be blank: the template {template.slug} has no overall "
                        "judgement")
        return None
    if is_blank(cell):
        row.problem(column, "missing value")
        return None
    return row.parse(column, values.grade, template.scale)


def _moderation(row, template, auditor, audited_on, answered, today):
    regraded = {key: row.cell(index) for key, index in row.cols.moderated.items()
                if not is_blank(row.cell(index))}
    if all(is_blank(row.get(name)) for name in MODERATION) and not regraded:
        return None
    together = ("missing value: a moderation needs moderator, moderated_on and "
                "moderated_overall together")
    for name in ("moderator", "moderated_on"):
        if is_blank(row.get(name)):
            row.problem(name, together)
    moderator = None if is_blank(row.get("moderator")) else row.parse("moderator", email)
    if moderator is not None and moderator == auditor:
        row.problem("moderator", "the moderator must not be the auditor: nobody moderates "
                    "their own audit")
    on = row.day("moderated_on", today)
    if on is not None and audited_on is not None and on < audited_on:
        row.problem("moderated_on", "must be on or after audited_on: a moderation follows "
                    "the audit")
    if template.has_overall and is_blank(row.get("moderated_overall")):
        row.problem("moderated_overall", together)
        overall = None
    else:
        overall = _overall(row, template, "moderated_overall")
    grades = []
    for key, cell in regraded.items():
        column = MODERATED + key
        question = template.questions.get(key)
        if question is None or question.kind != "graded":
            row.problem(column, f"{key} is not a graded question of the template "
                        f"{template.slug}")
        elif key not in answered:
            row.problem(column, f"the auditor did not answer {key} on this row, so there is "
                        "no grade to moderate")
        else:
            try:
                grades.append((question, *values.grade(cell, template.scale)))
            except ValueError as error:
                row.problem(column, str(error))
    return Moderated(moderator, on, overall, tuple(grades))


def check_row(line, cells, cols, lookups, today):
    """(AuditRow or None, [Problem]) for one record."""
    row = _Row(line, cells, cols)
    for index in cols.unnamed:
        if not is_blank(row.cell(index)):
            row.problem(None, f"value {index + 1} is in a column with no name on line 1")
    for name in REQUIRED:
        if name != "audited_on" and is_blank(row.get(name)):
            row.problem(name, "missing value")
    reference = _reference(row)
    team_id = None
    if not is_blank(row.get("team")):
        team_id = lookups.team_id(values.text_of(row.get("team")))
        if team_id is None:
            row.problem("team", f"unknown team {values.quoted(row.get('team'))}: add the "
                        "team on the Teams page first, or correct its name")
    template = _template(row, lookups)
    auditor = None if is_blank(row.get("auditor")) else row.parse("auditor", email)
    audited_on = row.day("audited_on", today, required=True)
    opened_on = row.day("opened_on", today)
    if opened_on and audited_on and opened_on > audited_on:
        row.problem("opened_on", "must be on or before audited_on: a case is audited after "
                    "it is opened")
    if template is None:
        return None, row.problems
    overall = _overall(row, template, "overall")
    answers = _answers(row, template)
    answered = {question.key for question, _value, _rank in answers}
    moderation = _moderation(row, template, auditor, audited_on, answered, today)
    if row.problems:
        return None, row.problems
    return AuditRow(line, reference, team_id, template, auditor, audited_on, opened_on,
                    overall, answers, moderation), []


def _across_rows(rows):
    """Problems between rows: the same audit twice, one case given two opening dates."""
    problems, first_line, opened = [], {}, {}
    for row in rows:
        if row.key in first_line:
            problems.append(Problem(row.line, None, (
                "the same audit (case, template, auditor and audited_on) is also on line "
                f"{first_line[row.key]}")))
        first_line.setdefault(row.key, row.line)
        if row.opened_on is not None:
            line, day = opened.setdefault(row.case_key, (row.line, row.opened_on))
            if day != row.opened_on:
                problems.append(Problem(row.line, "opened_on", (
                    f"case {row.reference} was opened on {day.isoformat()} on line {line}: "
                    "a case has one opening date")))
    return problems


def check(sheet, lookups, today):
    """(AuditRows of the good records, Problems of the bad ones and of the header)."""
    cols, problems = columns(sheet.header, lookups.question_keys)
    if cols is None or problems:
        return [], problems
    names, width = cols.names(), len(sheet.header)
    rows = []
    for line, cells in sheet.records:
        hidden = hidden_characters(line, cells, names)
        if hidden:  # before the checks below, which would quote the text
            problems.extend(hidden)
            continue
        if len(cells) > width:
            problems.append(Problem(line, None, (
                f"has {len(cells)} values but the header has {width} columns")))
            continue
        row, row_problems = check_row(line, cells, cols, lookups, today)
        problems.extend(row_problems)
        if row is not None:
            rows.append(row)
    return rows, problems + _across_rows(rows)
