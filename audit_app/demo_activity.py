"""Demo activity on top of the demo organisation: a case register, an audit programme with
audits in every state, and a moderation round, so every page has something to show.

Uses the same workflow functions as the pages, so the demo data obeys the same rules and
writes the same event log.
"""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from audit_app.actions import workflow as actions_workflow
from audit_app.audits import workflow
from audit_app.demo_dip_samples import seed_dip_samples
from audit_app.extensions import db
from audit_app.models import (
    Audit,
    Case,
    ModerationRound,
    ModerationSample,
    Programme,
    Team,
    User,
)
from audit_app.moderation import moderate
from audit_app.moderation.sampling import RANDOM
from audit_app.team_managers import manages

# (team, cohorts) for the demo register; references look like the case-record system's.
TEAM_COHORTS = {
    "Crewe CIN/CP": ("child_in_need", "child_protection"),
    "Macclesfield CIN/CP": ("child_in_need", "child_protection", "pre_proceedings"),
    "Cared for Children": ("cared_for",),
    "Care Leavers": ("care_leaver",),
    "Children with Disabilities": ("children_with_disabilities", "child_in_need"),
    "ChECS front door": ("early_help", "homeless_16_17"),
    "Fostering": ("private_fostering", "cared_for"),
}
GRADE_WEIGHTS = [1, 5, 3, 1]  # Outstanding, Good, Requires improvement, Inadequate


def _cases(rng, count, first_reference):
    teams = {t.name: t for t in db.session.scalars(select(Team))}
    cases = []
    for number in range(count):
        name = list(TEAM_COHORTS)[number % len(TEAM_COHORTS)]
        cohorts = TEAM_COHORTS[name]
        case = Case(reference=f"LCS-{first_reference + number * 7}", team_id=teams[name].id,
                    opened_on=date(2024, 1, 8) + timedelta(days=rng.randrange(600)))
        case.cohorts = {cohorts[number % len(cohorts)]}
        if number % 9 == 0:
            case.closed_on = case.opened_on + timedelta(days=200)
        cases.append(case)
    db.session.add_all(cases)
    db.session.flush()
    return cases


def _answer(audit, user, rng):
    version = audit.template_version
    for section in version.sections:
        values = {}
        for question in section.questions:
            if question.kind == "graded":
                grade = rng.choices(version.scale, weights=GRADE_WEIGHTS[:len(version.scale)])[0]
                evidence = ("Chronology not updated since the last review."
                            if not version.is_good_or_better(grade) else "")
                values[question] = (grade, evidence)
            elif question.kind == "yes_no":
                values[question] = (rng.choice(["yes", "yes", "partly", "no"]), None)
            elif question.kind == "date":
                values[question] = ("2026-06-15", None)
            elif question.kind == "number":
                values[question] = (str(rng.randrange(1, 12)), None)
            else:
                values[question] = ("Seen in the case file.", None)
        workflow.save_answers(audit, values, user, audit.row_version)
    overall = None
    if version.has_overall:
        overall = rng.choices(version.scale, weights=GRADE_WEIGHTS[:len(version.scale)])[0]
    workflow.save_summary(audit, user, audit.row_version, overall,
                          "The child's wishes are recorded.", "Plans need clearer timescales.")


def seed_activity(template, users, seed=2026, case_count=60, audit_count=14,
                  first_reference=100200, name="Q2 2026-27"):
    """Cases, a programme of audits in each state, a blind moderation round, actions in
    every state, and dip samples (one done, one not started).

    The defaults make the demo; the benchmarks call it with more cases and audits.
    """
    rng = random.Random(seed)
    cases = _cases(rng, case_count, first_reference)
    auditors = [users["auditor"], users["manager"]]
    programme = Programme(name=f"{name} whole case file audit", template_id=template.id,
                          period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                          due_on=date(2026, 10, 16), created_by_id=users["moderator"].id)
    db.session.add(programme)
    db.session.flush()
    version = template.latest_published
    audits = []
    actions = []
    submitted_count = max(audit_count - 5, 0)
    for number, case in enumerate(cases[:audit_count]):
        auditor = auditors[number % 2]
        audit = Audit(programme_id=programme.id, case_id=case.id, auditor_id=auditor.id,
                      template_version_id=version.id, due_on=programme.due_on,
                      allocated_by_id=users["moderator"].id,
                      conflict_of_interest=manages(auditor, case.team_id))
        db.session.add(audit)
        db.session.flush()
        if number < audit_count - 3:
            _answer(audit, auditor, rng)
        # The team's manager owns it by default; a team without one needs someone named.
        owner_id = None if actions_workflow.default_owner(case) else users["manager"].id
        if number < submitted_count:
            if number % 3 == 0:
                workflow.add_recommendation(audit, auditor, "Update the child's plan with "
                                            "timescales for each action.", owner_id, None,
                                            "high")
            else:
                actions.append(workflow.add_recommendation(
                    audit, auditor, "Record the child's wishes and feelings in the plan.",
                    users["manager"].id, None, "medium"))
            workflow.submit(audit, auditor, audit.row_version, today=date(2026, 9, 10))
            audit.submitted_at = datetime(2026, 9, 10, 10, 0) + timedelta(hours=number)
        elif number < audit_count - 3:
            workflow.add_recommendation(audit, auditor, "Check the chronology is up to date.",
                                        owner_id, None, "low")  # proposed until submitted
        audits.append(audit)
    moderations = _moderation_round(audits[:submitted_count], users, name)
    _take_actions_through_every_state(actions, moderations, users)
    seed_dip_samples(users)


def _moderation_round(submitted, users, name):
    moderator = users["moderator"]
    round_ = ModerationRound(name=f"{name} QA officer moderation", kind="qa_quarterly",
                             mode="blind", quota=9, method="simple_random", filters={},
                             period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                             seed=20260930, frame_size=len(submitted),
                             drawn_at=datetime(2026, 9, 30, 9, 0), drawn_by_id=moderator.id,
                             created_by_id=moderator.id)
    round_.moderators = [moderator]
    db.session.add(round_)
    moderations = []
    for position, audit in enumerate(submitted[:6], start=1):
        sample = ModerationSample(round=round_, audit=audit, position=position,
                                  reason=RANDOM, moderator_id=moderator.id)
        db.session.add(sample)
        db.session.flush()
        if position <= 4:
            moderation = moderate.start(sample, moderator)
            grades = {}
            for grade in moderation.grades:
                # A QA officer a little stricter than the auditors, as inspectors found.
                rank = grade.auditor_rank if grade.auditor_rank is not None else 1
                if position % 2:
                    rank = min(rank + 1, len(audit.template_version.scale) - 1)
                grades[grade.item] = audit.template_version.scale[rank]
            moderate.save(moderation, moderator, moderation.row_version, grades,
                          "Good analysis of risk; the plan needs SMART actions.")
            moderate.submit(moderation, moderator, moderation.row_version)
            moderations.append(moderation)
    return moderations


def _take_actions_through_every_state(actions, moderations, users):
    """The manager's actions (due 8 October 2026) through each step of their lifecycle, as
    the pages and dip sampling would; the rest stay open (overdue now)."""
    manager, lead = users["manager"], users["practice_lead"]
    outcomes = ("done", "followed_up", "partly", "not_followed_up")
    for action, outcome in zip(actions, outcomes, strict=False):
        actions_workflow.complete(action, manager, action.row_version, date(2026, 10, 1),
                                  "Case note added to the child's record on 01/10/2026.",
                                  today=date(2026, 10, 1))
        if outcome in actions_workflow.VERIFICATIONS:
            actions_workflow.verify(action, lead, action.row_version, outcome)
        if outcome == "partly":
            actions_workflow.raise_follow_up(
                action, lead, "Add the child's own words to the plan.",
                due_on=date(2026, 11, 6), today=date(2026, 10, 9))
        if outcome == "not_followed_up":
            actions_workflow.reopen(action, lead, action.row_version, date(2026, 10, 30),
                                    "No case note on the child's record.",
                                    today=date(2026, 10, 9))
    if len(actions) > 4:
        actions_workflow.cancel(actions[4], users["admin"], actions[4].row_version,
                                "Raised twice for the same plan.")
    if len(actions) > 5:
        actions_workflow.change_due_date(actions[5], users["moderator"], actions[5].row_version,
                                         date(2026, 10, 30), "Waiting for the review meeting.",
                                         today=date(2026, 9, 20))
    if moderations:
        case = moderations[0].audit.case
        actions_workflow.raise_from_moderation(
            moderations[0], users["moderator"], "Make each action in the plan SMART.",
            owner_id=None if actions_workflow.default_owner(case) else users["manager"].id,
            priority="high", today=date(2026, 10, 1))


def demo_users():
    by_local = {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}
    return {"auditor": by_local["auditor"], "manager": by_local["manager"],
            "moderator": by_local["moderator"], "practice_lead": by_local["practicelead"],
            "admin": by_local["admin"]}
