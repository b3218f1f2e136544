"""The demo history's actions and dip samples (audit_app/demo_history.py): recommendations
raised from its audits, completed on time more often as the years go by, and from April
2022 the practice lead's monthly dip samples of them, finding more of them followed up
(the reference action plan's recommendation 8).

Actions and dip samples follow the rules of the pages (audit_app/actions/workflow.py,
audit_app/dip_samples/): an action is due the working days its priority gives after the
audit; each month's round draws 8 cases with the app's sampler from the cases whose actions
were due or completed in the month before, as they stood on the day of the draw, and checks
every action of each case still to check. A completed action found followed up (or partly)
is verified; one found not followed up is reopened with a new due date and completed again
later; an open one past its due date is not followed up and completed late. Everything is
simulated month by month in Python, then bulk inserted, so every action ends closed: none
is left open or overdue for the 2026 demo's reminders.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from audit_app.actions.workflow import due_days
from audit_app.dip_samples.rounds import add_months, month_end
from audit_app.measures.good_or_better import is_good_or_better
from audit_app.models import Action, DipSampleCase, DipSampleCheck, DipSampleRound
from audit_app.models.actions import (
    CANCELLED,
    COMPLETED,
    FROM_AUDIT,
    OPEN,
    PRIORITIES,
    VERIFIED_FOLLOWED_UP,
    VERIFIED_PARTLY,
)
from audit_app.models.dip_samples import (
    DEFAULT_SIZE,
    FOLLOWED_UP,
    NOT_FOLLOWED_UP,
    NOT_YET_DUE,
    PARTLY,
)
from audit_app.programmes.sampling import MAX_SEED, NUMPY_VERSION, draw
from audit_app.synthetic import insert
from audit_app.timeutil import stored
from audit_app.workdays import add_working_days, next_working_day

# What an auditor recommends about a weak domain.
RECOMMENDATIONS = {
    "assessment": "Update the assessment now that the child's circumstances have changed.",
    "voice_of_child": "Record the child's wishes and feelings and how they shape the plan.",
    "identity": "Record how the child's identity and culture are considered in the plan.",
    "plan": "Update the child's plan with timescales for each action.",
    "contingency": "Add a contingency plan to the child's plan.",
    "family_networking": "Hold a family network meeting and record who can support the child.",
    "drift_delay": "Set a date to review progress so that the plan does not drift.",
    "management_oversight": "Record the manager's oversight and the reasons for decisions.",
    "supervision": "Discuss the child in the next case supervision and record it.",
    "recording": "Bring the chronology on the child's record up to date.",
}
PRIORITY_WEIGHTS = {"high": 2, "medium": 5, "low": 3}
# Completed on or before the due date, from April 2020 to March 2023.
ON_TIME = (0.45, 0.88)
CANCELLED_SHARE = 0.03
# Dip samples: the months, and the share of completed actions found followed up.
DIP_MONTHS = [add_months(date(2022, 4, 1), n) for n in range(12)]
FOLLOWED = (0.55, 0.85)
FINDINGS = {
    FOLLOWED_UP: ("A case note records the action, and the plan shows it.",
                  "The plan is clearer for the child and their family."),
    PARTLY: ("The plan is updated, but the child's own words are not recorded.",
             "Some improvement: the child's voice is still missing."),
    NOT_FOLLOWED_UP: ("No case note since the audit; the plan is unchanged.",
                      "None yet: the child's plan is still out of date."),
}


@dataclass
class Planned:
    """One action as the simulation changes it; `row` is what is inserted."""

    row: dict
    verified_on: date | None = None
    id: int | None = None  # once inserted

    def status_on(self, day):
        """Its status at the start of `day` (only ever asked in date order)."""
        row = self.row
        if row["status"] == CANCELLED:
            return CANCELLED
        if self.verified_on is not None and self.verified_on <= day:
            return row["status"]
        return COMPLETED if row["completed_on"] < day else OPEN


def _description(rng, audit):
    facts = audit.facts
    weak = sorted({q.domain for q in facts.shape.graded if q.domain and not is_good_or_better(
        facts.graded[q.key], facts.shape.good_or_better)})
    return RECOMMENDATIONS[rng.choice(weak or sorted(RECOMMENDATIONS))]


def _complete(row, day, owner):
    row.update(status=COMPLETED, completed_on=day, completed_at=stored(day, time(16)),
               completed_by_id=owner,
               evidence=f"Case note added to the child's record on {day:%d/%m/%Y}.")


def _actions(rng, audits, owners, qa_officer):
    days = {priority: due_days(priority) for priority in PRIORITIES}
    planned = []
    for audit in audits:
        facts = audit.facts
        good = is_good_or_better(facts.overall_rank, facts.shape.good_or_better)
        for _ in range(rng.choices((0, 1, 2), (60, 40, 0) if good else (0, 60, 40))[0]):
            priority = rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0]
            due = add_working_days(audit.day, days[priority])
            owner = owners[facts.team_id]
            row = {"source": FROM_AUDIT, "audit_id": facts.id, "case_id": audit.case_id,
                   "description": _description(rng, audit), "owner_id": owner,
                   "raised_by_id": facts.auditor_id, "due_on": due, "priority": priority,
                   "status": OPEN, "created_at": audit.moment, "raised_on": audit.day,
                   "completed_on": None, "evidence": None, "completed_at": None,
                   "completed_by_id": None, "verified_at": None, "verified_by_id": None,
                   "reopened_at": None, "cancelled_at": None, "cancelled_by_id": None,
                   "cancel_reason": None}
            if rng.random() < CANCELLED_SHARE:
                row.update(status=CANCELLED, cancelled_by_id=qa_officer,
                           cancelled_at=stored(next_working_day(audit.day), time(11)),
                           cancel_reason="Raised twice for the same plan.")
            elif rng.random() < ON_TIME[0] + (ON_TIME[1] - ON_TIME[0]) * audit.progress:
                _complete(row, audit.day + timedelta(days=rng.randrange(
                    1, (due - audit.day).days + 1)), owner)
            else:
                _complete(row, due + timedelta(days=rng.randrange(1, 45)), owner)
            planned.append(Planned(row))
    return planned


def _check(rng, action, day, share_followed, lead):
    """What the practice lead finds for one action on `day`, and what it does to it."""
    status = action.status_on(day)
    row = action.row
    if status == OPEN:
        return NOT_FOLLOWED_UP if row["due_on"] < day else NOT_YET_DUE
    roll = rng.random()
    if roll < share_followed + (1 - share_followed) / 2:
        outcome = FOLLOWED_UP if roll < share_followed else PARTLY
        row.update(status=VERIFIED_FOLLOWED_UP if outcome == FOLLOWED_UP else VERIFIED_PARTLY,
                   verified_at=stored(day, time(15)), verified_by_id=lead)
        action.verified_on = day
        return outcome
    # Reopened with a new due date, and completed again (the row keeps the latest).
    row.update(reopened_at=stored(day, time(15)), due_on=add_working_days(day, 20))
    _complete(row, day + timedelta(days=rng.randrange(5, 40)), row["owner_id"])
    return NOT_FOLLOWED_UP


def _dip_samples(rng, planned, lead):
    """Each month's round, drawn on its first working day and checked by the 20th."""
    by_case = {}
    for action in planned:
        by_case.setdefault(action.row["case_id"], []).append(action)
    rounds, cases, checks = [], [], []
    for index, month in enumerate(DIP_MONTHS):
        drawn_on = next_working_day(month - timedelta(days=1))
        window = (add_months(month, -1), month_end(add_months(month, -1)))
        frame = sorted(case_id for case_id, actions in by_case.items() if any(
            a.status_on(drawn_on) in (OPEN, COMPLETED) and (
                window[0] <= a.row["due_on"] <= window[1]
                or window[0] <= (a.row["completed_on"] or date.min) <= window[1])
            for a in actions))
        seed = rng.randrange(MAX_SEED)
        drawn_at = stored(drawn_on, time(10))
        rounds.append({"practice_lead_id": lead, "month": month, "size": DEFAULT_SIZE,
                       "window_start": window[0], "window_end": window[1], "seed": seed,
                       "numpy_version": NUMPY_VERSION, "frame_size": len(frame),
                       "drawn_at": drawn_at, "drawn_by_id": lead, "created_by_id": lead,
                       "created_at": drawn_at - timedelta(days=1)})
        share = FOLLOWED[0] + (FOLLOWED[1] - FOLLOWED[0]) * index / (len(DIP_MONTHS) - 1)
        for position, case_id in enumerate(draw(frame, seed, DEFAULT_SIZE), start=1):
            day = drawn_on + timedelta(days=rng.randrange(1, 19))
            cases.append({"round": index, "case_id": case_id, "position": position,
                          "reason": "random", "added_at": drawn_at})
            for action in by_case[case_id]:
                if action.status_on(day) in (OPEN, COMPLETED):
                    checks.append((len(cases) - 1, action, _check(rng, action, day, share,
                                                                  lead), day))
    return rounds, cases, checks


def raise_actions(rng, audits, owners, qa_officer, lead):
    """The history's actions and dip samples, inserted: (actions, dip-sample checks).

    `audits`: demo_history's HistoricAudit list; `owners`: {team id: the user who owns its
    actions}; `lead`: the practice lead's user id."""
    planned = _actions(rng, audits, owners, qa_officer)
    rounds, cases, checks = _dip_samples(rng, planned, lead)
    for action, action_id in zip(planned, insert(Action, [a.row for a in planned]),
                                 strict=True):
        action.id = action_id
    round_ids = insert(DipSampleRound, rounds)
    case_ids = insert(DipSampleCase, [{**{k: v for k, v in row.items() if k != "round"},
                                       "round_id": round_ids[row["round"]]} for row in cases])
    insert(DipSampleCheck, [
        {"sampled_case_id": case_ids[case], "action_id": action.id, "outcome": outcome,
         "evidence": FINDINGS.get(outcome, (None, None))[0],
         "impact": FINDINGS.get(outcome, (None, None))[1], "checked_on": day,
         "checked_at": stored(day, time(14)), "checked_by_id": lead}
        for case, action, outcome, day in checks], returning=False)
    return len(planned), len(checks)
