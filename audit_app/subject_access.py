"""A subject access export: everything the tool holds about one case, as a ZIP.

For each table linked to the case (audit_app/case_records.py: audits, answers, moderations,
actions, escalations, responses, ... and any table added later with a foreign key to them)
a CSV file, plus the event log's entries about those rows; and the same as one JSON file
for anyone processing it by machine. Staff appear by their user id, as the tables hold them.
Making one is recorded in the event log.
"""

import json
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from audit_app import case_records
from audit_app.downloads import csv_text
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import Event
from audit_app.timeutil import utcnow

README = """Subject access export from {service} ({council})
Case: {reference} (case number {case_id} in the tool)
Made: {made} (UTC) by user {actor_id}

Each CSV file is one table of the tool's database, holding only the rows about this case;
case.json holds the same as JSON. events.csv lists what the tool's event log recorded
about those rows, and the entries about other records that name the case (such as a dip
sample drawn from several cases). People who work for the council appear by their user id.

A cell starting with ' had it added so that a spreadsheet shows it as text, not a formula.
"""


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def case_export(case, actor):
    """{file name: text} for the ZIP; records the export in the event log (caller commits)."""
    rows = case_records.rows_for_case(case.id)
    condition = case_records.events_condition(rows)
    events_table = Event.__table__
    about = set() if condition is None else set(db.session.scalars(
        select(Event.id).where(condition)))
    naming = {event.id for event in case_records.events_naming(case.reference)}
    events = list(db.session.execute(select(events_table).where(
        events_table.c.id.in_(about | naming)).order_by(events_table.c.id)).mappings())
    tables = {**rows, "events": events}
    files = {"README.txt": README.format(
        service=current_app.config["SERVICE_NAME"], council=current_app.config["COUNCIL_NAME"],
        reference=case.reference, case_id=case.id, made=utcnow().isoformat(timespec="seconds"),
        actor_id=actor.id)}
    for name, table_rows in tables.items():
        columns = [column.name for column in db.metadata.tables[name].columns]
        files[f"{name}.csv"] = csv_text(columns, [[row[c] for c in columns] for row in table_rows])
    files["case.json"] = json.dumps(
        {name: [{k: _json_value(v) for k, v in row.items()} for row in table_rows]
         for name, table_rows in tables.items()}, indent=2, default=str)
    record("case", case.id, "subject_access_export",
           after={name: len(table_rows) for name, table_rows in tables.items()}, actor=actor)
    return files
