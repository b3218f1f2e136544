"""A large county's ten years of audits, bulk inserted, the same every time from a seed.

    from benchmarks.large_county import generate
    summary = generate(seed=2015, scale=1.0)  # inside an app context, after migrations

At scale 1: about 40 teams in 5 services, 150 auditors and 6 moderators (besides any the
database already has: the demo's auditors and moderators join in, so their own pages show
the county's work), 18,000 cases, 25,000 audits from April 2015 to March 2025 on two
templates (a whole case file audit of 32 questions and a thematic audit of 14), about
735,000 answers, and 3,000 moderations: a quarterly QA round of 70 and a yearly independent
round of 20 (some audits are moderated twice), with agreed grades, rulings and challenges.
Some auditors grade more generously than the moderators; some cases have moved team since
they were audited.

Rows go in with bulk INSERTs (audit_app/synthetic.py, which also loads the demo's history),
not through the workflow: it is data to measure with, at a realistic shape. Python's
random.Random(seed) makes every choice, so a seed gives the same county on any database.
`scale` shrinks or grows every count (0.002 gives a county of 50 audits for tests).
"""

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import (
    Answer,
    Audit,
    AuditTemplate,
    Case,
    CaseCohort,
    Programme,
    Service,
    Team,
    TemplateQuestion,
    TemplateSection,
    TemplateVersion,
    UserRole,
)
from audit_app.models.cases import reference_key
from audit_app.models.templates import DOMAINS
from audit_app.synthetic import (
    AuditFacts,
    RoundPlan,
    VersionShape,
    add_users,
    answer_rows,
    audit_row,
    insert,
    moderate,
)
from audit_app.timeutil import stored

FIRST_YEAR, YEARS = 2015, 10  # financial years 2015-16 to 2024-25
AREAS = ["Crewe", "Macclesfield", "Congleton", "Nantwich", "Wilmslow", "Knutsford",
         "Sandbach", "Poynton", "Alsager", "Middlewich"]
# service: team names (the demo's teams are among them, so they are reused when present)
SERVICES = {
    "Children in Need and Child Protection": [f"{area} CIN/CP" for area in AREAS]
    + [f"{area} Family Support" for area in AREAS[:6]],
    "Cared for Children and Care Leavers": ["Cared for Children", "Care Leavers"]
    + [f"{area} Cared for Children" for area in AREAS[:8]],
    "Children with Disabilities": ["Children with Disabilities", "North CWD", "South CWD"],
    "Front door": ["ChECS front door", "Emergency Duty Team", "MASH"],
    "Fostering": ["Fostering", "Supported Lodgings", "Kinship Care"],
}
COHORTS = ["child_in_need", "child_protection", "cared_for", "care_leaver",
           "children_with_disabilities", "early_help", "pre_proceedings",
           "private_fostering", "homeless_16_17"]
COHORT_WEIGHTS = [30, 20, 20, 8, 6, 8, 4, 2, 2]
GRADE_WEIGHTS = [1, 5, 3, 1]  # Outstanding, Good, Requires improvement, Inadequate
YES_NO = (["yes", "no", "partly", "not_applicable"], [60, 15, 15, 10])
WHOLE_CASE_FILE_SHARE = 0.88
QA_QUOTA, INDEPENDENT_QUOTA = 70, 20


@dataclass(frozen=True)
class Summary:
    teams: int
    auditors: int
    cases: int
    audits: int
    answers: int
    moderations: int
    grades: int
    challenges: int

    def __str__(self):
        return (f"{self.audits:,} audits, {self.answers:,} answers, {self.moderations:,} "
                f"moderations ({self.grades:,} compared grades, {self.challenges} challenges), "
                f"{self.cases:,} cases, {self.teams} teams, {self.auditors} auditors")


def _scaled(count, scale, least=1):
    return max(least, round(count * scale))


# -- The organisation and people ------------------------------------------------------------

def _teams():
    """Every team of SERVICES, creating those the database does not have: {name: id}."""
    services = {s.name: s for s in db.session.scalars(select(Service))}
    teams = {t.name: t.id for t in db.session.scalars(select(Team))}
    for service_name, team_names in SERVICES.items():
        service = services.get(service_name)
        if service is None:
            service = Service(name=service_name)
            db.session.add(service)
            db.session.flush()
        new = [name for name in team_names if name not in teams]
        ids = insert(Team, [{"name": name, "service_id": service.id} for name in new])
        teams.update(zip(new, ids, strict=True))
    return {name: teams[name] for names in SERVICES.values() for name in names}


def _people(rng, role, count, team_ids):
    """`count` new users with `role` (they cannot sign in: no password), plus the users who
    already hold it: [(id, generosity)]. Generosity is how often the auditor grades a step
    higher than a moderator would."""
    existing = list(db.session.scalars(
        select(UserRole.user_id).where(UserRole.role == role).order_by(UserRole.user_id)))
    ids = add_users([{"email": f"{role}.{number:04d}@county.example",
                      "name": f"County {role} {number}", "team_id": rng.choice(team_ids)}
                     for number in range(count)], [role])
    people = existing + ids
    # One auditor in eight is over-optimistic, as inspectors found of team managers.
    return [(user_id, 0.35 if rng.random() < 0.125 else 0.08) for user_id in people]


# -- Templates -------------------------------------------------------------------------------

def _template(slug, name, purpose, graded_per_domain, yes_no_domains, others):
    """A published template: graded questions per domain, yes/no questions, then others."""
    template = AuditTemplate(name=name, slug=slug, purpose=purpose)
    version = TemplateVersion(template=template, number=1, status="published",
                              has_overall=True)
    questions = []
    for domain in DOMAINS:
        for number in range(graded_per_domain):
            questions.append((f"{domain}_{number + 1}", f"How good is {DOMAINS[domain].lower()}"
                              f" ({number + 1})?", "graded", domain))
    for number, domain in enumerate(yes_no_domains):
        questions.append((f"check_{number + 1}", f"Is there evidence of {DOMAINS[domain].lower()}"
                          f" ({number + 1})?", "yes_no", domain))
    questions.extend(others)
    section = TemplateSection(position=1, title="Practice")
    for position, (key, text, kind, domain) in enumerate(questions, start=1):
        section.questions.append(TemplateQuestion(position=position, key=key, text=text,
                                                  kind=kind, domain=domain, required=False))
    version.sections.append(section)
    db.session.add(template)
    db.session.flush()
    return template, version


def _templates():
    others = [("assessment_date", "When was the assessment completed?", "date", None),
              ("visits", "How many visits in the last three months?", "number", None),
              ("notes", "What else should the team know?", "text", None)]
    whole = _template("county-whole-case-file", "County whole case file audit",
                      "whole_case_file", 2, list(DOMAINS)[:9], others)
    thematic = _template("county-thematic", "County thematic audit", "thematic", 0,
                         ["plan", "management_oversight", "supervision", "voice_of_child",
                          "recording", "drift_delay"], [])
    # The thematic audit grades eight of the domains once each.
    section = thematic[1].sections[0]
    for position, domain in enumerate(list(DOMAINS)[:8], start=len(section.questions) + 1):
        section.questions.append(TemplateQuestion(
            position=position, key=f"{domain}_1", text=f"How good is "
            f"{DOMAINS[domain].lower()}?", kind="graded", domain=domain, required=False))
    db.session.flush()
    return [(template, VersionShape.of(version)) for template, version in (whole, thematic)]


# -- Cases, programmes, audits, answers -------------------------------------------------------

def _quarters():
    """(start, end) of each quarter of the ten financial years, oldest first."""
    quarters = []
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        for number in range(4):
            month = 4 + 3 * number
            start = date(year + (month > 12), (month - 1) % 12 + 1, 1)
            end_month = month + 3
            end = date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - timedelta(1)
            quarters.append((start, end))
    return quarters


def _cases(rng, count, team_ids):
    rows, teams_then, cohorts = [], [], []
    for number in range(count):
        team_then = rng.choice(team_ids)
        # One case in thirty has moved team since it was audited.
        team_now = rng.choice(team_ids) if rng.random() < 1 / 30 else team_then
        opened = date(2010, 1, 4) + timedelta(days=rng.randrange(15 * 365))
        reference = f"LCS-C{number + 1:07d}"
        rows.append({"reference": reference, "reference_key": reference_key(reference),
                     "team_id": team_now,
                     "opened_on": opened,
                     "closed_on": opened + timedelta(days=rng.randrange(200, 900))
                     if rng.random() < 0.3 else None})
        teams_then.append(team_then)
        cohorts.append(set(rng.choices(COHORTS, weights=COHORT_WEIGHTS,
                                       k=1 if rng.random() < 0.7 else 2)))
    ids = insert(Case, rows)
    insert(CaseCohort, [{"case_id": case_id, "cohort": cohort}
                         for case_id, chosen in zip(ids, cohorts, strict=True)
                         for cohort in sorted(chosen)], returning=False)
    return list(zip(ids, teams_then, strict=True))


def _grade(rng, around):
    """A grade rank near `around` (0 = Outstanding), as audits' questions go."""
    step = rng.choices([-1, 0, 0, 0, 1], k=1)[0]
    return min(3, max(0, around + step))


def _audits(rng, scale, quarters, templates, cases, auditors):
    """Programmes and audits, quarter by quarter; returns the submitted audits' facts for
    moderation, by quarter, and the numbers of audits and answers."""
    per_quarter = _scaled(25_000, scale) / len(quarters)
    facts, audits, answers = [], 0, 0

    def yes_no(_question):
        return rng.choices(*YES_NO)[0]

    for index, (start, end) in enumerate(quarters):
        programmes = insert(Programme, [
            {"name": f"{template.name}, {start:%B %Y}", "template_id": template.id,
             "period_start": start, "period_end": end, "due_on": end + timedelta(days=14)}
            for template, _shape in templates])
        count = round(per_quarter * (index + 1)) - round(per_quarter * index)
        chosen = rng.sample(range(len(cases)), min(count, len(cases)))
        rows, plans = [], []
        last = index == len(quarters) - 1
        for case_index in chosen:
            case_id, team_id = cases[case_index]
            which = 0 if rng.random() < WHOLE_CASE_FILE_SHARE else 1
            _template, shape = templates[which]
            auditor, generosity = rng.choice(auditors)
            day = start + timedelta(days=rng.randrange((end - start).days + 1))
            moment = stored(day, time(rng.randrange(8, 20), rng.randrange(60)))
            status = "submitted"
            if last and rng.random() < 0.06:
                status = rng.choice(["in_progress", "returned"])
            overall = rng.choices(range(4), weights=GRADE_WEIGHTS)[0]
            rows.append(audit_row(programmes[which], case_id, team_id, auditor, shape, overall,
                                  moment, end + timedelta(days=14), status))
            graded = {q.key: _grade(rng, overall) for q in shape.graded}
            plans.append((shape, overall, graded, day, moment, team_id, auditor, generosity,
                          status))
        ids = insert(Audit, rows)
        audits += len(ids)
        made = []
        for audit_id, (shape, overall, graded, day, moment, team_id, auditor, generosity,
                       status) in zip(ids, plans, strict=True):
            made.extend(answer_rows(rng, audit_id, shape, graded, yes_no, day, moment))
            if status == "submitted":
                facts.append((index, AuditFacts(audit_id, team_id, auditor, shape, overall,
                                                graded, higher=generosity)))
        insert(Answer, made, returning=False)
        answers += len(made)
    return facts, audits, answers


# -- Moderation ------------------------------------------------------------------------------

def _rounds(scale, quarters, facts, moderators):
    """A QA round of each quarter's audits, and each year an independent auditor's of April
    to September's (which may moderate an audit a second time); three moderators each, in
    turn."""
    by_quarter = {}
    for index, audit in facts:
        by_quarter.setdefault(index, []).append(audit)
    ids = [moderator for moderator, _ in moderators]
    plans = []
    for index, (start, end) in enumerate(quarters):
        team = [ids[(len(plans) * 3 + k) % len(ids)] for k in range(min(3, len(ids)))]
        plans.append(RoundPlan(f"QA moderation {start:%B %Y}", "qa_quarterly", start, end,
                               _scaled(QA_QUOTA, scale), by_quarter.get(index, []), team))
        if index % 4 == 1:  # each year's April to September, by an independent auditor
            first = quarters[index - 1][0]
            plans.append(RoundPlan(
                f"Independent moderation {first:%B %Y} to {end:%B %Y}", "independent", first,
                end, _scaled(INDEPENDENT_QUOTA, scale),
                by_quarter.get(index - 1, []) + by_quarter.get(index, []), team,
                include_moderated=True))
    return plans


def generate(seed=2015, scale=1.0):
    """Add the county to the app's database (in an app context) and commit; a Summary."""
    rng = random.Random(seed)
    teams = _teams()
    team_ids = list(teams.values())
    auditors = _people(rng, "auditor", _scaled(150, scale, least=3), team_ids)
    moderators = _people(rng, "moderator", _scaled(6, scale, least=2), team_ids)
    templates = _templates()
    quarters = _quarters()
    cases = _cases(rng, _scaled(18_000, scale, least=20), team_ids)
    facts, audits, answers = _audits(rng, scale, quarters, templates, cases, auditors)
    moderated = moderate(rng, _rounds(scale, quarters, facts, moderators))
    db.session.commit()
    return Summary(teams=len(team_ids), auditors=len(auditors), cases=len(cases),
                   audits=audits, answers=answers, moderations=moderated.moderations,
                   grades=moderated.grades, challenges=moderated.challenges)
