"""The audit workflow: saving answers, submitting, returning. Plain functions, no requests.

States: allocated -> in_progress (first save) -> submitted -> returned -> submitted ...
Every state change and every grade change goes to the event log in the same transaction.
Every change claims the audit's row version in the database first (audit_app/versioning.py),
so of two saves from the same page exactly one wins and the other is an EditConflict.
"""

from dataclasses import dataclass
from datetime import date

from audit_app.actions.workflow import lacks_owner, open_recommendations
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Action, Answer, Audit
from audit_app.models.actions import FROM_AUDIT, PROPOSED
from audit_app.models.audits import ALLOCATED, EDITABLE, IN_PROGRESS, RETURNED, SUBMITTED
from audit_app.notify import notify
from audit_app.team_managers import managers_of
from audit_app.timeutil import utcnow
from audit_app.versioning import bump, claim


class WorkflowError(Exception):
    """A change the audit's state does not allow."""


@dataclass(frozen=True)
class Problem:
    """Something that stops submission, with the page and field to fix it."""

    message: str
    section_position: int | None
    field_id: str
    recommendation_id: int | None = None  # fixed on that recommendation's page


def _require_editable(audit):
    if not audit.is_editable:
        raise WorkflowError("This audit has been submitted and can no longer be changed.")


def _claim_draft(audit, seen):
    """Claim the audit at the version the form showed, while it is still a draft."""
    _require_editable(audit)
    claim(audit, seen, Audit.status.in_(EDITABLE))


def _touch_draft(audit):
    """Count a change under the audit (a recommendation) that no form version names:
    forms rendered before it then conflict, and a submission racing it waits for it."""
    _require_editable(audit)
    if not bump(audit, Audit.status.in_(EDITABLE)):
        raise WorkflowError("This audit has been submitted and can no longer be changed.")


def adopt_latest_version(audit, user):
    """Move an allocated audit nobody has started to its template's newest published version.

    Called when the auditor opens the audit, before any form is shown, so that every form
    is rendered on the version its answers are saved against. Saving never changes the
    version: a form rendered before the move conflicts (the row version moved on).
    Returns whether it moved; the caller commits.
    """
    if audit.status != ALLOCATED:
        return False
    latest = audit.template_version.template.latest_published
    if latest is None or latest.id == audit.template_version_id:
        return False
    old = audit.template_version
    if not bump(audit, Audit.status == ALLOCATED, Audit.template_version_id == old.id):
        return False
    audit.template_version = latest
    record("audit", audit.id, "template_version_changed", {"version": old.number},
           {"version": latest.number}, actor=user)
    return True


def start(audit, user):
    """The first save moves an allocated audit to in progress (on the version it has)."""
    if audit.status != ALLOCATED:
        return
    audit.status = IN_PROGRESS
    audit.started_at = utcnow()
    record("audit", audit.id, "started", {"status": ALLOCATED}, {"status": IN_PROGRESS},
           actor=user)


def answers_by_question(audit):
    return {answer.question_id: answer for answer in audit.answers}


def save_answers(audit, values, user, submitted_version):
    """Store answers {question: (value, evidence)} for one section of a draft audit.

    `value` is already converted to text (ISO date, number as text, grade label, yes/no code)
    or None when blank. Grade changes are logged one event per question.
    """
    _claim_draft(audit, submitted_version)
    if any(question.section.version_id != audit.template_version_id for question in values):
        # Questions of another template version: answers nothing on this audit would show.
        raise WorkflowError("These questions are not from this audit's template version.")
    start(audit, user)
    version = audit.template_version
    existing = answers_by_question(audit)
    for question, (value, evidence) in values.items():
        answer = existing.get(question.id)
        if answer is None:
            if value is None and not evidence:
                continue
            answer = Answer(audit=audit, question_id=question.id)
            db.session.add(answer)
        old_value = answer.value
        answer.value = value
        answer.evidence = evidence or None
        if question.kind == "graded":
            answer.grade_rank = version.grade_rank(value) if value else None
            if old_value != value:
                record("audit", audit.id, "grade_changed",
                       {"question": question.key, "grade": old_value},
                       {"question": question.key, "grade": value}, actor=user)


def save_summary(audit, user, submitted_version, overall_grade, strengths, areas):
    _claim_draft(audit, submitted_version)
    start(audit, user)
    version = audit.template_version
    if version.has_overall and overall_grade != audit.overall_grade:
        record("audit", audit.id, "grade_changed",
               {"question": "overall", "grade": audit.overall_grade},
               {"question": "overall", "grade": overall_grade}, actor=user)
        audit.overall_grade = overall_grade
        audit.overall_rank = version.grade_rank(overall_grade) if overall_grade else None
    audit.strengths = strengths or None
    audit.areas_for_development = areas or None


def _missing(answer, question):
    return question.required and (answer is None or answer.value in (None, ""))


def _evidence_missing(answer, question, version):
    return (
        question.kind == "graded"
        and question.evidence_required
        and answer is not None
        and answer.value
        and not version.is_good_or_better(answer.value)
        and not (answer.evidence or "").strip()
    )


def section_status(audit, section, answers=None):
    """'not_started', 'in_progress' or 'completed', from the answers alone."""
    answers = answers if answers is not None else answers_by_question(audit)
    version = audit.template_version
    given = [answers.get(q.id) for q in section.questions]
    if not any(a is not None and (a.value or a.evidence) for a in given):
        return "not_started"
    for question, answer in zip(section.questions, given, strict=True):
        if _missing(answer, question) or _evidence_missing(answer, question, version):
            return "in_progress"
    return "completed"


def summary_status(audit):
    version = audit.template_version
    if version.has_overall and not audit.overall_grade:
        return "in_progress" if (audit.strengths or audit.areas_for_development) else "not_started"
    if not version.has_overall and not (audit.strengths or audit.areas_for_development):
        return "not_started"
    return "completed"


def submission_problems(audit):
    """Everything that stops submission, in the order of the form."""
    version = audit.template_version
    answers = answers_by_question(audit)
    problems = []
    for section in version.sections:
        for number, question in enumerate(section.questions, start=1):
            answer = answers.get(question.id)
            label = f"{section.position}.{number}"
            if _missing(answer, question):
                problems.append(Problem(f"Answer question {label}: {question.text}",
                                        section.position, f"q{question.id}"))
            elif _evidence_missing(answer, question, version):
                problems.append(Problem(
                    f"Give the evidence for the grade {answer.value} in question {label}",
                    section.position, f"q{question.id}_evidence"))
    if version.has_overall and not audit.overall_grade:
        problems.append(Problem("Select the overall judgement", None, "overall_grade"))
    unowned = [a for a in audit.actions if a.status == PROPOSED and a.owner_id is None]
    if unowned and lacks_owner(audit.case, None):
        problems.extend(Problem(f"Choose an owner for the recommendation \u201c"
                                f"{_shortened(a.description)}\u201d: the case's team has no "
                                "active manager", None, "owner_id", a.id) for a in unowned)
    return problems


def _shortened(text, length=60):
    return text if len(text) <= length else text[:length - 1].rstrip() + "\u2026"


def submit(audit, user, submitted_version, today=None):
    """Submit the audit; returns the people told it is ready to read (maybe nobody)."""
    if audit.auditor_id != user.id:
        raise WorkflowError("Only the allocated auditor can submit this audit.")
    _claim_draft(audit, submitted_version)
    if submission_problems(audit):
        raise WorkflowError("The audit is not complete.")
    before = audit.status
    audit.status = SUBMITTED
    audit.submitted_at = utcnow()  # also sets audited_on, its UK day
    audit.team_id = audit.case.team_id  # the team its figures count in, wherever the case goes
    open_recommendations(audit, user, today or audit.audited_on)
    record("audit", audit.id, "submitted", {"status": before}, {"status": SUBMITTED},
           actor=user)
    return _tell_case_team(audit)


def _tell_case_team(audit):
    """The team's managers (and the social worker) may now read the audit and respond."""
    link = f"/audits/{audit.id}"
    reference = audit.case.reference
    recipients = list(managers_of(audit.case.team_id))
    worker = audit.case.social_worker
    if worker is not None and worker.active and worker not in recipients:
        recipients.append(worker)
    for person in recipients:
        notify(person, f"Audit of case {reference} submitted",
               f"The audit of case {reference} has been submitted. You can read it and add "
               "your response.", link)
    return recipients


def return_to_auditor(audit, user, reason, submitted_version):
    if audit.status != SUBMITTED:
        raise WorkflowError("Only a submitted audit can be returned.")
    if not (reason or "").strip():
        raise WorkflowError("Give the reason for returning the audit.")
    claim(audit, submitted_version, Audit.status == SUBMITTED)
    audit.status = RETURNED
    audit.returned_at = utcnow()
    audit.return_reason = reason.strip()
    record("audit", audit.id, "returned", {"status": SUBMITTED}, {"status": RETURNED},
           note=audit.return_reason, actor=user)
    notify(audit.auditor, f"Audit of case {audit.case.reference} returned to you",
           f"Reason: {audit.return_reason}", f"/audits/{audit.id}")


def add_recommendation(audit, user, description, owner_id, due_on, priority):
    _touch_draft(audit)
    start(audit, user)
    action = Action(audit=audit, case_id=audit.case_id, source=FROM_AUDIT, raised_by_id=user.id,
                    description=description.strip(), owner_id=owner_id, due_on=due_on,
                    priority=priority, status=PROPOSED)
    db.session.add(action)
    db.session.flush()
    record("action", action.id, "proposed", None,
           {"description": action.description, "owner_id": owner_id,
            "due_on": due_on.isoformat() if due_on else None, "priority": priority},
           actor=user)
    return action


def update_recommendation(action, user, submitted_version, **values):
    if action.status != PROPOSED:
        raise WorkflowError("This action is already open and is changed on the actions page.")
    _touch_draft(action.audit)
    claim(action, submitted_version, Action.status == PROPOSED)
    before = {k: _plain(getattr(action, k)) for k in values}
    for key, value in values.items():
        setattr(action, key, value)
    after = {k: _plain(getattr(action, k)) for k in values}
    record("action", action.id, "updated", before, after, actor=user)


def remove_recommendation(action, user):
    if action.status != PROPOSED:
        raise WorkflowError("Only a recommendation not yet submitted can be removed.")
    _touch_draft(action.audit)
    if not bump(action, Action.status == PROPOSED):
        raise WorkflowError("This recommendation has already been removed.")
    record("action", action.id, "removed", {"description": action.description}, None,
           actor=user)
    db.session.delete(action)


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value
