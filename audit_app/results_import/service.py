"""Importing a results file: read it, check every row, match it against what is stored, and
write what is new, all or nothing. The upload page and the command both call
`import_results`; the caller commits, or rolls back on ImportRejected."""

import re
import unicodedata

from sqlalchemy.exc import IntegrityError

from audit_app.cases.importer import ImportRejected, Problem
from audit_app.extensions import db
from audit_app.inputs import forbidden_character
from audit_app.results_import import existing, lookups, read, validate, write
from audit_app.timeutil import today as uk_today

SOURCE_MAX = 255  # audits.imported_from


def _shown(char):
    """Not a control character, nor an invisible format one (a right-to-left override would
    make "\u202eVSC.json" show as "json.CSV")."""
    return not forbidden_character(char) and unicodedata.category(char) != "Cf"


def source_name(filename):
    """The file's name as imported records keep it: without any folder a browser sent, with
    no control or format characters, at most SOURCE_MAX characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = " ".join("".join(c for c in name if _shown(c)).split())
    return name[:SOURCE_MAX] or "unnamed file"


def import_results(data, filename, actor=None, max_rows=None, max_bytes=None, today=None):
    """Check and import a results file's bytes; returns write.Report. Raises ImportRejected
    with every problem, by line and column, when any row is bad: nothing is written."""
    sheet = read.read(data, max_rows=max_rows, max_bytes=max_bytes)
    rows, problems = validate.check(sheet, lookups.load(), today or uk_today())
    plan, changed = existing.plan(rows)
    problems = sorted(problems + changed, key=lambda p: p.line or 0)
    if problems:
        raise ImportRejected(problems)
    if not rows:
        raise ImportRejected([Problem(None, None, "The file has a header but no audits")])
    try:
        report = write.write(rows, plan, source_name(filename), actor)
        db.session.flush()
    except IntegrityError:
        # Another import (or edit) added one of these cases, accounts or audits since we
        # looked: checked again, the file may now change nothing.
        raise ImportRejected([Problem(None, None, (
            "Audits, cases or accounts in this file were added by someone else while it was "
            "being imported. Nothing was imported: import the file again"))]) from None
    # Objects already in the session do not see the bulk statements; reload them on use.
    db.session.expire_all()
    return report
