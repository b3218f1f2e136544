"""How fast the case register's CSV import is.

    .venv/bin/python benchmarks/import_cases.py [--rows 10000]

Generates a file of N rows, migrates a fresh SQLite database in a temporary directory,
loads the demo teams, and imports the file twice: the first import creates every case, the
second updates every case. With TEST_DATABASE_URL (or DATABASE_URL) set to a PostgreSQL URL
it does the same there, inside a throwaway schema that is dropped afterwards, so the
database's own tables are never touched.
"""

import argparse
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from audit_app import create_app, demo  # noqa: E402
from audit_app.cases import importer  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from benchmarks.databases import each_database  # noqa: E402

TEAMS = ["Crewe CIN/CP", "Macclesfield CIN/CP", "Cared for Children", "Care Leavers",
         "Children with Disabilities", "Fostering"]
COHORTS = ["child_in_need", "Child protection;PLO", "cared_for", "care_leaver;Cared for",
           "children_with_disabilities;child_in_need", "private_fostering"]


def generate(rows):
    """A CSV file of `rows` cases, some closed, with cohorts by key and by label."""
    lines = ["reference,team,cohorts,opened_on,closed_on"]
    for n in range(rows):
        month = n % 12 + 1
        closed = f"2025-{month:02d}-28" if n % 4 == 0 else ""
        # Half the dates as UK Excel writes them, half ISO.
        opened = f"{n % 28 + 1:02d}/{month:02d}/2023" if n % 2 else f"2024-{month:02d}-01"
        lines.append(f"{1_000_000 + n},{TEAMS[n % 6]},{COHORTS[n % 6]},{opened},{closed}")
    return ("\r\n".join(lines) + "\r\n").encode()


def run(label, url, data, engine_options=None):
    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    if engine_options:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app("testing", overrides)
    with app.app_context():
        upgrade()
        demo.seed(secrets.token_urlsafe(16))
        db.session.commit()
        rows = data.count(b"\n") - 1
        for attempt in ("create", "update"):
            started = time.perf_counter()
            result = importer.import_cases(data, "benchmark.csv", max_bytes=None)
            db.session.commit()
            seconds = time.perf_counter() - started
            print(f"{label:10} {attempt:6} rows={rows} seconds={seconds:.2f} "
                  f"rows/s={rows / seconds:,.0f} ({result})")
        db.session.remove()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    rows = parser.parse_args().rows
    data = generate(rows)
    print(f"file: {rows} rows, {len(data) / 1024:.0f} KB")
    each_database(run, data)

if __name__ == "__main__":
    main()
