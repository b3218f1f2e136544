"""Retention: once a case has been closed longer than the retention period (the admin
setting `retention_years`, 6 by default), the written text of its audits goes, and its case
reference is replaced by a random token. Grades, dates, statuses and who did what stay, so
every figure of the past is the same afterwards.

What goes, for each case (`anonymise`):
- the free-text columns of the case's rows (FREE_TEXT below; the rows are found from the
  models' foreign keys by audit_app/case_records.py), and answers to free-text questions,
  each replaced by REMOVED;
- the content (before, after, note) of the event log's entries about those rows, and the
  reference wherever another entry names it (a dip-sample draw lists the references it
  drew), which becomes the case's new token: the one change the event log's triggers allow
  (migration 0012), keeping who, when and what kind;
- notifications about the case (they quote its reference and text), and any form kept at
  a session timeout on one of its pages;
- the case reference, replaced by ANON- and random characters.

Every text column of a table linked to a case is listed in FREE_TEXT or KEPT (a test checks
this), so a table added later has to say which of its columns are free text.

`flask --app wsgi apply-retention [--dry-run]` runs it (from cron), one case per
transaction, and logs what it did.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import delete, func, null, or_, select, update

from audit_app import case_records
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Case, Event, KeptPost, Notification, TemplateQuestion
from audit_app.settings import get_setting
from audit_app.timeutil import today, utcnow

REMOVED = "Removed after the retention period"
REFERENCE_PREFIX = "ANON-"  # what an anonymised case's reference starts with

# Written text about the child, the family or the work with them: removed.
FREE_TEXT = {
    "audits": ("return_reason", "strengths", "areas_for_development"),
    "answers": ("evidence",),  # and the value of answers to free-text questions
    "audit_responses": ("body",),
    "escalations": ("concern", "acknowledgement"),
    "moderations": ("feedback",),
    "actions": ("description", "evidence", "cancel_reason"),
    "challenges": ("reasons", "ruling"),
    "dip_sample_cases": ("swap_reason",),
    "dip_sample_checks": ("evidence", "impact"),
}
# The other text columns of the case's tables, and why they stay.
KEPT = {
    "cases": {"reference": "replaced by a random token", "reference_key": "follows it"},
    "case_cohorts": {"cohort": "a code"},
    "audits": {"status": "a code", "overall_grade": "a grade",
               "imported_from": "the name of the results file, shared by all its audits"},
    "answers": {"value": "grades, yes/no, dates and numbers (free-text answers go)"},
    "moderation_samples": {"reason": "a code"},
    "moderations": {"mode": "a code", "status": "a code",
                    "imported_from": "the name of the results file, shared by all its rows"},
    "actions": {"source": "a code", "priority": "a code", "status": "a code"},
    "moderation_grades": {"item": "a question key", "domain": "a code",
                          "label": "the template's wording", "auditor_grade": "a grade",
                          "moderator_grade": "a grade", "agreed_grade": "a grade",
                          "ruled_grade": "a grade"},
    "challenges": {"proposed_grade": "a grade", "outcome": "a code"},
    "dip_sample_cases": {"reason": "a code"},
    "dip_sample_checks": {"outcome": "a code"},
}
# The pages of the case's records, where notifications point and timed-out forms were kept.
PAGES = {
    "cases": "/cases/{id}",
    "audits": "/audits/{id}",
    "actions": "/actions/{id}",
    "escalations": "/audits/escalations/{id}",
    "moderation_samples": "/moderation/samples/{id}",
}


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def retention_years():
    return int(get_setting("retention_years"))


def cutoff(day=None):
    """Cases closed before this day are past the retention period on `day`."""
    return years_before(day or today(), retention_years())


def due_cases(day=None):
    """Closed cases past the retention period, not anonymised yet, oldest first."""
    return db.session.scalars(
        select(Case).where(Case.closed_on < cutoff(day), Case.anonymised_at.is_(None))
        .order_by(Case.closed_on, Case.id)
    ).all()


def new_reference():
    """A random token that is a valid reference (it has a digit) and names nobody."""
    while True:
        token = REFERENCE_PREFIX + secrets.token_hex(8).upper()
        if re.search("[0-9]", token):
            return token


@dataclass
class Anonymised:
    case_id: int
    text_removed: dict = field(default_factory=dict)  # "table.column": rows changed
    events_redacted: int = 0
    events_rewritten: int = 0  # other entries that named the case
    notifications_deleted: int = 0
    kept_forms_deleted: int = 0

    @property
    def total_text(self):
        return sum(self.text_removed.values())


def _remove_text(rows, result):
    for name, columns in FREE_TEXT.items():
        ids = [row["id"] for row in rows.get(name, [])]
        if not ids:
            continue
        table = db.metadata.tables[name]
        for column in columns:
            changed = db.session.execute(
                update(table).where(table.c.id.in_(ids), table.c[column].is_not(None),
                                    table.c[column] != REMOVED)
                .values({column: REMOVED})
            ).rowcount
            result.text_removed[f"{name}.{column}"] = changed
    answer_ids = [row["id"] for row in rows.get("answers", [])]
    if answer_ids:
        answers = db.metadata.tables["answers"]
        free_text_questions = select(TemplateQuestion.id).where(TemplateQuestion.kind == "text")
        result.text_removed["answers.value"] = db.session.execute(
            update(answers).where(answers.c.id.in_(answer_ids),
                                  answers.c.question_id.in_(free_text_questions),
                                  answers.c.value.is_not(None), answers.c.value != REMOVED)
            .values(value=REMOVED)
        ).rowcount


def _pages(rows):
    return [pattern.format(id=row["id"]) for name, pattern in PAGES.items()
            for row in rows.get(name, [])]


def _mentions(text, reference):
    return bool(text) and case_records.reference_pattern(reference).search(text) is not None


def _replaced(value, pattern, token):
    """A JSON value with every mention of the reference replaced by the token."""
    if isinstance(value, str):
        return pattern.sub(token, value)
    if isinstance(value, list):
        return [_replaced(item, pattern, token) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, pattern, token) for key, item in value.items()}
    return value


def _rewrite_mentions(reference, token, now, result):
    """Event log entries about other records that name the case: the token for the name."""
    pattern = case_records.reference_pattern(reference)
    naming = case_records.events_naming(
        reference, Event.redacted_at.is_(None) | (Event.redacted_at < now))
    for event in naming:
        before, after, note = (_replaced(value, pattern, token)
                               for value in (event.before, event.after, event.note))
        db.session.execute(
            update(Event).where(Event.id == event.id)
            .values(before=null() if before is None else before,
                    after=null() if after is None else after, note=note, redacted_at=now)
            .execution_options(synchronize_session=False))
        result.events_rewritten += 1


def _forget_messages(case, rows, result):
    """Notifications about the case (by link or by naming it) and forms kept on its pages."""
    pages = _pages(rows)
    key = case.reference_key
    candidates = db.session.scalars(select(Notification).where(or_(
        Notification.link.in_(pages),
        func.lower(Notification.subject).contains(key, autoescape=True),
        func.lower(Notification.body).contains(key, autoescape=True),
    ))).all()
    for note in candidates:
        if note.link in pages or _mentions(note.subject, case.reference) or _mentions(
                note.body, case.reference):
            db.session.delete(note)
            result.notifications_deleted += 1
    kept = [KeptPost.path == page for page in pages] + [
        KeptPost.path.startswith(page + "/", autoescape=True) for page in pages]
    if kept:
        result.kept_forms_deleted = db.session.execute(
            delete(KeptPost).where(or_(*kept))).rowcount


def anonymise(case, now=None):
    """Remove the case's free text and replace its reference, in the current transaction.

    Returns what it did, or None if another run has done it meanwhile (the case row is
    claimed first, so two runs at once do each case once). The caller commits.
    """
    now = now or utcnow()
    claimed = db.session.execute(
        update(Case).where(Case.id == case.id, Case.anonymised_at.is_(None))
        .values(anonymised_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return None
    db.session.refresh(case)
    result = Anonymised(case.id)
    rows = case_records.rows_for_case(case.id)
    _remove_text(rows, result)
    condition = case_records.events_condition(rows)
    if condition is not None:
        result.events_redacted = db.session.execute(
            update(Event).where(condition, Event.redacted_at.is_(None))
            .values(before=null(), after=null(), note=None, redacted_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    _forget_messages(case, rows, result)
    token = new_reference()
    _rewrite_mentions(case.reference, token, now, result)
    case.reference = token
    record("case", case.id, "anonymised", after={
        "text_removed": result.total_text, "events_redacted": result.events_redacted,
        "events_rewritten": result.events_rewritten,
        "notifications_deleted": result.notifications_deleted,
        "retention_years": retention_years()})
    current_app.logger.info(
        "retention: case %s anonymised: %s texts removed, %s events redacted, "
        "%s notifications deleted", case.id, result.total_text, result.events_redacted,
        result.notifications_deleted)
    return result


@dataclass
class Run:
    closed_before: date
    years: int
    cases: list  # the due cases (dry run) or what was done to each
    dry_run: bool


def apply(dry_run=False, day=None):
    """Anonymise every case past the retention period, one transaction each."""
    day = day or today()
    before, years = cutoff(day), retention_years()
    due = due_cases(day)
    if dry_run:
        db.session.rollback()
        return Run(before, years, due, True)
    done = []
    for case in due:
        result = anonymise(case)
        db.session.commit()
        if result is not None:
            done.append(result)
    record("retention", None, "applied", after={
        "cases": len(done), "closed_before": before.isoformat(), "retention_years": years})
    db.session.commit()
    current_app.logger.info("retention: %s cases anonymised (closed before %s, %s years)",
                            len(done), before.isoformat(), years)
    return Run(before, years, done, False)
