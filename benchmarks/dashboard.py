"""The leaders' dashboard's and the quarterly headline report's server time on a large county,
beside their floors: the same figures from one hand-written SQL query per measure, no page.

    .venv/bin/python benchmarks/dashboard.py [--repeat 9] [--seed 2015] [--scale 1.0]

Migrates a fresh SQLite database in a temporary directory, loads the demo organisation, the
large county (benchmarks/large_county.py: 25,000 audits over ten years at scale 1), about
1.5 actions from each audit with a dip sample of them every month (`add_actions`: the
county has none of its own), and the reference action plan with its targets. Then, as the
demo leader through the test client (the whole request: routing, sign-in check, queries,
figures, charts, template or file):

- the dashboard for Q2 2022-23 (headline figures, their trend over eight quarters, the
  domains), one figure's page (its trend and its teams) and the audits behind it;
- the dashboard's figures alone (audit_app/measures/headline.py, no page);
- the floor: the same numerators and denominators from one hand-written SQL query per
  measure (each headline measure for the eight quarters, each per-domain rate for the
  quarter's domains), checked equal to the dashboard's, with no page and no targets;
- the quarterly headline report for the same quarter (its page, its Excel and CSV files),
  the action plan progress report (its page and Word document), the report's figures alone
  (audit_app/reports/quarterly.py, no page), and its floor (benchmarks/report_floor.py: the
  dashboard's queries for the report's four quarters, and one each for the activity, the
  grades, agreement by auditor, overdue actions by team and dip samples done), checked equal
  to the report's.

Each is run `--repeat` times after one warm-up; the median and the best are printed, with
the SQL statements made and the ratio of the dashboard to the floor. With TEST_DATABASE_URL
(or DATABASE_URL) set to a PostgreSQL URL it does the same there, in a throwaway schema,
after VACUUM ANALYZE (as autovacuum would after a load this size). The target: the
dashboard under 200 ms median on SQLite.
"""

# The floor's SQL is put together from fixed text and quarter codes; every value is bound.
# ruff: noqa: S608

import argparse
import os
import random
import secrets
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402

from audit_app import create_app, demo  # noqa: E402
from audit_app.admin.targets import load_reference_targets  # noqa: E402
from audit_app.demo_activity import demo_users  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.measures import headline  # noqa: E402
from audit_app.measures.periods import Quarter, quarters_ending  # noqa: E402
from audit_app.measures.scope import ALL, Scope  # noqa: E402
from audit_app.models import (  # noqa: E402
    Action,
    Audit,
    DipSampleCase,
    DipSampleCheck,
    DipSampleRound,
    User,
)
from audit_app.plan.seed import load_plan  # noqa: E402
from audit_app.reports.quarterly import quarterly_report  # noqa: E402
from audit_app.synthetic import insert  # noqa: E402
from audit_app.timeutil import today  # noqa: E402
from benchmarks.databases import each_database  # noqa: E402
from benchmarks.large_county import generate  # noqa: E402

QUARTER = Quarter(2022, 2)
PATHS = {
    "dashboard page": f"/dashboard/?quarter={QUARTER.code}",
    "figure page (trend, by team)": f"/dashboard/figures/good_or_better?quarter={QUARTER.code}",
    "audits behind it (page 1)": f"/dashboard/figures/good_or_better/audits?quarter={QUARTER.code}",
}
REPORT_PATHS = {
    "quarterly report page": f"/reports/quarterly?quarter={QUARTER.code}",
    "quarterly report, Excel": f"/reports/quarterly.xlsx?quarter={QUARTER.code}",
    "quarterly report, CSV": f"/reports/quarterly.csv?quarter={QUARTER.code}",
    "action plan report page": f"/reports/action-plan?quarter={QUARTER.code}",
    "action plan report, Word": f"/reports/action-plan.docx?quarter={QUARTER.code}",
}
DONE = ("completed", "verified_followed_up", "verified_partly")


# -- Actions and dip samples for the county ---------------------------------------------------

def add_actions(seed):
    """About 1.5 actions from each submitted audit, due four weeks after it: most done (on
    time or late), some open, a few cancelled; and every month a practice lead's dip sample
    of 8 cases, checking their done actions. Bulk inserted; returns how many of each."""
    rng = random.Random(seed)
    people = demo_users()
    owner, lead = people["manager"].id, people["practice_lead"].id
    audits = db.session.execute(
        select(Audit.id, Audit.case_id, Audit.auditor_id, Audit.audited_on)
        .where(Audit.status == "submitted").order_by(Audit.id)).all()
    rows = []
    for audit_id, case_id, auditor_id, audited_on in audits:
        for number in range(rng.choice((0, 1, 1, 2, 3))):
            due = audited_on + timedelta(days=28)
            row = {"source": "audit", "audit_id": audit_id, "case_id": case_id,
                   "description": f"Action {number + 1}", "owner_id": owner,
                   "raised_by_id": auditor_id, "raised_on": audited_on, "due_on": due,
                   "priority": "medium", "status": "completed", "completed_on": None,
                   "evidence": None, "completed_by_id": None, "cancel_reason": None}
            chance = rng.random()
            if chance < 0.05:
                row.update(status="cancelled", cancel_reason="Duplicate")
            elif chance < 0.15:
                row["status"] = "open"
            else:
                done = max(audited_on, due + timedelta(days=rng.randint(-20, 12)))
                row.update(completed_on=done, evidence="Case note", completed_by_id=owner)
            rows.append(row)
    ids = insert(Action, rows)
    done_actions = {}  # month checked: {case: its actions done}
    for action_id, row in zip(ids, rows, strict=True):
        if row["status"] == "completed":
            month = (row["completed_on"] + timedelta(days=20)).replace(day=1)
            done_actions.setdefault(month, {}).setdefault(row["case_id"], []).append(action_id)
    months = sorted(done_actions)
    round_ids = insert(DipSampleRound, [
        {"practice_lead_id": lead, "month": month, "size": 8, "window_start": month,
         "window_end": month + timedelta(days=27), "created_by_id": lead} for month in months])
    cases, checks = [], []
    for round_id, month in zip(round_ids, months, strict=True):
        by_case = done_actions[month]
        for position, case_id in enumerate(rng.sample(sorted(by_case), min(8, len(by_case))),
                                           start=1):
            cases.append({"round_id": round_id, "case_id": case_id, "position": position,
                          "reason": "random"})
            checks.append((by_case[case_id], month))
    case_ids = insert(DipSampleCase, cases)
    insert(DipSampleCheck, [
        {"sampled_case_id": case_id, "action_id": action_id,
         "outcome": rng.choices(("followed_up", "partly", "not_followed_up", "not_yet_due"),
                                (70, 15, 10, 5))[0],
         "evidence": "Seen on the record", "impact": "Plan updated",
         "checked_on": month + timedelta(days=rng.randint(0, 25)), "checked_by_id": lead,
         "checked_at": datetime.combine(month, datetime.min.time())}
        for case_id, (action_ids, month) in zip(case_ids, checks, strict=True)
        for action_id in action_ids],
        returning=False)
    return len(rows), sum(len(action_ids) for action_ids, _ in checks)


# -- The floor: one hand-written query per measure ---------------------------------------------

def _quarter_case(column, quarters, params):
    """CASE putting `column` (a date) in its quarter, with its bound values in `params`."""
    whens = []
    for index, quarter in enumerate(quarters):
        params[f"s{index}"], params[f"e{index}"] = quarter.start, quarter.end
        whens.append(f"WHEN {column} BETWEEN :s{index} AND :e{index} THEN '{quarter.code}'")
    return "CASE " + " ".join(whens) + " END"


FINAL = "COALESCE(g.ruled_rank, g.agreed_rank, g.moderator_rank)"
LATEST_OVERALL = f"""(SELECT {{column}} FROM moderation_grades g
    JOIN moderations m ON m.id = g.moderation_id
    WHERE m.audit_id = a.id AND g.item = 'overall' AND m.status = 'submitted'
      AND {FINAL} IS NOT NULL {{compared}}
    ORDER BY m.submitted_at DESC, m.id DESC LIMIT 1)"""
COUNTED = "a.status = 'submitted' AND a.audited_on BETWEEN :start AND :end"


def floor_queries(quarters, quarter):
    """{measure key: (SQL, parameters)}: each returns (group, numerator, denominator) rows."""
    trend = {"start": quarters[0].start, "end": quarters[-1].end}
    one = {"start": quarter.start, "end": quarter.end}
    queries = {}

    params = dict(trend)
    final = LATEST_OVERALL.format(column=FINAL, compared="")
    queries["good_or_better"] = (f"""
        SELECT {_quarter_case('f.audited_on', quarters, params)},
               SUM(CASE WHEN f.final < f.good_or_better THEN 1 ELSE 0 END), COUNT(f.final)
        FROM (SELECT a.audited_on, tv.good_or_better, COALESCE({final}, a.overall_rank) AS final
              FROM audits a JOIN template_versions tv ON tv.id = a.template_version_id
              WHERE {COUNTED}) f
        GROUP BY 1""", params)

    params = dict(trend)
    queries["good_or_better_as_audited"] = (f"""
        SELECT {_quarter_case('a.audited_on', quarters, params)},
               SUM(CASE WHEN a.overall_rank < tv.good_or_better THEN 1 ELSE 0 END),
               COUNT(a.overall_rank)
        FROM audits a JOIN template_versions tv ON tv.id = a.template_version_id
        WHERE {COUNTED}
        GROUP BY 1""", params)

    params = dict(trend)
    compared = "AND g.auditor_rank IS NOT NULL"
    queries["agreement"] = (f"""
        SELECT {_quarter_case('c.audited_on', quarters, params)},
               SUM(CASE WHEN c.auditor_rank = c.final THEN 1 ELSE 0 END), COUNT(*)
        FROM (SELECT a.audited_on,
                     {LATEST_OVERALL.format(column='g.auditor_rank', compared=compared)}
                         AS auditor_rank,
                     {LATEST_OVERALL.format(column=FINAL, compared=compared)} AS final
              FROM audits a
              WHERE {COUNTED}
                AND a.id IN (SELECT audit_id FROM moderations WHERE status = 'submitted')) c
        WHERE c.final IS NOT NULL
        GROUP BY 1""", params)

    params = dict(trend)
    queries["moderation_coverage"] = (f"""
        WITH r AS (SELECT id, quota, {_quarter_case('period_end', quarters, params)} AS quarter
                   FROM moderation_rounds WHERE period_end BETWEEN :start AND :end)
        SELECT q.quarter, COALESCE(m.moderated, 0), q.quota
        FROM (SELECT quarter, SUM(quota) AS quota FROM r GROUP BY quarter) q
        LEFT JOIN (SELECT r.quarter, COUNT(DISTINCT s.audit_id) AS moderated
                   FROM r JOIN moderation_samples s ON s.round_id = r.id
                   JOIN moderations m ON m.sample_id = s.id
                   WHERE m.status = 'submitted' GROUP BY r.quarter) m
          ON m.quarter = q.quarter""", params)

    params = dict(trend, today=today())
    done = "status IN ('" + "', '".join(DONE) + "')"
    queries["actions_on_time"] = (f"""
        SELECT {_quarter_case('due_on', quarters, params)},
               SUM(CASE WHEN {done} AND completed_on <= due_on THEN 1 ELSE 0 END), COUNT(*)
        FROM actions
        WHERE status NOT IN ('proposed', 'cancelled') AND due_on BETWEEN :start AND :end
          AND ({done} OR due_on < :today)
        GROUP BY 1""", params)

    params = dict(trend)
    queries["dip_sample_followed_up"] = (f"""
        SELECT {_quarter_case('checked_on', quarters, params)},
               SUM(CASE WHEN outcome = 'followed_up' THEN 1 ELSE 0 END), COUNT(*)
        FROM dip_sample_checks
        WHERE outcome IN ('followed_up', 'partly', 'not_followed_up')
          AND checked_on BETWEEN :start AND :end
        GROUP BY 1""", params)

    queries["domain_good_or_better"] = (f"""
        WITH latest AS (
            SELECT audit_id, item, final FROM (
                SELECT m.audit_id, g.item, {FINAL} AS final,
                       ROW_NUMBER() OVER (PARTITION BY m.audit_id, g.item
                                          ORDER BY m.submitted_at DESC, m.id DESC) AS n
                FROM moderation_grades g JOIN moderations m ON m.id = g.moderation_id
                JOIN audits a ON a.id = m.audit_id
                WHERE m.status = 'submitted' AND {FINAL} IS NOT NULL AND {COUNTED}) x
            WHERE n = 1)
        SELECT q.domain,
               SUM(CASE WHEN COALESCE(l.final, ans.grade_rank) < tv.good_or_better
                        THEN 1 ELSE 0 END), COUNT(*)
        FROM answers ans JOIN audits a ON a.id = ans.audit_id
        JOIN template_versions tv ON tv.id = a.template_version_id
        JOIN template_questions q ON q.id = ans.question_id
        LEFT JOIN latest l ON l.audit_id = ans.audit_id AND l.item = q.key
        WHERE q.kind = 'graded' AND q.domain IS NOT NULL AND ans.grade_rank IS NOT NULL
          AND {COUNTED}
        GROUP BY q.domain""", dict(one))

    queries["compliance"] = (f"""
        SELECT q.domain, SUM(CASE WHEN ans.value = 'yes' THEN 1 ELSE 0 END), COUNT(*)
        FROM answers ans JOIN audits a ON a.id = ans.audit_id
        JOIN template_questions q ON q.id = ans.question_id
        WHERE q.kind = 'yes_no' AND q.domain IS NOT NULL
          AND ans.value IN ('yes', 'no', 'partly') AND {COUNTED}
        GROUP BY q.domain""", dict(one))
    return queries


def floor(queries):
    """{(measure key, group): (numerator, denominator)} from the hand-written queries."""
    found = {}
    with db.engine.connect() as connection:
        for key, (sql, params) in queries.items():
            for group, numerator, denominator in connection.execute(text(sql), params):
                if denominator:
                    found[(key, group)] = (int(numerator or 0), int(denominator))
    return found


def dashboard_counts(figures):
    """The same {(measure key, group): (numerator, denominator)} from the dashboard's figures."""
    found = {}
    for key, results in figures.trends.items():
        for result in results:
            found[(key, result.period.code)] = (result.figure.numerator,
                                                result.figure.denominator)
    for key, results in figures.by_domain.items():
        for result in results:
            found[(key, result.measure.domain)] = (result.figure.numerator,
                                                   result.figure.denominator)
    return {group: pair for group, pair in found.items() if pair[1]}


# -- Timing ------------------------------------------------------------------------------------

def timed(label, work, repeat):
    """Run `work` once to warm up, then `repeat` times: print the median and best, and the
    SQL statements of the last run. Returns the median in seconds."""
    statements = []

    def count(*_args):
        statements.append(1)

    work()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        times = []
        for _ in range(repeat):
            statements.clear()
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    times.sort()
    median = times[len(times) // 2]
    print(f"  {label:44} queries={len(statements):3}  median={median * 1000:6.0f} ms  "
          f"best={times[0] * 1000:6.0f} ms")
    return median


def run(label, url, seed, scale, repeat, engine_options=None):
    password = secrets.token_urlsafe(16)
    overrides = {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app("testing", overrides)
    with app.app_context():
        upgrade()
        demo.seed(password)
        db.session.commit()
        started = time.perf_counter()
        summary = generate(seed=seed, scale=scale)
        actions, checks = add_actions(seed)
        load_reference_targets()
        load_plan()
        db.session.commit()
        print(f"{label}: loaded {summary}, {actions:,} actions, {checks:,} dip-sample checks "
              f"in {time.perf_counter() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

        client = app.test_client()
        client.post("/sign-in", data={"email": "leader@example.org.uk", "password": password})
        medians = {}
        for name, path in PATHS.items():
            def page(path=path):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            medians[name] = timed(name, page, repeat)

        def figures():
            db.session.expire_all()
            return headline.quarter_figures(QUARTER, Scope(), ALL)

        medians["figures"] = timed("dashboard figures alone (no page)", figures, repeat)
        queries = floor_queries(quarters_ending(QUARTER, headline.TREND_QUARTERS), QUARTER)
        floor_found = floor(queries)
        same = floor_found == dashboard_counts(figures())
        medians["floor"] = timed(f"floor: {len(queries)} hand-written queries, no page",
                                 lambda: floor(queries), repeat)
        print(f"  floor's figures {'equal' if same else 'DIFFER FROM'} the dashboard's "
              f"({len(floor_found)} numerators and denominators)")
        print(f"  dashboard page / floor = {medians['dashboard page'] / medians['floor']:.1f}; "
              f"figures alone / floor = {medians['figures'] / medians['floor']:.1f}")
        if db.engine.dialect.name == "sqlite":
            verdict = "under" if medians["dashboard page"] < 0.2 else "OVER"
            print(f"  dashboard page median {verdict} the 200 ms target on SQLite")
        same = time_report(client, repeat) and same
        db.session.remove()
        db.engine.dispose()
        return same


def time_report(client, repeat):
    """Time the quarterly report and the plan report as the leader gets them, the report's
    figures alone, and its floor; True when the floor's figures equal the report's."""
    # Here, not at the top: the report's floor builds on this module's floor queries.
    from benchmarks.report_floor import figures_match, report_floor, report_floor_queries

    medians = {}
    for name, path in REPORT_PATHS.items():
        def page(path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        medians[name] = timed(name, page, repeat)
    leader = db.session.scalar(select(User).where(User.email == "leader@example.org.uk"))

    def figures():
        db.session.expire_all()
        return quarterly_report(QUARTER, leader, today())

    medians["figures"] = timed("quarterly report's figures alone (no page)", figures, repeat)
    queries = report_floor_queries(QUARTER, today())
    found = report_floor(queries)
    same = figures_match(figures(), found)
    medians["floor"] = timed(f"report floor: {len(queries)} hand-written queries, no page",
                             lambda: report_floor(queries), repeat)
    print(f"  report floor's figures {'equal' if same else 'DIFFER FROM'} the report's "
          f"({len(found)} numbers; the plan and learning entries are records, not in it)")
    print(f"  report page / floor = {medians['quarterly report page'] / medians['floor']:.1f}; "
          f"Excel / floor = {medians['quarterly report, Excel'] / medians['floor']:.1f}; "
          f"figures alone / floor = {medians['figures'] / medians['floor']:.1f}")
    return same


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=9)
    options = parser.parse_args()
    each_database(run, options.seed, options.scale, options.repeat)


if __name__ == "__main__":
    main()
