"""Configuration classes, read from the environment.

`create_app()` picks one by `AUDIT_APP_ENV` (development, testing, production);
every setting below can be overridden by the environment variable of the same name.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'audit.db'}"
    )
    # hide_parameters: a database error never quotes the row's values (into a log, say).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Example Borough Council")
    SERVICE_NAME = os.environ.get("SERVICE_NAME", "Case file audit")
    # Sessions end after 30 minutes without a request (checked server-side too).
    IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30")))
    # The cookie outlives the idle timeout so a form posted after a timeout still carries
    # its CSRF token and can be kept while the user signs in again.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_FAILED_LOGINS = 5
    LOCKOUT_PERIOD = timedelta(minutes=15)
    # Refuse request bodies over 10 MB before reading them (CSV uploads are up to 5 MB).
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Where a user is allocated a case from a team they manage: "warn" or "block".
    CONFLICT_OF_INTEREST = os.environ.get("CONFLICT_OF_INTEREST", "warn")
    # Single sign-on with OpenID Connect (audit_app/auth/sso.py); off unless OIDC_ISSUER and
    # OIDC_CLIENT_ID are set. The issuer's discovery document gives everything else.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/") or None
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET")
    OIDC_BUTTON_TEXT = os.environ.get("OIDC_BUTTON_TEXT", "Sign in with your council account")
    # Defaults for the sign-in settings an admin changes at /admin/settings/sign-in:
    # "refuse" or "create" (an account with no role) for someone unknown signing in;
    # "on" or "off" for passwords (off leaves them to the break-glass admin only).
    SSO_UNKNOWN_PEOPLE = os.environ.get("SSO_UNKNOWN_PEOPLE", "refuse")
    LOCAL_PASSWORDS = os.environ.get("LOCAL_PASSWORDS", "on")
    BREAK_GLASS_ADMIN = ""  # a user id; only ever set at /admin/settings/sign-in
    # Years after a case closed that its audits' free text is kept (`apply-retention`);
    # each council sets its own from its retention schedule at /admin/settings/retention.
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "6"))
    # Cases each practice lead dip-samples a month (the reference plan says 8); an admin
    # can change it at /dip-samples/plan.
    DIP_SAMPLE_PLAN = int(os.environ.get("DIP_SAMPLE_PLAN", "8"))
    # Working days to complete an action of each priority when no due date is set.
    ACTION_DUE_DAYS_HIGH = int(os.environ.get("ACTION_DUE_DAYS_HIGH", "5"))
    ACTION_DUE_DAYS_MEDIUM = int(os.environ.get("ACTION_DUE_DAYS_MEDIUM", "20"))
    ACTION_DUE_DAYS_LOW = int(os.environ.get("ACTION_DUE_DAYS_LOW", "40"))
    # Email for notifications, sent by `flask send-email`; unset means home page only.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "case-file-audit@localhost")
    # STARTTLS before anything else is said; the server's certificate must be trusted.
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    # Without SECRET_KEY, `make run` makes a random key on the first run and keeps it here,
    # so nobody can forge a session with a key published in the code.
    SECRET_KEY_FILE = BASE_DIR / "instance" / "secret-key.txt"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-only-not-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 (cheap scrypt for fast tests)


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name=None):
    name = name or os.environ.get("AUDIT_APP_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"AUDIT_APP_ENV={name!r} is not one of: {', '.join(CONFIGS)}"
        ) from None
