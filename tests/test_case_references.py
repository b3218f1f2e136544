"""Case references: a number means an ASCII digit, and capitals never make a different case,
in the database, the case form, the CSV import, the search, and every lookup by reference."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from audit_app.cases import importer, services
from audit_app.extensions import db
from audit_app.models import Audit, Case
from audit_app.moderation import rounds
from tests import factories
from tests.factories import make_case, team
from tests.test_case_import import csv_file, problem_table, upload
from tests.test_cases import case_form, error_summary, references, version_on
from tests.test_migrations import pending_changes
from tests.test_moderation_rounds import Org, new_round

NOT_A_NUMBER = "Case reference must include a number. Do not enter the child's name"
HEADER = "reference,team,cohorts,opened_on,closed_on"


@pytest.mark.parametrize("reference", [
    "Jane Smith ²",  # '²'.isdigit() is True
    "Jane Smith ٣",  # an Arabic-Indic three
    "Jane Smith ３",  # a full-width three
    "Jane Smith ⅷ",
])
def test_a_name_with_a_digit_like_character_is_not_a_reference(reference):
    assert services.reference_problem(reference) == NOT_A_NUMBER


def test_the_database_refuses_a_reference_differing_only_in_capitals(app, users):
    make_case("LCS-100200")
    db.session.commit()
    with pytest.raises(IntegrityError):
        make_case("lcs-100200")
    db.session.rollback()
    # And a Core insert that forgets the key is refused too: it is NOT NULL.
    with pytest.raises(IntegrityError):
        db.session.execute(Case.__table__.insert().values(
            reference="LCS-9", team_id=team().id, opened_on=date(2025, 1, 6),
            created_at=date(2025, 1, 6), row_version=1))
    db.session.rollback()


# --- the case form ---------------------------------------------------------------------------


def test_the_form_refuses_a_name_with_a_superscript_digit(client, login, users):
    login("admin")
    response = client.submit("/cases/new", case_form(reference="Jane Smith ²"))
    assert error_summary(response) == [NOT_A_NUMBER]
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


def test_the_form_refuses_a_reference_differing_only_in_capitals(client, login, users):
    make_case("LCS-100200")
    other = make_case("LCS-100300")
    db.session.commit()
    login("admin")
    response = client.submit("/cases/new", case_form(reference="lcs-100200"))
    assert error_summary(response) == [
        "A case with reference LCS-100200 already exists "
        "(lcs-100200 differs from it only in capital letters)"]
    page = f"/cases/{other.id}"
    renamed = client.submit(page, case_form(reference="Lcs-100200",
                                            version=version_on(client, page)))
    assert error_summary(renamed) == [
        "A case with reference LCS-100200 already exists "
        "(Lcs-100200 differs from it only in capital letters)"]
    # A case's own reference may change its capitals.
    own = client.submit(page, case_form(reference="lcs-100300", version=version_on(client, page)))
    assert own.status_code == 302
    assert db.session.scalars(db.select(Case.reference).order_by(Case.id)).all() == [
        "LCS-100200", "lcs-100300"]


# --- the CSV import --------------------------------------------------------------------------


def test_the_import_names_each_reference_differing_only_in_capitals(client, login, users):
    make_case("LCS-100200", "Fostering")
    db.session.commit()
    login("admin")
    response = upload(client, csv_file(
        HEADER,
        "LCS-1,Crewe CIN/CP,cin,2025-01-06,",
        "lcs-100200,Crewe CIN/CP,cin,2025-01-06,",
        "lcs-1,Crewe CIN/CP,cin,2025-01-06,",
        "LCS-1,Crewe CIN/CP,cin,2025-01-06,",
    ))
    assert [f"line {line}, column {column}: {message}"
            for line, column, message in problem_table(response)] == [
        'line 3, column reference: "lcs-100200" differs only in capital letters from case '
        '"LCS-100200" in the register: write it as "LCS-100200", or change the case\'s '
        "reference first",
        'line 4, column reference: duplicate reference "lcs-1": line 2 has "LCS-1", which '
        "differs only in capital letters, and capitals do not make a different case",
        'line 5, column reference: duplicate reference "LCS-1" (also on line 2)',
    ]
    assert db.session.scalars(db.select(Case.reference)).all() == ["LCS-100200"]
    assert db.session.scalar(db.select(Case).where(Case.reference == "LCS-100200")
                             ).team.name == "Fostering"


def test_the_import_updates_a_case_spelled_as_the_register_spells_it(app, users):
    make_case("LCS-100200", "Fostering")
    db.session.commit()
    result = importer.import_cases(csv_file(
        HEADER, "LCS-100200,Crewe CIN/CP,cin,2025-01-06,", "lcs-7,Crewe CIN/CP,cin,2025-01-06,"),
        "cases.csv")
    db.session.commit()
    assert (result.created, result.updated) == (1, 1)
    assert db.session.scalar(db.select(Case).where(Case.has_reference("LCS-7"))
                             ).reference == "lcs-7"
    assert db.session.scalar(db.select(Case).where(Case.has_reference("lcs-100200"))
                             ).team.name == "Crewe CIN/CP"


# --- searches and lookups --------------------------------------------------------------------


def test_the_register_search_ignores_capitals(client, login, users):
    make_case("LCS-2001")
    make_case("mosaic-2002")
    make_case("LCS-3001")
    db.session.commit()
    login("practice_lead")
    assert references(client.get("/cases/?reference=lcs-2")) == ["LCS-2001"]
    assert references(client.get("/cases/?reference=MOSAIC")) == ["mosaic-2002"]
    assert references(client.get("/cases/?reference=s-")) == ["LCS-2001", "LCS-3001"]


def test_allocating_by_hand_finds_the_case_whatever_its_capitals(client, login, users):
    programme = factories.make_programme(factories.make_template())
    case = make_case("LCS-1001")
    db.session.commit()
    login("moderator")
    response = client.submit(f"/programmes/{programme.id}/allocate",
                             {"case_reference": "lcs-1001", "auditor_id": str(users["auditor"].id)})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Audit.case_id)) == case.id


def test_picking_by_hand_finds_the_case_whatever_its_capitals(app, users):
    org = Org(users)
    good = org.audit(grade="Good", reference="LCS-GOOD1")
    db.session.commit()
    round_ = new_round(users, method="targeted", mode="open")
    rounds.draw(round_, users["moderator"], seed=1)
    db.session.commit()
    sample = rounds.pick(round_, users["moderator"], " lcs-good1 ")
    assert sample.audit_id == good.id


# --- the migration ---------------------------------------------------------------------------


def _add_case_at_0006(reference):
    db.session.execute(text(
        "INSERT INTO cases (reference, team_id, opened_on, created_at, row_version) "
        "VALUES (:reference, :team_id, '2025-01-06', '2025-01-06 09:00:00', 1)"),
        {"reference": reference, "team_id": team().id})


def _revision():
    with db.engine.connect() as conn:
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def test_the_migration_fills_in_the_keys_of_existing_cases(app, users):
    db.session.commit()
    db.session.close()
    downgrade(revision="0006")
    _add_case_at_0006("LCS-100200")
    _add_case_at_0006("Straße-7")
    db.session.commit()
    db.session.close()
    upgrade(revision="0007")
    assert _revision() == "0007"
    upgrade()  # and on to the head, which the models match
    assert dict(db.session.execute(db.select(Case.reference, Case.reference_key)).all()) == {
        "LCS-100200": "lcs-100200", "Straße-7": "strasse-7"}
    assert pending_changes() == []


def test_the_migration_stops_and_names_references_differing_only_in_capitals(app, users, capfd):
    db.session.commit()
    db.session.close()
    downgrade(revision="0006")
    for reference in ("LCS-100200", "LCS-5", "lcs-100200", "Lcs-100200"):
        _add_case_at_0006(reference)
    db.session.commit()
    ids = dict(db.session.execute(text("SELECT reference, id FROM cases")).all())
    db.session.close()
    capfd.readouterr()
    with pytest.raises(SystemExit):
        upgrade()  # as `flask db upgrade` does: the message, and exit status 1
    said = capfd.readouterr().err
    assert (f"LCS-100200 (/cases/{ids['LCS-100200']}), lcs-100200 (/cases/{ids['lcs-100200']}), "
            f"Lcs-100200 (/cases/{ids['Lcs-100200']}). Change the reference") in said
    assert "LCS-5" not in said and "Nothing was changed" in said
    assert _revision() == "0006"
    with db.engine.begin() as conn:
        for old, new in (("lcs-100200", "LCS-100201"), ("Lcs-100200", "LCS-100202")):
            conn.execute(text("UPDATE cases SET reference = :new WHERE reference = :old"),
                         {"old": old, "new": new})
    upgrade(revision="0007")
    assert _revision() == "0007"
    upgrade()
