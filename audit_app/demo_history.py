"""The demo's history: three financial years of audits (April 2020 to March 2023) whose
figures tell the reference action plan's story, so the plan, the measures and the reports
have trends to show.

- Audit quality improves: from about a third of audits good or better in April to June
  2020 (the plan's baseline: 45% in November 2020) to about two thirds in 2022-23, with
  noise; management oversight, drift and delay, family networking and contingency planning
  start weaker and improve faster (recommendations 1, 2, 3 and 6).
- Auditors grow less over-optimistic (recommendation 2): the QA officer moderates 9 audits
  a quarter, and from 2021-22 an independent auditor 20 every half year; the share of
  judgements they agree rises from about 60% to over 80%.
- Actions from audits are completed on time more often, and from April 2022 the practice
  lead's monthly dip samples find more of them followed up (recommendation 8); see
  audit_app/demo_history_actions.py.

Only `seed-demo` loads it (audit_app/cli.py), after the 2026 demo activity, which it leaves
as it is: its staff are users of their own who cannot sign in, its cases have references of
their own (LCS-2xxxxx), and every action it raises is closed. Rows are bulk inserted
(audit_app/synthetic.py, shared with the benchmarks' large county) from one seeded
random.Random, so every run loads the same history; one event records the load.
"""

import random
from dataclasses import asdict, dataclass, replace
from datetime import time, timedelta

from sqlalchemy import select

from audit_app.demo import DEMO_DOMAIN
from audit_app.demo_activity import TEAM_COHORTS
from audit_app.demo_history_actions import raise_actions
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.measures.periods import Quarter, quarters_between
from audit_app.models import Answer, Audit, AuditTemplate, Case, CaseCohort, Programme, Team
from audit_app.models.cases import reference_key
from audit_app.synthetic import (
    AuditFacts,
    RoundPlan,
    VersionShape,
    add_users,
    analyze,
    answer_rows,
    audit_row,
    insert,
    moderate,
)
from audit_app.timeutil import stored
from audit_app.workdays import is_working_day

SEED = 2020
QUARTERS = quarters_between(Quarter(2020, 1), Quarter(2022, 4))
AUDITS_PER_TEAM = (8, 15)  # each quarter, at random between the two
FIRST_REFERENCE = 200001  # the 2026 demo's cases are LCS-100200 to LCS-100613
QA_QUOTA, INDEPENDENT_QUOTA = 9, 20  # "moderate 9 cases every quarter"; "20 audits"
INDEPENDENT_FROM = Quarter(2021, 1)

# Staff who audited in those years: (name, team, over-optimistic). Auditors audit other
# teams' cases; an action is owned by the first of its case's team.
AUDITORS = [
    ("Ruth Okafor", "Crewe CIN/CP", False), ("Dev Malhotra", "Crewe CIN/CP", True),
    ("Hannah Price", "Macclesfield CIN/CP", False), ("Tom Byrne", "Macclesfield CIN/CP", True),
    ("Grace Mensah", "Cared for Children", False), ("Owen Hughes", "Care Leavers", False),
    ("Fatima Rahman", "Children with Disabilities", False),
    ("Nia Evans", "ChECS front door", False), ("Callum Reid", "Fostering", True),
    ("Joy Adeyemi", None, False),
]
INDEPENDENT_AUDITOR = "Martin Shaw"

# Shares good or better, from April to June 2020 to January to March 2023: the overall
# judgement, and the graded questions of a domain where it differs from the overall trend.
OVERALL = (0.38, 0.74)
DOMAINS = {"management_oversight": (0.35, 0.82), "drift_delay": (0.42, 0.80),
           "family_networking": (0.35, 0.78), "contingency": (0.30, 0.70),
           "identity": (0.35, 0.70), "voice_of_child": (0.55, 0.86)}
# How far a question's grade follows the audit's overall judgement (0: not at all).
FOLLOWS_OVERALL = 0.3
# Shares of yes/no questions answered yes, by domain (others: DEFAULT_YES).
YES = {"assessment": (0.65, 0.86), "family_networking": (0.45, 0.88),
       "supervision": (0.60, 0.80), "recording": (0.55, 0.82)}
DEFAULT_YES = (0.72, 0.90)
# Teams better or worse than the council as a whole, as the reference document found.
TEAM_EFFECT = {"Macclesfield CIN/CP": -0.08, "Children with Disabilities": -0.05,
               "Cared for Children": 0.06, "ChECS front door": 0.04, "Fostering": 0.03}
# The chance a moderator grades an item a step below the auditor, for an over-optimistic
# auditor and the others, in April 2020; it falls by three quarters by March 2023.
HIGHER = {True: 0.55, False: 0.32}
HIGHER_FALL = 0.75


@dataclass(frozen=True)
class Loaded:
    audits: int
    answers: int
    moderations: int
    actions: int
    dip_sample_checks: int


def along(trend, progress):
    """The value `progress` (0 to 1) of the way along a (from, to) trend."""
    start, end = trend
    return start + (end - start) * progress


def _chance(value):
    return min(0.97, max(0.03, value))


def _rank(rng, good, shape):
    """A grade on the template's scale: good or better (mostly the lower of them: Good on
    Ofsted's scale), or not (mostly the higher: Requires improvement)."""
    if good:
        ranks = range(shape.good_or_better)
        return rng.choices(ranks, [15] + [85] * (len(ranks) - 1))[0]
    ranks = range(shape.good_or_better, len(shape.scale))
    return rng.choices(ranks, [80] + [20] * (len(ranks) - 1))[0]


def _grades(rng, shape, progress, team_effect):
    """(overall rank, {graded question key: rank}) of one audit."""
    overall_chance = _chance(along(OVERALL, progress) + team_effect)
    good = rng.random() < overall_chance
    graded = {}
    for question in shape.graded:
        base = along(DOMAINS.get(question.domain, OVERALL), progress) + team_effect
        chance = _chance(base + FOLLOWS_OVERALL * (good - overall_chance))
        graded[question.key] = _rank(rng, rng.random() < chance, shape)
    return _rank(rng, good, shape), graded


def _yes_no(rng, progress):
    def answer(question):
        if rng.random() < along(YES.get(question.domain, DEFAULT_YES), progress):
            return "yes"
        return rng.choices(["partly", "no", "not_applicable"], [40, 50, 10])[0]
    return answer


def _working_day(rng, quarter):
    while True:
        day = quarter.start + timedelta(days=rng.randrange((quarter.end - quarter.start).days))
        if is_working_day(day):
            return day


def _people(teams):
    """The history's auditors [(id, team id, over-optimistic)] and the independent
    auditor's id."""
    def email(name):
        return f"{name.lower().replace(' ', '.')}@{DEMO_DOMAIN}"

    ids = add_users([{"email": email(name), "name": name,
                      "team_id": teams[team] if team else None}
                     for name, team, _ in AUDITORS], ["auditor"])
    [independent] = add_users([{"email": email(INDEPENDENT_AUDITOR),
                                "name": INDEPENDENT_AUDITOR, "team_id": None}], ["moderator"])
    auditors = [(user_id, teams[team] if team else None, optimistic)
                for user_id, (_name, team, optimistic) in zip(ids, AUDITORS, strict=True)]
    return auditors, independent


def _cases(rng, plans, teams):
    """A case for each planned audit [(team name, audit day)]: its id."""
    rows, cohorts = [], []
    for number, (team, day) in enumerate(plans):
        reference = f"LCS-{FIRST_REFERENCE + number}"
        opened = day - timedelta(days=rng.randrange(60, 900))
        closed = day + timedelta(days=rng.randrange(30, 700)) if rng.random() < 0.55 else None
        rows.append({"reference": reference, "reference_key": reference_key(reference),
                     "team_id": teams[team], "opened_on": opened, "closed_on": closed,
                     "created_at": stored(opened, time(9))})
        cohorts.append(rng.choice(TEAM_COHORTS[team]))
    ids = insert(Case, rows)
    insert(CaseCohort, [{"case_id": case_id, "cohort": cohort}
                        for case_id, cohort in zip(ids, cohorts, strict=True)], returning=False)
    return ids


def _programmes(template, qa_officer):
    return insert(Programme, [
        {"name": f"{quarter.label} whole case file audit", "template_id": template.id,
         "period_start": quarter.start, "period_end": quarter.end,
         "due_on": quarter.end + timedelta(days=14), "created_by_id": qa_officer,
         "created_at": stored(quarter.start - timedelta(days=30), time(10))}
        for quarter in QUARTERS])


@dataclass(frozen=True)
class HistoricAudit:
    """A submitted audit of the history, as its moderation and actions need it."""

    facts: AuditFacts
    case_id: int
    quarter: Quarter
    day: object  # its audit date
    moment: object  # submitted at (stored UTC)
    progress: float  # how far through the three years its quarter is, 0 to 1


def _audits(rng, template, teams, auditors, qa_officer):
    """Each team's audits of each quarter, with their answers: [HistoricAudit], and the
    number of answers."""
    shape = VersionShape.of(template.latest_published)
    plans = [(index, team, _working_day(rng, quarter))
             for index, quarter in enumerate(QUARTERS) for team in TEAM_COHORTS
             for _ in range(rng.randint(*AUDITS_PER_TEAM))]
    case_ids = _cases(rng, [(team, day) for _, team, day in plans], teams)
    programmes = _programmes(template, qa_officer)
    rows, made = [], []
    for case_id, (index, team, day) in zip(case_ids, plans, strict=True):
        quarter, progress = QUARTERS[index], index / (len(QUARTERS) - 1)
        auditor, _team, optimistic = rng.choice([a for a in auditors if a[1] != teams[team]])
        overall, graded = _grades(rng, shape, progress, TEAM_EFFECT.get(team, 0))
        moment = stored(day, time(rng.randrange(9, 18), rng.randrange(60)))
        rows.append(audit_row(programmes[index], case_id, teams[team], auditor, shape,
                              overall, moment, quarter.end + timedelta(days=14),
                              allocated_by_id=qa_officer))
        facts = AuditFacts(0, teams[team], auditor, shape, overall, graded,
                           higher=HIGHER[optimistic] * (1 - HIGHER_FALL * progress),
                           lower=0.06 - 0.03 * progress)
        made.append(HistoricAudit(facts, case_id, quarter, day, moment, progress))
    answers, audits = [], []
    for audit_id, audit in zip(insert(Audit, rows), made, strict=True):
        answers.extend(answer_rows(rng, audit_id, shape, audit.facts.graded,
                                   _yes_no(rng, audit.progress), audit.day, audit.moment))
        audits.append(replace(audit, facts=replace(audit.facts, id=audit_id)))
    insert(Answer, answers, returning=False)
    return audits, len(answers)


def _rounds(audits, qa_officer, independent):
    """The QA officer's round of each quarter; from 2021-22 the independent auditor's of
    each half year, drawn after the QA officer's, from the audits it left."""
    by_quarter = {}
    for audit in audits:
        by_quarter.setdefault(audit.quarter, []).append(audit.facts)
    plans = []
    for quarter in QUARTERS:
        plans.append(RoundPlan(f"{quarter.label} QA officer moderation", "qa_quarterly",
                               quarter.start, quarter.end, QA_QUOTA, by_quarter[quarter],
                               [qa_officer]))
        if quarter >= INDEPENDENT_FROM and quarter.number in (2, 4):
            first = QUARTERS[QUARTERS.index(quarter) - 1]
            plans.append(RoundPlan(
                f"{first.label} to {quarter.label} independent auditor moderation",
                "independent", first.start, quarter.end, INDEPENDENT_QUOTA,
                by_quarter[first] + by_quarter[quarter], [independent]))
    return plans


def seed_history(users):
    """Load the history into a database holding the demo organisation (audit_app/demo.py)
    and its built-in templates; `users` as audit_app/demo_activity.demo_users gives them.
    The caller commits."""
    rng = random.Random(SEED)
    teams = {t.name: t.id for t in db.session.scalars(select(Team))}
    template = db.session.scalar(
        select(AuditTemplate).where(AuditTemplate.slug == "whole-case-file"))
    qa_officer = users["moderator"].id
    auditors, independent = _people(teams)
    audits, answers = _audits(rng, template, teams, auditors, qa_officer)
    moderated = moderate(rng, _rounds(audits, qa_officer, independent))
    owners = {team: user_id for user_id, team, _ in reversed(auditors) if team is not None}
    actions, checks = raise_actions(rng, audits, owners, qa_officer,
                                    users["practice_lead"].id)
    loaded = Loaded(audits=len(audits), answers=answers, moderations=moderated.moderations,
                    actions=actions, dip_sample_checks=checks)
    record("demo_history", None, "loaded", after={
        "from": QUARTERS[0].code, "to": QUARTERS[-1].code, **asdict(loaded)})
    analyze()
    db.session.expire_all()  # objects already loaded do not see the bulk inserts
    return loaded
