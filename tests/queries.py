"""Counting the SQL statements a piece of work sends, for the tests that keep a page's or a
figure's statements flat as the data grows."""

from sqlalchemy import event

from audit_app.extensions import db


def statements(work):
    """How many statements `work()` sends to the database."""
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)
