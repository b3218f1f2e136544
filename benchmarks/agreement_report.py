"""How fast the moderation agreement report is, and how many queries it makes.

    .venv/bin/python benchmarks/agreement_report.py [--moderations 2000]

Migrates a fresh SQLite database in a temporary directory, loads the demo organisation,
builds N submitted moderations over two financial years (20 auditors, 3 moderators, a round
a quarter; an overall judgement and three domain grades each, some agreed, ruled or
challenged), then times the report's figures, the pairs behind them, the page and the four
downloads, counting SQL statements for each. With TEST_DATABASE_URL (or DATABASE_URL) set to
a PostgreSQL URL it does the same there, inside a throwaway schema dropped afterwards.
"""

import argparse
import random
import secrets
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from audit_app import create_app, demo  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.measures.agreement import Scope, agreement_report, pairs  # noqa: E402
from audit_app.models import (  # noqa: E402
    Audit,
    AuditTemplate,
    Case,
    Challenge,
    Moderation,
    ModerationGrade,
    ModerationRound,
    ModerationSample,
    Programme,
    Team,
    TemplateQuestion,
    TemplateSection,
    TemplateVersion,
    User,
)
from audit_app.models.templates import OFSTED_SCALE  # noqa: E402
from benchmarks.databases import each_database  # noqa: E402

PASSWORD = secrets.token_urlsafe(16)
FIRST_QUARTER = date(2022, 4, 1)
DOMAINS = [("assessment", "assessment"), ("plan", "plan"), ("oversight", "management_oversight")]
# Auditor's rank against the moderator's: mostly the same, sometimes one step either way.
SHIFTS = [0] * 7 + [1, 1, -1]


def _template():
    template = AuditTemplate(name="Benchmark whole case file", slug="benchmark-wcf",
                             purpose="whole_case_file")
    version = TemplateVersion(template=template, number=1, status="published",
                              scale=list(OFSTED_SCALE), good_or_better=2)
    section = TemplateSection(position=1, title="Practice")
    for position, (key, domain) in enumerate(DOMAINS, start=1):
        section.questions.append(TemplateQuestion(position=position, key=key, text=key.title(),
                                                  kind="graded", domain=domain))
    version.sections.append(section)
    db.session.add(template)
    db.session.flush()
    return template, version


def build(n):
    rng = random.Random(20240401)
    template, version = _template()
    teams = db.session.scalars(select(Team)).all()
    auditors = [User(email=f"auditor{i}@bench.example", name=f"Auditor {i:02d}",
                     roles={"auditor"}) for i in range(20)]
    moderators = [User(email=f"moderator{i}@bench.example", name=f"Moderator {i}",
                       roles={"moderator"}) for i in range(3)]
    db.session.add_all(auditors + moderators)
    programme = Programme(name="Benchmark", template_id=template.id,
                          period_start=FIRST_QUARTER, period_end=date(2024, 3, 31),
                          due_on=date(2024, 3, 31))
    db.session.add(programme)
    rounds = []
    for q in range(8):
        start = date(2022 + (q + 3) // 4, (3 + 3 * q) % 12 + 1, 1)
        end = date(start.year + (start.month > 9), (start.month + 2) % 12 + 1, 1) - timedelta(1)
        rounds.append(ModerationRound(name=f"Round {q + 1}", period_start=start, period_end=end,
                                      kind="qa_quarterly", mode="blind", quota=9,
                                      method="simple_random", filters={}))
    db.session.add_all(rounds)
    db.session.flush()
    for i in range(n):
        quarter = i * 8 // n
        submitted = datetime.combine(rounds[quarter].period_start, datetime.min.time()) + \
            timedelta(days=rng.randrange(85), hours=10)
        team_id = rng.choice(teams).id
        case = Case(reference=f"BENCH-{i:06d}", team_id=team_id, opened_on=date(2021, 1, 4))
        auditor = rng.choice(auditors)
        moderator = rng.choice(moderators)
        audit = Audit(programme=programme, case=case, auditor_id=auditor.id, team_id=team_id,
                      template_version_id=version.id, status="submitted",
                      due_on=date(2024, 3, 31), submitted_at=submitted - timedelta(days=5))
        sample = ModerationSample(round_id=rounds[quarter].id, audit=audit, position=i + 1,
                                  reason="random", moderator_id=moderator.id)
        moderation = Moderation(sample=sample, audit=audit, moderator_id=moderator.id,
                                mode="blind", status="submitted", feedback="Feedback.",
                                submitted_at=submitted)
        items = [("overall", "Overall judgement", None)] + [
            (key, key.title(), domain) for key, domain in DOMAINS]
        for position, (item, label, domain) in enumerate(items):
            moderated = rng.randrange(1, 4)
            given = min(3, max(0, moderated - rng.choice(SHIFTS)))
            grade = ModerationGrade(position=position, item=item, label=label, domain=domain,
                                    auditor_grade=OFSTED_SCALE[given], auditor_rank=given,
                                    moderator_grade=OFSTED_SCALE[moderated],
                                    moderator_rank=moderated)
            if given != moderated and rng.random() < 0.3:
                grade.agreed_grade, grade.agreed_rank = OFSTED_SCALE[given], given
            if item == "overall":
                audit.overall_grade, audit.overall_rank = grade.auditor_grade, given
                if grade.comparison != "agree" and rng.random() < 0.2:
                    grade.challenges.append(Challenge(
                        raised_by_id=auditor.id, reasons="I disagree.",
                        proposed_grade=grade.auditor_grade,
                        outcome=rng.choice(["upheld", "rejected", None])))
            moderation.grades.append(grade)
        db.session.add(moderation)
        if i % 500 == 499:
            db.session.flush()
    db.session.commit()


def timed(label, work, repeat=3):
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        best = None
        for _ in range(repeat):
            statements.clear()
            started = time.perf_counter()
            work()
            seconds = time.perf_counter() - started
            best = seconds if best is None else min(best, seconds)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    print(f"  {label:34} queries={len(statements):3} seconds={best:.3f} (best of {repeat})")


def run(label, url, n, engine_options=None):
    overrides = {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app("testing", overrides)
    with app.app_context():
        upgrade()
        demo.seed(PASSWORD)
        db.session.commit()
        started = time.perf_counter()
        build(n)
        print(f"{label}: built {n} moderations in {time.perf_counter() - started:.1f}s")
        everything = Scope()
        one_year = Scope(start=date(2022, 4, 1), end=date(2023, 3, 31))
        timed("report, all moderations", lambda: agreement_report(everything))
        timed("report, 2022-23", lambda: agreement_report(one_year))
        timed("pairs, all moderations", lambda: sum(1 for _ in pairs(everything)))

        client = app.test_client()
        leader = db.session.scalar(select(User).where(User.email.like("leader@%")))
        client.post("/sign-in", data={"email": leader.email, "password": PASSWORD})
        query = "period_from=&period_to="
        for path in ("/reports/agreement", "/reports/agreement.csv", "/reports/agreement.xlsx",
                     "/reports/agreement-pairs.csv", "/reports/agreement-pairs.xlsx"):
            def get(path=path):
                response = client.get(f"{path}?{query}")
                assert response.status_code == 200, response.status_code

            timed(f"GET {path}", get)
        db.session.remove()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moderations", type=int, default=2_000)
    n = parser.parse_args().moderations
    each_database(run, n)

if __name__ == "__main__":
    main()
