"""Where the benchmarks run: a fresh SQLite file, then PostgreSQL when a URL is given.

On PostgreSQL (TEST_DATABASE_URL or DATABASE_URL) each run works in a throwaway schema that
is dropped afterwards, so the database's own tables are never touched.
"""

import os
import secrets
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text


def each_database(run, *args):
    """Call run(name, url, *args[, engine_options]) on SQLite and, if configured, PostgreSQL."""
    with tempfile.TemporaryDirectory() as directory:
        run("sqlite", f"sqlite:///{Path(directory) / 'benchmark.db'}", *args)
    pg_url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if not pg_url.startswith("postgresql"):
        return
    schema = f"benchmark_{secrets.token_hex(4)}"
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        run("postgresql", pg_url, *args,
            {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}})
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
