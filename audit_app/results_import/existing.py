"""The rows of a results file against what the database already holds.

Cases are known by reference (whatever its capitals) and people by email. An audit is the
same audit when its case, template (any version of it), auditor and audit date match a
submitted audit, imported or done in the tool: a row that says the same is left out, so
importing a file twice changes nothing, and a row that says otherwise is a problem, since an
import never changes an audit. A row's moderation is likewise the same as a submitted
moderation of that audit by the same moderator on the same day. A few queries per 5,000
rows, however the rows fall.
"""

from dataclasses import dataclass

from sqlalchemy import select

from audit_app.cases.importer import CHUNK, Problem
from audit_app.extensions import db
from audit_app.models import (
    Answer,
    Audit,
    Case,
    Moderation,
    ModerationGrade,
    TemplateQuestion,
    TemplateVersion,
    User,
)
from audit_app.models.audits import SUBMITTED
from audit_app.models.moderation import OVERALL
from audit_app.results_import.validate import MODERATED


@dataclass
class Plan:
    case_ids: dict  # case key -> id, for cases already in the register
    user_ids: dict  # email -> id, for accounts that exist
    audits: list  # AuditRows whose audit is new
    moderations: list  # (AuditRow, id of its stored audit, or None when that is new too)
    unchanged_audits: int = 0
    unchanged_moderations: int = 0


def _chunks(items):
    items = sorted(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _by_chunk(keys, query):
    """Rows of query(chunk) for each chunk of `keys` (an IN list of bounded length)."""
    for chunk in _chunks(keys):
        yield from db.session.execute(query(chunk))


def _stored_audits(case_ids):
    """{(case id, template id, auditor id, audit date): (audit id, overall grade)}."""
    found = {}
    for audit_id, case_id, template_id, auditor_id, day, overall in _by_chunk(
            case_ids, lambda chunk: select(
                Audit.id, Audit.case_id, TemplateVersion.template_id, Audit.auditor_id,
                Audit.audited_on, Audit.overall_grade)
            .join(TemplateVersion, Audit.template_version_id == TemplateVersion.id)
            .where(Audit.case_id.in_(chunk), Audit.status == SUBMITTED)
            .order_by(Audit.id)):
        found.setdefault((case_id, template_id, auditor_id, day), (audit_id, overall))
    return found


def _stored_answers(audit_ids):
    """{audit id: {question key: value}} of the answers given."""
    found = {audit_id: {} for audit_id in audit_ids}
    for audit_id, key, value in _by_chunk(audit_ids, lambda chunk: (
            select(Answer.audit_id, TemplateQuestion.key, Answer.value)
            .join(TemplateQuestion, Answer.question_id == TemplateQuestion.id)
            .where(Answer.audit_id.in_(chunk), Answer.value.is_not(None),
                   Answer.value != ""))):
        found[audit_id][key] = value
    return found


def _stored_moderations(audit_ids):
    """{(audit id, moderator id, day): {item: moderator's grade}} of submitted moderations."""
    found, by_id = {}, {}
    for moderation_id, audit_id, moderator_id, day in _by_chunk(audit_ids, lambda chunk: (
            select(Moderation.id, Moderation.audit_id, Moderation.moderator_id,
                   Moderation.submitted_on)
            .where(Moderation.audit_id.in_(chunk), Moderation.status == SUBMITTED)
            .order_by(Moderation.id))):
        key = (audit_id, moderator_id, day)
        if key not in found:
            found[key] = by_id[moderation_id] = {}
    for moderation_id, item, grade in _by_chunk(by_id, lambda chunk: (
            select(ModerationGrade.moderation_id, ModerationGrade.item,
                   ModerationGrade.moderator_grade)
            .where(ModerationGrade.moderation_id.in_(chunk),
                   ModerationGrade.moderator_grade.is_not(None)))):
        by_id[moderation_id][item] = grade
    return found


def _shown(value):
    return f'"{value}"' if value else "a blank"


def _differences(stored, given, keys):
    """(key, stored, given) for each of `keys` where the two dicts differ."""
    return [(key, stored.get(key), given.get(key)) for key in keys
            if stored.get(key) != given.get(key)]


def _changed(row, key, stored, given, what, prefix=""):
    """The problem of a row that says otherwise than what is stored, in column prefix+key."""
    question = row.template.questions.get(key)
    kind = "grade" if key == OVERALL or (question and question.kind == "graded") else "answer"
    return Problem(row.line, prefix + key, (
        f"changed {kind}: {what} is already in the tool, with {_shown(stored)} in this column; "
        f"this row says {_shown(given)}. An import never changes what is in the tool: correct "
        "the row, or remove it"))


def _audit_problems(row, overall, answers):
    what = (f"the audit of case {row.reference} ({row.template.slug}) by {row.auditor} on "
            f"{row.audited_on.isoformat()}")
    given = {question.key: value for question, value, _rank in row.answers}
    if row.overall:
        given[OVERALL] = row.overall[0]
    stored = {**answers, OVERALL: overall} if overall else dict(answers)
    keys = [OVERALL, *row.template.questions]
    return [_changed(row, key, old, new, what)
            for key, old, new in _differences(stored, given, keys)]


def _moderation_problems(row, stored):
    moderation = row.moderation
    what = (f"the moderation of that audit by {moderation.moderator} on "
            f"{moderation.on.isoformat()}")
    given = {question.key: label for question, label, _rank in moderation.grades}
    if moderation.overall:
        given[OVERALL] = moderation.overall[0]
    keys = [OVERALL, *(k for k, q in row.template.questions.items() if q.kind == "graded")]
    return [_changed(row, key, old, new, what, prefix=MODERATED)
            for key, old, new in _differences(stored, given, keys)]


def plan(rows):
    """(Plan, [Problem]): what to add, and the rows that would change what is stored."""
    case_ids = dict(_by_chunk({row.case_key for row in rows}, lambda chunk: select(
        Case.reference_key, Case.id).where(Case.reference_key.in_(chunk))))
    emails = {row.auditor for row in rows} | {
        row.moderation.moderator for row in rows if row.moderation}
    user_ids = dict(_by_chunk(emails, lambda chunk: select(User.email, User.id)
                              .where(User.email.in_(chunk))))
    stored = _stored_audits({case_ids[row.case_key] for row in rows
                             if row.case_key in case_ids})

    def stored_key(row):
        return (case_ids.get(row.case_key), row.template.id, user_ids.get(row.auditor),
                row.audited_on)

    matched = {row.line: stored[stored_key(row)] for row in rows if stored_key(row) in stored}
    audit_ids = {audit_id for audit_id, _overall in matched.values()}
    answers = _stored_answers(audit_ids)
    moderations = _stored_moderations(audit_ids)
    result, problems = Plan(case_ids, user_ids, [], []), []
    for row in rows:
        if row.line not in matched:
            result.audits.append(row)
            if row.moderation:
                result.moderations.append((row, None))
            continue
        audit_id, overall = matched[row.line]
        problems.extend(_audit_problems(row, overall, answers[audit_id]))
        result.unchanged_audits += 1
        if row.moderation is None:
            continue
        key = (audit_id, user_ids.get(row.moderation.moderator), row.moderation.on)
        if key in moderations:
            problems.extend(_moderation_problems(row, moderations[key]))
            result.unchanged_moderations += 1
        else:
            result.moderations.append((row, audit_id))
    return result, problems
