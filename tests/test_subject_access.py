"""Subject access: an admin downloads everything held about one case as a ZIP of CSV and JSON,
found from the models (a table added later is included), escaped for spreadsheets, logged."""

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, Text, insert, select

from audit_app import case_records
from audit_app.extensions import db
from audit_app.models import Audit, Event
from tests import case_history


@pytest.fixture
def history(users):
    return case_history.build(users)


def download(client, reference):
    return client.submit("/admin/subject-access", {"reference": reference})


def unzip(response):
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def csv_rows(files, name):
    return list(csv.DictReader(io.StringIO(files[name])))


def test_the_export_holds_every_record_of_the_case_and_no_other(client, login, history):
    admin = login("admin")
    files = unzip(download(client, history.case.reference.lower()))  # any capitals
    expected = {"cases", "case_cohorts", "audits", "answers", "audit_responses", "escalations",
                "moderation_samples", "moderations", "moderation_grades", "challenges",
                "actions", "events"}
    exported = {n.removesuffix(".csv") for n in files if n.endswith(".csv")}
    assert exported >= expected  # and any other table linked to a case (dip samples, ...)
    assert exported == {t.name for t in case_records.linked_tables()} | {"events"}
    assert {"README.txt", "case.json"} <= set(files)
    (case_row,) = csv_rows(files, "cases.csv")
    assert case_row["reference"] == history.case.reference
    audits = csv_rows(files, "audits.csv")
    audit_ids = {int(a["id"]) for a in audits}
    assert history.audit.id in audit_ids  # and any other audit of the case (a dip sample's)
    assert {int(a["case_id"]) for a in audits} == {history.case.id}
    assert audit_ids == set(db.session.scalars(select(Audit.id).where(
        Audit.case_id == history.case.id)))
    assert {int(a["audit_id"]) for a in csv_rows(files, "actions.csv")} <= audit_ids
    answers = csv_rows(files, "answers.csv")
    assert {int(a["audit_id"]) for a in answers} <= audit_ids
    assert sum(int(a["audit_id"]) == history.audit.id for a in answers) == len(
        history.audit.answers)
    assert [int(m["id"]) for m in csv_rows(files, "moderations.csv")] == [history.moderation.id]
    assert len(csv_rows(files, "moderation_grades.csv")) == len(history.moderation.grades)
    for name in ("challenges", "escalations", "audit_responses"):
        assert case_history.KESTREL in files[f"{name}.csv"], name
    # The event log's entries about these rows, and no one else's.
    events = csv_rows(files, "events.csv")
    kinds = {(e["entity_type"], e["entity_id"]) for e in events}
    assert ("audit", str(history.audit.id)) in kinds
    assert ("moderation", str(history.moderation.id)) in kinds
    assert {kind for kind, _ in kinds} >= {"audit", "action", "moderation", "escalation",
                                           "challenge"}
    other_audits = {str(a) for a in db.session.scalars(select(Event.entity_id).where(
        Event.entity_type == "audit", Event.entity_id.not_in(audit_ids)))}
    assert not any(k == "audit" and i in other_audits for k, i in kinds)
    # The same as JSON; and the download itself is logged.
    data = json.loads(files["case.json"])
    assert data["audits"][0]["id"] == history.audit.id
    assert len(data["events"]) == len(events)
    logged = db.session.scalar(select(Event).where(Event.action == "subject_access_export"))
    assert (logged.entity_type, logged.entity_id, logged.actor_id) == (
        "case", history.case.id, admin.id)
    assert logged.after["audits"] == len(audit_ids)


def test_text_that_a_spreadsheet_would_run_is_escaped(client, login, history):
    login("admin")
    files = unzip(download(client, history.case.reference))
    descriptions = [row["description"] for row in csv_rows(files, "actions.csv")]
    assert "'" + case_history.FORMULA in descriptions
    assert not any(cell.startswith("=") for row in csv.reader(io.StringIO(files["actions.csv"]))
                   for cell in row)


def test_a_table_added_later_is_found_from_its_foreign_key(client, login, history):
    """A table nobody told the export about (as dip samples will be): found and exported."""
    notes = Table("zz_case_notes", db.metadata, Column("id", Integer, primary_key=True),
                  Column("audit_id", ForeignKey("audits.id")), Column("note", Text))
    try:
        notes.create(db.engine)
        db.session.execute(insert(notes).values(audit_id=history.audit.id, note="Kestrel note"))
        db.session.commit()
        assert "zz_case_notes" in [t.name for t in case_records.linked_tables()]
        login("admin")
        files = unzip(download(client, history.case.reference))
        assert csv_rows(files, "zz_case_notes.csv")[0]["note"] == "Kestrel note"
    finally:
        db.session.rollback()
        notes.drop(db.engine)
        db.metadata.remove(notes)


def test_an_unknown_reference_is_a_form_error(client, login, users):
    login("admin")
    response = download(client, "LCS-404404")
    assert response.status_code == 200
    assert "No case has the reference LCS-404404" in response.text
    assert not db.session.scalar(select(Event).where(Event.action == "subject_access_export"))


@pytest.mark.parametrize("reference", ["", "   ", "\x00", "L" * 5000, "LCS-1'; DROP TABLE x"])
def test_hostile_references_are_form_errors(client, login, users, reference):
    login("admin")
    response = download(client, reference)
    assert response.status_code == 200
    assert response.soup.select_one(".govuk-error-summary") is not None


def test_entries_about_other_records_that_name_the_case_are_included(client, login, history):
    from audit_app.eventlog import record

    reference = history.case.reference
    naming = record("dip_sample_round", 99, "drawn", after={"case_references": [reference]})
    longer = record("dip_sample_round", 98, "drawn", after={"case_references": [reference + "7"]})
    db.session.commit()
    login("admin")
    events = csv_rows(unzip(download(client, reference)), "events.csv")
    ids = {int(e["id"]) for e in events}
    assert naming.id in ids and longer.id not in ids
