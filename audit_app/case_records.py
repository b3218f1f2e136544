"""Everything the database holds about one case, found from the models' foreign keys.

A table belongs to a case when it has a foreign key to the case or to a table that does
(audits, their answers and actions, moderations of those audits, their grades and
challenges, ...). Nothing here names those tables: a table added later with such a key is
found by the same rule, so a subject access export (audit_app/subject_access.py) and the
retention rule (audit_app/retention.py) cover it without being told.

The event log is joined by convention: an event's entity_type is its model's name in
snake_case ("audit", "moderation_grade") and entity_id its row's id. Entries about other
records can name the case too (a dip-sample draw lists the references it drew):
`events_naming` finds those.
"""

import json
import re

from sqlalchemy import Text, and_, cast, func, or_, select

from audit_app.extensions import db
from audit_app.models import Event

ROOT = "cases"


def linked_tables():
    """The case table and every table linked to it by foreign keys, parents first."""
    linked = {ROOT}
    grew = True
    while grew:
        grew = False
        for table in db.metadata.sorted_tables:
            if table.name not in linked and any(
                fk.column.table.name in linked for fk in table.foreign_keys
            ):
                linked.add(table.name)
                grew = True
    return [table for table in db.metadata.sorted_tables if table.name in linked]


def _key(table, row):
    return tuple(row[column.name] for column in table.primary_key.columns)


def rows_for_case(case_id):
    """{table name: [row mappings]} of every linked table, for one case.

    Rows are collected until nothing more is found: a row belongs to the case when one of
    its foreign keys points at a row already collected (so an action raised as a follow-up
    of the case's action is found too).
    """
    tables = linked_tables()
    found = {table.name: {} for table in tables}
    root = db.metadata.tables[ROOT]
    for row in db.session.execute(select(root).where(root.c.id == case_id)).mappings():
        found[ROOT][_key(root, row)] = row
    grew = True
    while grew:
        grew = False
        for table in tables:
            conditions = []
            for fk in table.foreign_keys:
                parents = found.get(fk.column.table.name)
                if parents:
                    values = {row[fk.column.name] for row in parents.values()}
                    conditions.append(fk.parent.in_(values))
            if not conditions:
                continue
            for row in db.session.execute(select(table).where(or_(*conditions))).mappings():
                key = _key(table, row)
                if key not in found[table.name]:
                    found[table.name][key] = row
                    grew = True
    return {name: sorted(rows.values(), key=lambda r, t=db.metadata.tables[name]: _key(t, r))
            for name, rows in found.items()}


def entity_type(table_name):
    """The event log's name for a table's rows: its model's class name in snake_case."""
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is not None and mapper.local_table.name == table_name:
            return re.sub(r"(?<!^)(?=[A-Z])", "_", mapper.class_.__name__).lower()
    return None


def events_condition(rows):
    """SQL: the events about any of these rows (from rows_for_case)."""
    conditions = []
    for name, table_rows in rows.items():
        table = db.metadata.tables[name]
        kind = entity_type(name)
        if kind is None or "id" not in table.c or not table_rows:
            continue
        ids = [row["id"] for row in table_rows]
        conditions.append(and_(Event.entity_type == kind, Event.entity_id.in_(ids)))
    return or_(*conditions) if conditions else None


def reference_pattern(reference):
    """The reference as a whole word, whatever its capitals (LCS-1 is not in LCS-10)."""
    return re.compile(rf"(?<![\w-]){re.escape(reference)}(?![\w-])", re.IGNORECASE)


def events_naming(reference, *conditions):
    """Events whose before, after or note names the reference (and meet `conditions`)."""
    key, pattern = reference.lower(), reference_pattern(reference)
    candidates = db.session.scalars(select(Event).where(
        or_(*[func.lower(cast(column, Text)).contains(key, autoescape=True)
              for column in (Event.before, Event.after, Event.note)]), *conditions,
    ).order_by(Event.id)).all()
    return [event for event in candidates if any(
        value is not None and pattern.search(json.dumps(value) if not isinstance(value, str)
                                             else value)
        for value in (event.before, event.after, event.note))]
