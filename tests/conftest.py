"""Shared fixtures: an app on a freshly migrated database, a checking test client, users.

The schema always comes from the Alembic migrations, as in production. Each test process
(each pytest-xdist worker) has its own database: a SQLite file, or on PostgreSQL the
database named by TEST_DATABASE_URL=postgresql+psycopg://... with the worker's id appended
(`audit_test_gw0`, created when missing). Once per process the migrations run and two
snapshots are kept: "migrated" (empty tables) and "seeded" (the demo organisation and one
user per role, password TEST_PASSWORD). Each test starts from a snapshot: "seeded" when it
uses `users` or `live_server`, so the demo organisation is built once, not per test.
"""

import os
import shutil

import pytest
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, inspect, make_url, text

from audit_app import create_app, demo
from audit_app.extensions import db
from tests.pages import CheckingClient

TEST_PASSWORD = "correct-horse-battery"
PG_URL = os.environ.get("TEST_DATABASE_URL")
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ... under pytest-xdist
SEEDED_BY = {"users", "live_server"}  # fixtures that start from the demo organisation


class SharedTemplateCode(BytecodeCache):
    """Compiled Jinja templates kept for the whole run.

    Each test has a new app, so a new Jinja environment; without this each one would parse
    and compile the GOV.UK macros and every page template again. The cache is keyed by the
    template's source checksum, so an edited template is compiled afresh.
    """

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


def skip_disk_flush(dbapi_connection, _connection_record):
    """Test databases need not survive a power cut: commit without waiting for the disk."""
    cursor = dbapi_connection.cursor()
    if dbapi_connection.__class__.__module__.startswith("sqlite3"):
        cursor.execute("PRAGMA synchronous = OFF")
    else:
        cursor.execute("SET synchronous_commit = off")
        dbapi_connection.commit()
    cursor.close()


def _make_app(url, **overrides):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, **overrides})
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    with app.app_context():
        event.listen(db.engine, "connect", skip_disk_flush)
    return app


def reset_postgres_schema(url):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def worker_postgres_url(url):
    """This worker's own database beside TEST_DATABASE_URL's, created when missing."""
    if WORKER is None:
        return url
    url = make_url(url)
    name = f"{url.database}_{WORKER}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


class SqliteSnapshots:
    """Snapshots as copies of the database file; each test gets its own copy."""

    def __init__(self, folder):
        self.folder = folder
        self.url = f"sqlite:///{folder / 'work.db'}"

    def prepare(self):
        pass

    def take(self, name):
        shutil.copyfile(self.folder / "work.db", self.folder / f"{name}.db")

    def restore(self, name, tmp_path):
        path = tmp_path / "test.db"
        shutil.copyfile(self.folder / f"{name}.db", path)
        return f"sqlite:///{path}"


class PostgresSnapshots:
    """Snapshots as copies of every table in a schema of their own, `snapshot_<name>`.

    Restoring deletes every row and copies the snapshot's rows back, with the sequences set
    as they were, in one transaction: far quicker than TRUNCATE, which replaces each table's
    files. `session_replication_role = replica` switches off the foreign key and append-only
    triggers meanwhile, so it needs a superuser (as the CI's postgres user is).
    """

    def __init__(self, url):
        self.url = url
        self.engine = create_engine(url)
        self.restore_sql = {}

    def prepare(self):
        with self.engine.begin() as conn:
            for schema in conn.scalars(text(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'snapshot\\_%'"
            )):
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        reset_postgres_schema(self.url)

    def take(self, name):
        # Table and sequence names come from the database's own catalogue (hence the noqa).
        schema = f"snapshot_{name}"
        tables = [t for t in inspect(self.engine).get_table_names() if t != "alembic_version"]
        statements = [f"DELETE FROM public.{table}" for table in tables]  # noqa: S608
        with self.engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
            for table in tables:
                copy = f"{schema}.{table}"
                conn.execute(text(f"CREATE TABLE {copy} AS TABLE public.{table}"))
                if conn.scalar(text(f"SELECT EXISTS (TABLE {copy})")):
                    statements.append(
                        f"INSERT INTO public.{table} OVERRIDING SYSTEM VALUE TABLE {copy}"
                    )
            sequences = conn.execute(text(
                "SELECT sequencename, start_value, last_value FROM pg_sequences "
                "WHERE schemaname = 'public'"
            ))
            for sequence, start, last in sequences:
                value, called = (start, "false") if last is None else (last, "true")
                statements.append(f"SELECT setval('public.{sequence}', {value}, {called})")
        self.restore_sql[name] = ";\n".join(statements)

    def restore(self, name, tmp_path):
        with self.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(self.restore_sql[name]))
        return self.url


@pytest.fixture(scope="session")
def database_snapshots(tmp_path_factory):
    """Migrate this process's database once and snapshot it empty and seeded."""
    if PG_URL:
        snapshots = PostgresSnapshots(worker_postgres_url(PG_URL))
    else:
        snapshots = SqliteSnapshots(tmp_path_factory.mktemp("db"))
    snapshots.prepare()
    app = _make_app(snapshots.url)
    with app.app_context():
        upgrade()
        snapshots.take("migrated")
        demo.seed(TEST_PASSWORD)
        db.session.commit()
        snapshots.take("seeded")
        db.session.remove()
        db.engine.dispose()
    yield snapshots
    if PG_URL:
        snapshots.engine.dispose()


@pytest.fixture
def database_url(database_snapshots, tmp_path, request):
    """This test's database, fresh from the "seeded" or the "migrated" snapshot."""
    seeded = not SEEDED_BY.isdisjoint(request.fixturenames)
    return database_snapshots.restore("seeded" if seeded else "migrated", tmp_path)


@pytest.fixture
def app(database_url):
    app = _make_app(database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    app.test_client_class = CheckingClient
    return app.test_client()


@pytest.fixture
def users(app):
    """The demo organisation and one user per role, keyed by role name."""
    if demo.is_empty():  # requested late, by request.getfixturevalue: not in the snapshot
        demo.seed(TEST_PASSWORD)
        db.session.commit()
    return demo_users_by_role()


def demo_users_by_role():
    """The demo users keyed by the role each stands for."""
    from audit_app.models import User

    by_email = {u.email.split("@")[0]: u for u in db.session.scalars(db.select(User))}
    return {
        "admin": by_email["admin"],
        "auditor": by_email["auditor"],
        "moderator": by_email["moderator"],
        "practice_lead": by_email["practicelead"],
        "manager": by_email["manager"],
        "leader": by_email["leader"],
    }


@pytest.fixture
def login(client, users):
    """login("auditor") signs the test client in as the demo user with that role."""

    def sign_in(role):
        user = users[role]
        response = client.submit(
            "/sign-in", {"email": user.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 302, response.text
        return user

    return sign_in



def pytest_terminal_summary(terminalreporter):
    """The hostile-input test's count (tests/test_hostile_inputs.py), summed over its roles
    and over the test processes."""
    totals, failed = {}, 0
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, ()):
            properties = [p for p in getattr(report, "user_properties", ())
                          if p[0].startswith("hostile_")]
            failed += bool(properties) and outcome == "failed"
            for name, value in properties:
                totals[name] = totals.get(name, 0) + value
    if totals:
        terminalreporter.write_line(
            f"Hostile inputs on {'PostgreSQL' if PG_URL else 'SQLite'}: "
            f"{totals['hostile_cases']:,} cases in {totals['hostile_requests']:,} requests, "
            f"{totals['hostile_seconds']:.0f} s of CPU; "
            + (f"{failed} role(s) met a server error" if failed else "no server error"))


# Real concurrent requests against a live server (see tests/concurrency.py), and a real SMTP
# server for email tests (see tests/smtp_server.py).
from tests.concurrency import live_app  # noqa: E402,F401
from tests.smtp_server import smtp_certificate, smtp_server  # noqa: E402,F401
