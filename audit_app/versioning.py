"""Row versions: how two people changing the same record never overwrite each other.

Every versioned record has a `row_version`. A form carries the version it was rendered
from (`seen`); saving it is one conditional UPDATE in the database,

    UPDATE <table> SET row_version = row_version + 1 WHERE id = :id AND row_version = :seen

and no row changed means someone saved first: `EditConflict`, and the caller rolls the
whole request back. The database does the compare-and-increment, so of two requests that
started from the same version exactly one wins on SQLite and on PostgreSQL alike (the
second one's UPDATE waits for the first to commit, then finds the version moved on).
Changing a child row (an answer, a recommendation) claims the parent the same way, so the
parent's version stands for everything under it.

Why not SQLAlchemy's version_id_col: it compares with the version the request loaded, not
the one the user's form was rendered from, and it only fires when the row itself is
dirty; saving answers changes only child rows.
"""

from sqlalchemy import inspect, update
from sqlalchemy.orm.attributes import set_committed_value

from audit_app.extensions import db
from audit_app.inputs import DB_INT_MAX


class EditConflict(Exception):
    """Someone else saved this record since the form was opened."""


def claim(record, seen, *conditions):
    """Move `record` from version `seen` to the next, in one UPDATE; else EditConflict.

    `conditions` are further SQL conditions the row must meet at that moment (an audit
    still a draft, say): they are checked by the same statement, so they cannot go stale.
    A missing or malformed `seen` is a conflict: the form did not say what it changed.
    """
    try:
        seen = int(seen)
    except (TypeError, ValueError):
        raise EditConflict() from None
    if not 0 <= seen <= DB_INT_MAX:  # no such version (SQLite cannot even compare past 2^63)
        raise EditConflict()
    if not bump(record, type(record).row_version == seen, *conditions):
        raise EditConflict()
    return record.row_version


def bump(record, *conditions):
    """Add one to `record`'s version if the row meets `conditions`; False if it does not.

    For changes that are not edits of a form the user saw (adding a recommendation):
    later saves of forms rendered before it then conflict, and the row is locked against
    other writers until this transaction ends.
    """
    model = type(record)
    mapper = inspect(model)
    identity = inspect(record).identity
    key = [column == value for column, value in zip(mapper.primary_key, identity, strict=True)]
    new_version = db.session.execute(
        update(model)
        .where(*key, *conditions)
        .values(row_version=model.row_version + 1)
        .returning(model.row_version)
        .execution_options(synchronize_session=False)
    ).scalar()
    if new_version is None:
        return False
    # What the database now holds; not a change for the session to write back.
    set_committed_value(record, "row_version", new_version)
    return True
