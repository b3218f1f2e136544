"""Writing a checked results file: accounts, cases, audits, answers, moderations and their
grades, each table in one bulk statement (see `_insert`), not the ORM unit of work per
row. In the caller's transaction.

What an imported record holds that the file does not give:
- an audit is submitted, on its template's latest published version, in no programme; its
  submission time is the start of its audit date (UK time), the file giving only the day,
  so that everything ordered or filtered by submission sees it on that day; it was "due"
  that day too; its team is the row's team (figures count it there);
- a moderation is submitted at the start of its day likewise, in no round's sample; it
  grades the overall judgement and the questions the row re-graded, each beside the
  auditor's grade, so the final grade and agreement read it like any other;
- a new case is in the team of its latest audit in the file, with the opening date the
  file gives, or none;
- a new account is inactive (nobody can sign in to it), with no roles and no password, named
  by the part of its email address before the @; an administrator may later activate it.
"""

from dataclasses import dataclass
from datetime import time

from sqlalchemy import insert

from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Answer, Audit, Case, Moderation, ModerationGrade, User
from audit_app.models.audits import SUBMITTED
from audit_app.models.moderation import OVERALL
from audit_app.timeutil import stored, utcnow

OVERALL_LABEL = "Overall judgement"  # as moderation.rules.compared_items names it


@dataclass(frozen=True)
class Report:
    source: str
    audits: int
    moderations: int
    cases: int
    accounts: tuple  # emails of the inactive accounts added
    unchanged_audits: int = 0
    unchanged_moderations: int = 0

    def __str__(self):
        def count(n, noun):
            return f"{n:,} {noun}{'' if n == 1 else 's'}"

        text = (f"{count(self.audits, 'audit')}, {count(self.moderations, 'moderation')}, "
                f"{count(self.cases, 'case')} and {count(len(self.accounts), 'account')} added")
        if self.unchanged_audits or self.unchanged_moderations:
            text += (f"; {count(self.unchanged_audits, 'audit')} and "
                     f"{count(self.unchanged_moderations, 'moderation')} were already in the "
                     "tool and are unchanged")
        return text


def _insert(table, rows, *key):
    """INSERT many rows (dicts with the same keys). With `key` (columns that identify a
    row), one executemany RETURNING their ids, as {values of the key columns: id}: rows come
    back in whatever order the database likes (which lets SQLite take many rows a
    statement), so each is known by its key. Without (the answers and grades, most of a
    file), one executemany, or on PostgreSQL one COPY, the way it loads rows quickest."""
    if not rows:
        return {}
    if not key:
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            _copy(connection, table, rows)
        else:
            connection.execute(insert(table), rows)
        return {}
    returned = db.session.execute(
        insert(table).returning(table.c.id, *(table.c[name] for name in key)), rows)
    return {tuple(found): row_id for row_id, *found in returned}


def _copy(connection, table, rows):
    """COPY rows into `table` through psycopg, in the session's transaction. Column names
    come from the model, never from the file."""
    columns = list(rows[0])
    with connection.connection.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def _accounts(rows, user_ids, source, actor):
    """Add an inactive account for each email with none; returns the emails, in file order."""
    emails = []
    for row in rows:
        for email in (row.auditor, row.moderation.moderator if row.moderation else None):
            if email and email not in user_ids and email not in emails:
                emails.append(email)
    ids = _insert(User.__table__, [
        {"email": email, "name": email.split("@")[0], "active": False} for email in emails
    ], "email")
    for email in emails:
        user_ids[email] = user_id = ids[(email,)]
        record("user", user_id, "created",
               after={"email": email, "name": email.split("@")[0], "roles": [],
                      "active": False},
               note=f"An inactive account for a person named in {source}", actor=actor)
    return emails


def _cases(rows, case_ids, now):
    """Add the cases not in the register; returns how many."""
    new = {}
    for row in sorted(rows, key=lambda r: r.audited_on):  # the latest audit's team wins
        if row.case_key in case_ids:
            continue
        case = new.setdefault(row.case_key, {
            "reference": row.reference, "reference_key": row.case_key, "opened_on": None,
            "created_at": now, "row_version": 1})
        case["team_id"] = row.team_id
        case["opened_on"] = case["opened_on"] or row.opened_on
    ids = _insert(Case.__table__, list(new.values()), "reference_key")
    case_ids.update((key, ids[(key,)]) for key in new)
    return len(new)


# What identifies an imported audit, and an imported moderation (their unique indexes).
AUDIT_KEY = ("case_id", "template_version_id", "auditor_id", "audited_on")
MODERATION_KEY = ("audit_id", "moderator_id", "submitted_on")


def _audits(plan, source, actor, now):
    """Add the new audits and their answers; returns {line: audit id}."""
    values = [{
        "programme_id": None, "case_id": plan.case_ids[row.case_key],
        "auditor_id": plan.user_ids[row.auditor],
        "template_version_id": row.template.version_id, "status": SUBMITTED,
        "due_on": row.audited_on, "conflict_of_interest": False, "allocated_at": now,
        "allocated_by_id": actor.id if actor else None,
        "submitted_at": stored(row.audited_on, time()), "audited_on": row.audited_on,
        "team_id": row.team_id,
        "overall_grade": row.overall[0] if row.overall else None,
        "overall_rank": row.overall[1] if row.overall else None,
        "row_version": 1, "imported_from": source, "imported_at": now,
    } for row in plan.audits]
    ids = _insert(Audit.__table__, values, *AUDIT_KEY)
    audit_ids = {row.line: ids[tuple(v[name] for name in AUDIT_KEY)]
                 for row, v in zip(plan.audits, values, strict=True)}
    _insert(Answer.__table__, [
        {"audit_id": audit_ids[row.line], "question_id": question.id, "value": value,
         "grade_rank": rank, "updated_at": now}
        for row in plan.audits for question, value, rank in row.answers
    ])
    return audit_ids


def _grades(row):
    """(position, item, domain, label, auditor's grade and rank, moderator's grade and rank)
    for each item the row's moderation graded."""
    moderation = row.moderation
    if moderation.overall:
        yield (0, OVERALL, None, OVERALL_LABEL, *row.overall, *moderation.overall)
    given = {question.key: (value, rank) for question, value, rank in row.answers}
    for question, label, rank in moderation.grades:
        yield (question.order, question.key, question.domain, question.text,
               *given[question.key], label, rank)


def _moderations(plan, audit_ids, source, now):
    """Add the new moderations and their grades; returns how many."""
    values = [{
        "sample_id": None, "audit_id": audit_id or audit_ids[row.line],
        "moderator_id": plan.user_ids[row.moderation.moderator],
        "mode": "open",  # a code the column needs; an imported moderation had no round
        "status": SUBMITTED, "started_at": stored(row.moderation.on, time()),
        "submitted_at": stored(row.moderation.on, time()), "submitted_on": row.moderation.on,
        "row_version": 1, "imported_from": source, "imported_at": now,
    } for row, audit_id in plan.moderations]
    ids = _insert(Moderation.__table__, values, *MODERATION_KEY)
    columns = ("position", "item", "domain", "label", "auditor_grade", "auditor_rank",
               "moderator_grade", "moderator_rank")
    _insert(ModerationGrade.__table__, [
        {"moderation_id": ids[tuple(v[name] for name in MODERATION_KEY)],
         **dict(zip(columns, grade, strict=True))}
        for (row, _audit_id), v in zip(plan.moderations, values, strict=True)
        for grade in _grades(row)
    ])
    return len(values)


def write(rows, plan, source, actor=None):
    """Add what `plan` (existing.plan of `rows`) says is new; returns the Report."""
    now = utcnow()
    accounts = _accounts(rows, plan.user_ids, source, actor)
    cases = _cases(plan.audits, plan.case_ids, now)
    audit_ids = _audits(plan, source, actor, now)
    moderations = _moderations(plan, audit_ids, source, now)
    report = Report(source, len(audit_ids), moderations, cases, tuple(accounts),
                    plan.unchanged_audits, plan.unchanged_moderations)
    record("audit", None, "imported", after={
        "file": source, "audits": report.audits, "moderations": report.moderations,
        "cases": report.cases, "accounts": list(report.accounts),
        "unchanged_audits": report.unchanged_audits,
        "unchanged_moderations": report.unchanged_moderations,
    }, actor=actor)
    return report
