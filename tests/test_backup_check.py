"""scripts/backup_check.py dumps the PostgreSQL database, restores it into a new one and
compares every table's row count (PostgreSQL only: skipped on SQLite)."""

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from audit_app.extensions import db
from tests import case_history
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup_check.py"

pytestmark = pytest.mark.skipif(not PG_URL, reason="backups are of PostgreSQL: set "
                                                   "TEST_DATABASE_URL to run this")


def load_script():
    spec = importlib.util.spec_from_file_location("backup_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def databases():
    return set(db.session.scalars(text("SELECT datname FROM pg_database")))


def test_a_backup_restores_with_every_row(database_url, users):
    case_history.build(users)
    before = databases()
    result = subprocess.run([sys.executable, str(SCRIPT), database_url], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("Backup restores with every row")
    counted = {line.split()[0]: line.split()[1:] for line in lines[:-1]}
    assert counted["audits"][0] == counted["audits"][1] != "0"
    assert counted["events"][2] == "ok" and int(counted["events"][0]) > 100
    assert all(parts[2] == "ok" for parts in counted.values())
    assert databases() == before  # the restored copy is dropped


def test_a_difference_is_reported_and_fails(database_url, users, monkeypatch):
    script = load_script()
    real = script.row_counts
    calls = []

    def losing_a_row(conn):
        counts = real(conn)
        calls.append(counts)
        if len(calls) == 2:  # the restored copy
            counts["users"] -= 1
        return counts

    monkeypatch.setattr(script, "row_counts", losing_a_row)
    out = io.StringIO()
    assert script.check(database_url, out=out) is False
    assert "users" in out.getvalue() and "DIFFERENT" in out.getvalue()
    assert "Backup check FAILED" in out.getvalue()


def test_a_database_that_cannot_be_reached_fails_with_a_message(database_url, capsys):
    script = load_script()
    assert script.main([database_url.rsplit("/", 1)[0] + "/no_such_database"]) == 1
    assert "Backup check FAILED" in capsys.readouterr().err
