"""Moderating one audit: re-grade (blind or open), feedback, discussion, challenge, ruling.

Plain functions; the views only call these. Every change goes to the event log.
"""

from sqlalchemy import select

from audit_app import blind_moderation
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Challenge, Moderation, ModerationGrade, ModerationSample
from audit_app.models.moderation import OVERALL
from audit_app.moderation.rules import compared_items, may_moderate
from audit_app.notify import notify
from audit_app.team_managers import manages
from audit_app.timeutil import utcnow
from audit_app.versioning import bump, claim

SUBMITTED = "submitted"


class ModerationError(Exception):
    """A change the moderation's state or the user's role does not allow."""


def can_moderate(user, sample):
    if not may_moderate(user, sample.audit):
        return False
    if sample.moderator_id is not None:
        return sample.moderator_id == user.id
    return user in sample.round.moderators


def is_submitted(moderation):
    return moderation is not None and moderation.status == SUBMITTED


def can_see(user, sample, hidden=None):
    """The moderator always; once submitted, the auditor, the case's team manager and QA.

    Nobody sees another sample of an audit they are moderating blind until they submit.
    `hidden`: blind_moderation.hidden_samples(user), from a page that checks many samples."""
    if hidden is not None:
        elsewhere = blind_moderation.hidden_elsewhere(hidden, sample)
    else:
        elsewhere = blind_moderation.hides(user, sample.audit_id, except_sample_id=sample.id)
    if elsewhere:
        return False
    moderation = sample.moderation
    if moderation is not None and moderation.moderator_id == user.id:
        return True
    if can_moderate(user, sample):
        return True
    if not is_submitted(moderation):
        return False  # a blind (or open) moderation stays hidden until it is submitted
    audit = sample.audit
    return (
        audit.auditor_id == user.id
        or manages(user, audit.case.team_id)
        or user.has_role("moderator", "admin", "leader")
    )


def may_challenge(user, moderation):
    audit = moderation.audit
    return is_submitted(moderation) and (
        audit.auditor_id == user.id or manages(user, audit.case.team_id)
    )


def may_rule(user, challenge):
    """A senior moderator: a moderator or leader who is none of the people involved."""
    moderation = challenge.grade.moderation
    involved = {moderation.moderator_id, moderation.audit.auditor_id, challenge.raised_by_id}
    return user.has_role("moderator", "leader") and user.id not in involved


def _auditor_grades(audit):
    grades = {OVERALL: (audit.overall_grade, audit.overall_rank)}
    for answer in audit.answers:
        grades[answer.question.key] = (answer.value, answer.grade_rank)
    return grades


def _own_start(moderation, user):
    """A start that finds the sample already started: the same moderator carries on, anyone
    else is told (whether the other start finished a moment ago or is still running)."""
    if moderation.moderator_id != user.id:
        raise ModerationError("Another moderator has just started moderating this audit.")
    return moderation


def start(sample, user):
    """Start moderating a sampled audit; a second start (a double click, or another
    moderator at the same moment) finds the first one's moderation instead of a second."""
    if sample.moderation is not None:
        return _own_start(sample.moderation, user)
    if not can_moderate(user, sample):
        raise ModerationError("You cannot moderate this audit.")
    audit = sample.audit
    if audit.status != "submitted":
        raise ModerationError("Only a submitted audit can be moderated.")
    # Starts and redraws of a round take turns on the round's row, then look again.
    bump(sample.round)
    if db.session.scalar(select(ModerationSample.id).where(
            ModerationSample.id == sample.id)) is None:
        raise ModerationError("This audit is no longer in the round's sample: it was redrawn.")
    started = db.session.scalar(select(Moderation).where(Moderation.sample_id == sample.id))
    if started is not None:
        return _own_start(started, user)
    given = _auditor_grades(audit)
    moderation = Moderation(sample=sample, audit_id=audit.id, moderator_id=user.id,
                            mode=sample.round.mode)
    db.session.add(moderation)
    for position, (item, label, domain, _question) in enumerate(
            compared_items(audit.template_version)):
        grade, rank = given.get(item, (None, None))
        moderation.grades.append(ModerationGrade(
            position=position, item=item, label=label, domain=domain,
            auditor_grade=grade, auditor_rank=rank))
    sample.moderator_id = user.id
    db.session.flush()
    record("moderation", moderation.id, "started", None,
           {"audit_id": audit.id, "mode": moderation.mode}, actor=user)
    return moderation


def save(moderation, user, submitted_version, grades, feedback):
    """Store the moderator's grades {item: label or None} and feedback on a draft."""
    if moderation.moderator_id != user.id:
        raise ModerationError("Only the moderator can change this moderation.")
    if is_submitted(moderation):
        raise ModerationError("This moderation has been submitted.")
    claim(moderation, submitted_version, Moderation.status != SUBMITTED)
    version = moderation.audit.template_version
    for grade in moderation.grades:
        if grade.item in grades:
            grade.moderator_grade = grades[grade.item]
            grade.moderator_rank = version.grade_rank(grades[grade.item]) \
                if grades[grade.item] else None
    moderation.feedback = (feedback or "").strip() or None


def submission_problems(moderation):
    problems = [(g.item, f"Select your grade for {g.label}")
                for g in moderation.grades if not g.moderator_grade]
    if not moderation.feedback:
        problems.append(("feedback", "Write your feedback to the auditor"))
    return problems


def submit(moderation, user, submitted_version):
    if moderation.moderator_id != user.id:
        raise ModerationError("Only the moderator can submit this moderation.")
    if is_submitted(moderation):
        raise ModerationError("This moderation has already been submitted.")
    if submission_problems(moderation):
        raise ModerationError("The moderation is not complete.")
    claim(moderation, submitted_version, Moderation.status != SUBMITTED)
    # The audit cannot change once submitted, but read its grades again to be sure.
    given = _auditor_grades(moderation.audit)
    for grade in moderation.grades:
        grade.auditor_grade, grade.auditor_rank = given.get(grade.item, (None, None))
        record("moderation", moderation.id, "graded",
               {"item": grade.item, "grade": grade.auditor_grade},
               {"item": grade.item, "grade": grade.moderator_grade,
                "comparison": grade.comparison}, actor=user)
    moderation.status = SUBMITTED
    moderation.submitted_at = utcnow()
    record("moderation", moderation.id, "submitted", {"status": "in_progress"},
           {"status": SUBMITTED}, actor=user)
    audit = moderation.audit
    notify(audit.auditor, f"Moderation feedback on case {audit.case.reference}",
           "Your audit has been moderated. Read the feedback and acknowledge it.",
           f"/moderation/samples/{moderation.sample_id}")


def acknowledge(moderation, user):
    if moderation.audit.auditor_id != user.id:
        raise ModerationError("Only the auditor acknowledges the feedback.")
    if not is_submitted(moderation):
        raise ModerationError("There is no feedback to acknowledge yet.")
    _take_turn(moderation)
    db.session.refresh(moderation, ["acknowledged_at"])
    if moderation.acknowledged_at is None:
        moderation.acknowledged_at = utcnow()
        record("moderation", moderation.id, "feedback_acknowledged", actor=user)


def _take_turn(moderation):
    """Changes to one moderation's result take turns on its row (one UPDATE); a check made
    after this sees whatever a concurrent change (a double click) committed first."""
    bump(moderation)


def _set_final(grade, field, label):
    version = grade.moderation.audit.template_version
    before = {"final": grade.final_grade, "comparison": grade.comparison}
    setattr(grade, f"{field}_grade", label)
    setattr(grade, f"{field}_rank", version.grade_rank(label))
    return before, {"final": grade.final_grade, "comparison": grade.comparison}


def record_agreement(grade, user, label, note):
    """After a discussion, the moderator records the grade both agreed."""
    moderation = grade.moderation
    if moderation.moderator_id != user.id or not is_submitted(moderation):
        raise ModerationError("Only the moderator records an agreed grade, after submitting.")
    if moderation.audit.template_version.grade_rank(label) is None:
        raise ModerationError("Select a grade from the scale.")
    before, after = _set_final(grade, "agreed", label)
    record("moderation_grade", grade.id, "agreed", before, after, note=note, actor=user)


def raise_challenge(grade, user, proposed, reasons):
    moderation = grade.moderation
    if not may_challenge(user, moderation):
        raise ModerationError("Only the auditor or the case's team manager can challenge.")
    _take_turn(moderation)
    if db.session.scalar(select(Challenge.id).where(
            Challenge.grade_id == grade.id, Challenge.outcome.is_(None)).limit(1)):
        raise ModerationError("This grade already has a challenge waiting for a ruling.")
    if moderation.audit.template_version.grade_rank(proposed) is None:
        raise ModerationError("Select the grade you think is right")
    if proposed == grade.final_grade:
        raise ModerationError("Select a grade different from the moderated grade")
    reasons = (reasons or "").strip()
    if not reasons:
        raise ModerationError("Give your reasons for challenging the grade")
    challenge = Challenge(grade=grade, raised_by_id=user.id, reasons=reasons,
                          proposed_grade=proposed)
    db.session.add(challenge)
    db.session.flush()
    record("challenge", challenge.id, "raised", {"grade": grade.final_grade},
           {"proposed": proposed}, note=reasons, actor=user)
    return challenge


def rule(challenge, user, outcome, ruling):
    _take_turn(challenge.grade.moderation)
    db.session.refresh(challenge, ["outcome"])
    if challenge.outcome is not None:
        raise ModerationError("This challenge has already been ruled on.")
    if not may_rule(user, challenge):
        raise ModerationError("A senior moderator who is not involved must rule.")
    if outcome not in ("upheld", "rejected"):
        raise ModerationError("Select whether the challenge is upheld or rejected")
    ruling = (ruling or "").strip()
    if not ruling:
        raise ModerationError("Give the reasons for the ruling")
    grade = challenge.grade
    label = challenge.proposed_grade if outcome == "upheld" else grade.final_grade
    before, after = _set_final(grade, "ruled", label)
    challenge.outcome, challenge.ruling = outcome, ruling
    challenge.ruled_by_id, challenge.ruled_at = user.id, utcnow()
    record("challenge", challenge.id, outcome, before, after, note=ruling, actor=user)
    notify(challenge.raised_by, f"Your challenge was {outcome}",
           f"{grade.label}: final grade {grade.final_grade}. {ruling}",
           f"/moderation/samples/{grade.moderation.sample_id}")
