"""How long the measures take at a large county's scale, and how many queries they make.

    .venv/bin/python benchmarks/measures.py [--scale 1.0] [--seed 2015]

Migrates a fresh SQLite database in a temporary directory, loads the demo organisation and
bulk-loads a large county's ten years (benchmarks/large_county.py: 25,000 audits, about
735,000 answers, 3,000 moderations at scale 1), then times every measure of one quarter and
of one financial year, for the whole council and by team, and the agreement report for the
same periods, counting SQL statements for each. With TEST_DATABASE_URL (or DATABASE_URL) set
to a PostgreSQL URL it does the same there, inside a throwaway schema dropped afterwards,
after VACUUM ANALYZE (as autovacuum does after a load this size: statistics for the planner,
and the visibility map that lets it read the answers' indexes alone); SQLite is timed as the
app runs it, without statistics. The machine's load average is printed beside the times.
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from audit_app import create_app, demo  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.measures.agreement import Scope, agreement_report  # noqa: E402
from audit_app.measures.compute import compute  # noqa: E402
from audit_app.measures.periods import FinancialYear, Quarter  # noqa: E402
from benchmarks.databases import each_database  # noqa: E402
from benchmarks.large_county import generate  # noqa: E402

QUARTER, YEAR = Quarter(2022, 2), FinancialYear(2022)


def timed(label, work, repeat=5):
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        times = []
        for _ in range(repeat):
            statements.clear()
            db.session.expire_all()
            started = time.perf_counter()
            found = work()
            times.append(time.perf_counter() - started)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    times.sort()
    print(f"  {label:48} figures={found:4} queries={len(statements):2} "
          f"median={times[len(times) // 2] * 1000:7.0f} ms  best={times[0] * 1000:7.0f} ms")


def run(label, url, seed, scale, engine_options=None):
    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app("testing", overrides)
    with app.app_context():
        upgrade()
        demo.seed(secrets.token_urlsafe(16))
        db.session.commit()
        started = time.perf_counter()
        summary = generate(seed=seed, scale=scale)
        print(f"{label}: loaded {summary} in {time.perf_counter() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for period in (QUARTER, YEAR):
            name = period.code
            timed(f"all measures, {name}, whole council", lambda p=period: len(compute(p)))
            timed(f"all measures, {name}, by team",
                  lambda p=period: len(compute(p, by="team")))
            scope = Scope(start=period.start, end=period.end)
            timed(f"agreement report, {name}",
                  lambda s=scope: agreement_report(s).overall.figure.denominator)
        db.session.remove()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--scale", type=float, default=1.0)
    options = parser.parse_args()
    each_database(run, options.seed, options.scale)


if __name__ == "__main__":
    main()
