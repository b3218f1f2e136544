"""Time helpers. Timestamps are stored as naive UTC so SQLite and PostgreSQL agree."""

from datetime import UTC, datetime


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)
