"""Shared fixtures: an app on a freshly migrated database, a checking test client, users.

The schema always comes from the Alembic migrations, as in production. SQLite: the
migrations run once into a template file that each test copies. PostgreSQL (set
TEST_DATABASE_URL=postgresql+psycopg://...): they run once per session and each test
starts from truncated tables.
"""

import os
import re
import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from audit_app import create_app
from audit_app.extensions import db
from tests.pages import CheckingClient

TEST_PASSWORD = "correct-horse-battery"
PG_URL = os.environ.get("TEST_DATABASE_URL")


def _make_app(url, **overrides):
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, **overrides})


def reset_postgres_schema(url):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once: a SQLite template file, or the PostgreSQL test database."""
    if PG_URL:
        reset_postgres_schema(PG_URL)
        url = PG_URL
    else:
        path = tmp_path_factory.mktemp("db") / "template.db"
        url = f"sqlite:///{path}"
    app = _make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _truncate_all(url):
    engine = create_engine(url)
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    if tables:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    if PG_URL:
        _truncate_all(PG_URL)
        return PG_URL
    path = tmp_path / "test.db"
    shutil.copy(re.sub(r"^sqlite:///", "", database_template), path)
    return f"sqlite:///{path}"


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
    from audit_app import demo

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


# Real concurrent requests against a live server (see tests/concurrency.py).
from tests.concurrency import live_app  # noqa: E402,F401
