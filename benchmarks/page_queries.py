"""SQL statements and time per page as the data grows tenfold.

    .venv/bin/python benchmarks/page_queries.py

Migrates a fresh SQLite database in a temporary directory, loads the demo (organisation,
built-in templates and the demo activity), renders the main pages as the user who works on
them and counts the SQL statements each makes; then loads ten times as much activity
(more cases, audits, moderations) and does it again. A page whose count grows with the data
has an N+1 query to fix.
"""

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from audit_app import create_app, demo  # noqa: E402
from audit_app.demo_activity import demo_users, seed_activity  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import (  # noqa: E402
    Action,
    Audit,
    AuditTemplate,
    DipSampleCase,
    DipSampleRound,
    ModerationRound,
    Programme,
)

PASSWORD = "benchmark-password"  # noqa: S105 (a throwaway database)


def pages():
    audit = db.session.scalar(select(Audit).where(Audit.status == "submitted"))
    draft = db.session.scalar(select(Audit).where(
        Audit.status == "in_progress", Audit.auditor_id == demo_users()["auditor"].id))
    round_ = db.session.scalar(select(ModerationRound))
    programme = db.session.scalar(select(Programme))
    return list(dict.fromkeys([  # each page once: the action pages include two home pages
        ("auditor", "/"),
        ("auditor", "/audits/"),
        ("auditor", f"/audits/{draft.id}"),
        ("auditor", f"/audits/{draft.id}/sections/1"),
        ("auditor", f"/audits/{draft.id}/check"),
        ("auditor", "/moderation/feedback"),
        ("manager", "/"),
        ("moderator", "/"),
        ("moderator", f"/audits/{audit.id}"),
        ("moderator", "/cases/"),
        ("moderator", f"/programmes/{programme.id}"),
        ("moderator", f"/moderation/rounds/{round_.id}"),
        ("moderator", "/moderation/rounds"),
        ("moderator", "/reports/agreement"),
        ("admin", "/admin/events"),
        *action_pages(),
        *dip_sample_pages(),
    ]))


def action_pages():
    """The action lists and the pages that show actions (tests/test_page_queries.py)."""
    manager = demo_users()["manager"]
    action = db.session.scalar(select(Action).where(Action.owner_id == manager.id)
                               .order_by(Action.id))
    return [
        ("manager", "/"),
        ("manager", "/actions/"),
        ("manager", "/actions/?show=all"),
        ("manager", "/actions/team"),
        ("manager", f"/actions/{action.id}"),
        ("auditor", "/actions/raised"),
        ("auditor", f"/audits/{action.audit_id}"),
        ("moderator", "/"),
        ("moderator", "/actions/all"),
        ("moderator", "/actions/all?status=open&overdue=y"),
        ("admin", "/actions/reassign"),
        ("admin", f"/actions/reassign?owner={manager.id}"),
    ]


def dip_sample_pages():
    """The dip-sample lists and pages (tests/test_page_queries.py)."""
    first, *_ = db.session.scalars(select(DipSampleRound).order_by(DipSampleRound.id)).all()
    sampled = db.session.scalar(select(DipSampleCase).where(DipSampleCase.round_id == first.id)
                                .order_by(DipSampleCase.id))
    return [
        ("practicelead", "/"),
        ("practicelead", "/dip-samples/"),
        ("practicelead", f"/dip-samples/{first.id}"),
        ("practicelead", f"/dip-samples/cases/{sampled.id}"),
        ("moderator", "/dip-samples/coverage"),
        ("leader", "/dip-samples/coverage?quarter=2026-Q3"),
    ]


def grow(template, batches=9):
    """Nine more batches of the demo activity: ten times the data."""
    for batch in range(1, batches + 1):
        seed_activity(template, demo_users(), seed=batch, case_count=60, audit_count=14,
                      first_reference=200000 + batch * 1000, name=f"Batch {batch}")


def measure(app, wanted=pages, password=PASSWORD):
    """{(role, area, path): (statements, seconds)} for the second render of each page."""
    counts = {}
    with app.app_context():
        wanted = wanted()
        engine = db.engine
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(1))
    for role, path in wanted:
        client = app.test_client()
        client.post("/sign-in", data={"email": f"{role}@example.org.uk", "password": password})
        client.get(path)  # the first render also compiles templates: time the second
        statements.clear()
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        counts[(role, path.split("/")[1] or "home", path)] = (len(statements), elapsed)
    return counts


def main():
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                                     "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
        with app.app_context():
            upgrade()
            demo.seed(PASSWORD)
            template = db.session.scalar(
                select(AuditTemplate).where(AuditTemplate.slug == "whole-case-file"))
            seed_activity(template, demo_users())
            db.session.commit()
            small = db.session.scalar(select(db.func.count(Audit.id)))
        before = measure(app)
        with app.app_context():
            grow(db.session.scalar(
                select(AuditTemplate).where(AuditTemplate.slug == "whole-case-file")))
            db.session.commit()
            large = db.session.scalar(select(db.func.count(Audit.id)))
        after = measure(app)
        print(f"{'page (queries and ms per render)':<44} {'queries':>16} {'ms':>16}")
        print(f"{'audits in the database':<44} {small:>8}{large:>8} {small:>8}{large:>8}")
        grew = []
        for key, (queries, seconds) in before.items():
            role, _, path = key
            queries_after, seconds_after = after[key]
            label = f"{role} {path}"
            print(f"{label:<44} {queries:>8}{queries_after:>8} "
                  f"{seconds * 1000:>8.0f}{seconds_after * 1000:>8.0f}")
            if queries_after != queries:
                grew.append(label)
        print("query counts flat as data grew tenfold" if not grew
              else f"query counts grew on: {', '.join(grew)}")
        return 1 if grew else 0


if __name__ == "__main__":
    sys.exit(main())
