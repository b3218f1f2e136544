"""Demo dip samples, made through the same rules as the pages (audit_app/dip_samples/): the
practice lead's October 2026 round, drawn and every case checked, so done; and her November
round with the children with disabilities compliance checklist, drawn and not started (it
holds an action the manager completed after October's checks)."""

from datetime import date

from sqlalchemy import exists, select

from audit_app.actions import workflow
from audit_app.dip_samples import checks, rounds
from audit_app.extensions import db
from audit_app.models import Action, AuditTemplate, DipSampleRound
from audit_app.models.actions import FROM_AUDIT, OPEN
from audit_app.models.dip_samples import FOLLOWED_UP, NOT_FOLLOWED_UP, NOT_YET_DUE, PARTLY

CHECKED_ON = date(2026, 10, 20)
DONE_ON = date(2026, 10, 23)
FINDINGS = {
    FOLLOWED_UP: ("A case note records the updated plan, shared with the family.",
                  "The child's views now shape the plan; visits happen as agreed."),
    PARTLY: ("The plan is updated but the child's own words are not recorded.",
             "Some improvement: the plan is clearer, the child's voice is still missing."),
    NOT_FOLLOWED_UP: ("No case note since the audit; the plan is unchanged.",
                      "None yet: the child's plan is still out of date."),
}


def _finding(action, number):
    """What the demo practice lead found: a completed action followed up (every third one
    partly); an open one not followed up once overdue, else not yet due."""
    outcomes = checks.outcomes_for(action, CHECKED_ON)
    if outcomes == (NOT_YET_DUE,):
        return checks.Finding(NOT_YET_DUE)
    outcome = NOT_FOLLOWED_UP if outcomes == (NOT_FOLLOWED_UP,) else (
        PARTLY if number % 3 == 2 else FOLLOWED_UP)
    evidence, impact = FINDINGS[outcome]
    return checks.Finding(outcome, evidence=evidence, impact=impact)


def _complete_one_more(manager):
    """The manager's latest open action done after the October checks: completed and
    waiting for a dip sample (November's frame holds it)."""
    action = db.session.scalar(select(Action).where(
        Action.owner_id == manager.id, Action.status == OPEN, Action.reopened_at.is_(None),
        Action.source == FROM_AUDIT).order_by(Action.id.desc()).limit(1))
    if action is not None:
        workflow.complete(action, manager, action.row_version, DONE_ON,
                          "Plan updated with the child's wishes; case note of 23/10/2026.",
                          today=DONE_ON)


def _october_round(lead):
    """Drawn and every case checked, so done."""
    october = rounds.create_round(lead, date(2026, 10, 1), 4, date(2026, 9, 1),
                                  date(2026, 10, 31), today=CHECKED_ON)
    if rounds.frame_size(october):
        rounds.draw(october, lead, october.row_version, seed=202610)
    number = 0
    for sampled in list(october.cases):
        for action in db.session.scalars(rounds.listed_actions_query(sampled)).all():
            if checks.outcomes_for(action, CHECKED_ON):
                checks.record_check(sampled, action, lead, action.row_version,
                                    _finding(action, number), today=CHECKED_ON)
                number += 1
    return october


def seed_dip_samples(users):
    """The demo's dip samples. Called again for more activity (the benchmarks), it adds a
    November round each time but checks nothing more: earlier activity stays as it was."""
    lead = users["practice_lead"]
    first = not db.session.scalar(select(exists().where(
        DipSampleRound.practice_lead_id == lead.id, DipSampleRound.month == date(2026, 10, 1))))
    october = _october_round(lead) if first else None
    _complete_one_more(users["manager"])
    cwd = db.session.scalar(select(AuditTemplate.id).where(
        AuditTemplate.slug == "cwd-supervision-visiting"))
    november = rounds.create_round(lead, date(2026, 11, 1), 2, date(2026, 10, 1),
                                   date(2026, 11, 30), compliance_template_id=cwd,
                                   today=date(2026, 11, 2))
    if rounds.frame_size(november):
        rounds.draw(november, lead, november.row_version, seed=202611)
    return october, november
