"""How fast the historical results import is.

    .venv/bin/python benchmarks/import_results.py [--rows 25000]

Writes a CSV file of N audits on the built-in whole case file template (19 questions) from
ten years of a county's spreadsheets: about 18,000 cases, 150 auditors and 6 moderators with
no accounts yet, one row in eight moderated, dates in both formats. Then, on a freshly
migrated SQLite database in a temporary directory with the demo organisation loaded, imports
it (the target: under 20 seconds) and imports it again (which changes nothing). With
TEST_DATABASE_URL (or DATABASE_URL) set to a PostgreSQL URL it does the same there, in a
throwaway schema that is dropped afterwards.
"""

import argparse
import csv
import io
import json
import random
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from audit_app import create_app, demo  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.results_import.service import import_results  # noqa: E402
from benchmarks.databases import each_database  # noqa: E402

TEAMS = [team for teams in demo.SERVICES.values() for team in teams]
GRADES = ["Outstanding", "Good", "Good", "RI", "Requires improvement to be good", "Inadequate"]
ANSWERS = ["Yes", "yes", "No", "Partly", "N/A", ""]
FIRST_DAY, DAYS = date(2015, 4, 1), 3650
TEMPLATE = json.loads(
    (ROOT / "audit_app/audit_templates/builtin/whole-case-file.json").read_text())
QUESTIONS = [(q["key"], q["kind"]) for s in TEMPLATE["sections"] for q in s["questions"]]
GRADED = [key for key, kind in QUESTIONS if kind == "graded"]


def generate(rows, seed=2015):
    """The CSV file's bytes: the same file from the same seed."""
    rng = random.Random(seed)
    auditors = [f"auditor.{n}@county.gov.uk" for n in range(150)]
    moderators = [f"moderator.{n}@county.gov.uk" for n in range(6)]
    header = ["case_reference", "team", "template", "auditor", "audited_on", "overall",
              *(key for key, _kind in QUESTIONS), "moderator", "moderated_on",
              "moderated_overall", *(f"moderated_{key}" for key in GRADED)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for n in range(rows):
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        row = {"case_reference": f"LCS-{rng.randrange(18_000):06d}",
               "team": rng.choice(TEAMS), "template": "whole-case-file",
               # One auditor per row number: no two rows are the same audit.
               "auditor": auditors[n % len(auditors)],
               "audited_on": day.isoformat() if n % 2 else day.strftime("%d/%m/%Y"),
               "overall": rng.choice(GRADES)}
        for key, kind in QUESTIONS:
            row[key] = {"graded": lambda: rng.choice(GRADES),
                        "yes_no": lambda: rng.choice(ANSWERS),
                        "date": lambda d=day: (d - timedelta(days=rng.randrange(400)))
                        .isoformat()}[kind]()
        if n % 8 == 0:
            row.update(moderator=rng.choice(moderators),
                       moderated_on=(day + timedelta(days=rng.randrange(1, 60))).isoformat(),
                       moderated_overall=rng.choice(GRADES))
            for key in rng.sample(GRADED, 3):
                row[f"moderated_{key}"] = rng.choice(GRADES)
        writer.writerow([row.get(name, "") for name in header])
    # Dates after today would be refused; the generated ones end in March 2025.
    return out.getvalue().encode()


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
        for attempt in ("import", "again"):
            started, cpu = time.perf_counter(), time.process_time()
            report = import_results(data, "benchmark.csv")
            db.session.commit()
            seconds = time.perf_counter() - started
            # This process's CPU time beside the wall clock: on a busy machine they differ.
            print(f"{label:10} {attempt:6} rows={rows} seconds={seconds:.2f} "
                  f"cpu={time.process_time() - cpu:.2f} rows/s={rows / seconds:,.0f} "
                  f"({report})")
        db.session.remove()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=25_000)
    rows = parser.parse_args().rows
    data = generate(rows)
    print(f"file: {rows} rows, {len(data) / 1024 / 1024:.1f} MB")
    each_database(run, data)


if __name__ == "__main__":
    main()
