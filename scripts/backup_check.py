"""Check that a backup of the PostgreSQL database restores: dump it, restore the dump into a
new database, compare every table's row count, then drop the new database.

    .venv/bin/python scripts/backup_check.py [DATABASE_URL] [--keep-dump FILE]

DATABASE_URL defaults to the environment's. Uses the PostgreSQL client programs the README's
backup lines use (pg_dump, pg_restore, createdb, dropdb), so it tests those lines. The
counts are taken in the very snapshot pg_dump dumps (pg_export_snapshot), so people using
the service meanwhile do not make them differ. Exit status 0 when every count matches,
1 when any differs or a step fails. Prints table names and counts only, never rows.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def connection_args(url):
    """libpq's environment and options for the URL (the password through PGPASSWORD)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    options = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        options += ["--username", url.username]
    return env, options


def connect(url, database=None, **options):
    return psycopg.connect(host=url.host or "localhost", port=url.port or 5432,
                           user=url.username, password=url.password,
                           dbname=database or url.database, **options)


def row_counts(conn):
    tables = [name for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
    return {table: conn.execute(sql.SQL("SELECT count(*) FROM public.{}").format(
        sql.Identifier(table))).fetchone()[0] for table in tables}


def run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.strip()}")


def check(database_url, keep_dump=None, out=sys.stdout):
    """Dump, restore into a fresh database, compare counts. True when they all match."""
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise RuntimeError("backup_check.py checks PostgreSQL databases only")
    env, options = connection_args(url)
    fresh = f"{url.database}_restore_check_{secrets.token_hex(4)}"
    folder = Path(tempfile.mkdtemp(prefix="backup-check-"))
    dump = folder / "backup.dump"
    created = False
    try:
        with connect(url) as source:
            # This transaction stays open while pg_dump reads the same snapshot.
            source.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            source.read_only = True
            snapshot = source.execute("SELECT pg_export_snapshot()").fetchone()[0]
            expected = row_counts(source)
            run(["pg_dump", *options, "--format=custom", f"--snapshot={snapshot}",
                 f"--file={dump}", url.database], env)
            source.rollback()
        run(["createdb", *options, fresh], env)
        created = True
        run(["pg_restore", *options, "--no-owner", "--exit-on-error", f"--dbname={fresh}",
             str(dump)], env)
        with connect(url, fresh) as restored:
            got = row_counts(restored)
        if keep_dump:
            shutil.copyfile(dump, keep_dump)
    finally:
        if created:
            run(["dropdb", *options, fresh], env)
        shutil.rmtree(folder, ignore_errors=True)
    width = max(map(len, expected | got), default=5)
    matches = True
    for table in sorted(expected.keys() | got.keys()):
        want, have = expected.get(table), got.get(table)
        same = want == have
        matches &= same
        print(f"{table:<{width}}  {want!s:>9}  {have!s:>9}  {'ok' if same else 'DIFFERENT'}",
              file=out)
    print(f"{'Backup restores with every row' if matches else 'Backup check FAILED'}: "
          f"{len(expected)} tables, {sum(expected.values())} rows dumped; "
          f"{sum(got.values())} restored.", file=out)
    return matches


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", nargs="?", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep-dump", help="also keep the dump in this file")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give DATABASE_URL (as an argument or in the environment)")
    try:
        return 0 if check(args.database_url, args.keep_dump) else 1
    except (RuntimeError, psycopg.Error) as error:
        print(f"Backup check FAILED: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
