"""Flask extensions, created unbound and initialised in create_app()."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()


# How long a SQLite writer waits for another to commit before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def wait_for_sqlite_writers(engine):
    """SQLite has one writer at a time: make a second wait for the first to commit (up to
    30 seconds) rather than fail with "database is locked". A transaction begins at its
    first write (pysqlite's default), so a waiting writer holds no lock the first needs;
    which of two edits wins is then decided by the row-version UPDATE (versioning.py)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_busy_timeout)


def _set_busy_timeout(dbapi_connection, _connection_record):
    dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def skip_postgresql_jit(engine):
    """PostgreSQL compiles a query to machine code (JIT) when its estimated cost is high.
    The figures' queries look up each moderated audit's latest grade with a correlated
    subquery, which the planner costs per row though it runs only for moderated audits:
    at a large county's scale it spent 0.2 to 3 seconds compiling queries that then ran in
    tens of milliseconds (benchmarks/measures.py). JIT pays off for long analytical scans,
    which this service does not run, so it is off for its connections."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _jit_off)


def _jit_off(dbapi_connection, _connection_record):
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()
