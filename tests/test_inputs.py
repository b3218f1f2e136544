"""Hostile input gets a clear answer, never a server error (issue 7, items 8 to 11).

Each value here gave a 500 (or stored something that broke a page later) before the base
form, audit_app/inputs.py and the bounded URL ids. tests/test_hostile_inputs.py sends the
same kinds of value to every route.
"""

import io
from datetime import date
from decimal import Decimal

import pytest

from audit_app import inputs
from audit_app.audit_templates import jsonio
from audit_app.audits import workflow
from audit_app.audits.forms import number_problem
from audit_app.cases import importer
from audit_app.extensions import db
from audit_app.measures.periods import Quarter
from audit_app.models import (
    Action,
    Answer,
    AuditTemplate,
    Case,
    Escalation,
    ModerationRound,
    Programme,
    Service,
    Team,
    User,
)
from tests import factories
from tests.test_audit_pages import fresh, qid, section_one, section_two
from tests.test_moderation_rounds import form_data as round_form
from tests.test_programmes import programme_form

NUL_MESSAGE = "must not include hidden control characters, such as a null character"


def error_summary(response):
    return [a.get_text(strip=True) for a in response.soup.select(".govuk-error-summary a")]


@pytest.fixture
def audit(app, users):
    case = factories.make_case(reference="LCS-2001")
    programme = factories.make_programme(factories.make_template())
    audit = factories.make_audit(programme, case, users["auditor"])
    db.session.commit()
    return audit


def submitted(audit, users):
    from tests.test_audit_workflow import complete

    complete(audit, users["auditor"])
    workflow.submit(audit, users["auditor"], audit.row_version)
    db.session.commit()
    return audit


# --- 8. Number answers ---------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "message"), [
    ("9" * 27, "The answer to 2.3 must be between -999,999,999 and 999,999,999"),
    ("-1000000000", "The answer to 2.3 must be between -999,999,999 and 999,999,999"),
    # Only plain decimals in ASCII digits: not what Decimal() alone would also take.
    ("1e26", "Enter a number for question 2.3"),
    ("1e9999999", "Enter a number for question 2.3"),
    ("1_000", "Enter a number for question 2.3"),
    ("\uff11\uff12", "Enter a number for question 2.3"),  # full-width 12
    ("\u0661\u0662", "Enter a number for question 2.3"),  # Arabic-Indic 12
    ("-Infinity", "Enter a number for question 2.3"),
    ("sNaN", "Enter a number for question 2.3"),
    ("NaN", "Enter a number for question 2.3"),
    ("0.00001", "The answer to 2.3 must have 4 decimal places or fewer"),
    ("0.123456789", "The answer to 2.3 must have 4 decimal places or fewer"),
])
def test_a_number_answer_out_of_bounds_is_refused_and_nothing_is_saved(
        client, login, audit, typed, message):
    login("auditor")
    page = f"/audits/{audit.id}/sections/2"
    response = client.submit(page, {**section_two(audit), f"q{qid(audit, 'visits')}": typed})
    assert error_summary(response) == [message]
    assert fresh(audit).answers == []
    assert client.get(page).status_code == 200


def test_a_number_answer_in_bounds_is_saved_and_shown_as_typed(client, login, audit):
    login("auditor")
    page = f"/audits/{audit.id}/sections/2"
    client.submit(page, {**section_two(audit), f"q{qid(audit, 'visits')}": "-999999999.25"})
    [answer] = [a for a in fresh(audit).answers if a.question_id == qid(audit, "visits")]
    assert answer.value == "-999999999.25"
    box = client.get(page).soup.find("input", attrs={"name": f"q{qid(audit, 'visits')}"})
    assert box["value"] == "-999999999.25"


@pytest.mark.parametrize("stored", ["1e26", "NaN", "sNaN", "99999999999999999999999999999"])
def test_a_number_stored_before_the_bounds_still_shows_and_can_be_corrected(
        client, login, audit, stored):
    db.session.add(Answer(audit_id=audit.id, question_id=qid(audit, "visits"), value=stored))
    db.session.commit()
    login("auditor")
    page = client.get(f"/audits/{audit.id}/sections/2")
    box = page.soup.find("input", attrs={"name": f"q{qid(audit, 'visits')}"})
    assert box["value"] == stored


def test_the_number_bounds_do_no_arithmetic_that_could_overflow():
    assert number_problem(Decimal("1e9999999")).startswith("must be between")
    assert number_problem(Decimal("-1e9999999")).startswith("must be between")
    assert number_problem(Decimal("1.50000")) is None
    assert number_problem(Decimal("0E-10000")) is None


# --- 9. NUL and other control characters ------------------------------------------------------


def test_a_nul_in_evidence_is_refused_with_a_message_and_nothing_is_saved(
        client, login, audit):
    login("auditor")
    evidence = f"q{qid(audit, 'assessment')}_evidence"
    response = client.submit(f"/audits/{audit.id}/sections/1",
                             section_one(audit, **{evidence: "Out of\x00date."}))
    assert error_summary(response) == [f"The evidence for 1.1 {NUL_MESSAGE}"]
    assert response.soup.select_one(".govuk-error-summary a")["href"] == f"#{evidence}"
    assert fresh(audit).answers == []


def test_a_control_character_in_a_case_reference_is_refused(client, login, users):
    from tests.test_cases import case_form

    login("admin")
    response = client.submit("/cases/new", case_form(reference="LCS-1\x001"))
    assert error_summary(response) == [f"Case reference {NUL_MESSAGE}"]
    response = client.submit("/cases/new", case_form(reference="LCS-1\x1b1"))
    assert error_summary(response) == [f"Case reference {NUL_MESSAGE}"]
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


def test_a_nul_in_the_sign_in_email_is_refused_with_a_message(client, users):
    response = client.submit("/sign-in", {"email": "admin@example.org.uk\x00",
                                          "password": "anything"})
    assert response.status_code == 200
    assert error_summary(response) == [f"Email address {NUL_MESSAGE}"]


@pytest.mark.parametrize(("role", "address"), [
    ("admin", "/cases/?reference=LCS%00"),
    ("admin", "/cases/?team=%00"),
    ("admin", "/admin/events?actor=%00"),
    ("admin", "/admin/events?entity_type=a%1bb"),
    ("leader", "/reports/agreement?team=%00"),
    ("leader", "/reports/agreement.csv?period_from=%00"),
    ("admin", "/admin/users?page=%00"),
    (None, "/sign-in?next=%2F%00"),
])
def test_a_control_character_in_a_query_parameter_is_a_clear_400(
        client, login, users, role, address):
    if role:
        login(role)
    response = client.get(address)
    assert response.status_code == 400
    assert "The web address contains a" in response.text
    assert "which is not allowed" in response.text


def test_a_csv_line_with_a_nul_is_named_by_line_and_column(app, users, tmp_path):
    data = (b"reference,team,cohorts,opened_on\n"
            b"LCS-1,Crewe CIN/CP,child_in_need,2024-01-01\n"
            b"LCS-\x002,Crewe CIN/CP,child_in_need,2024-01-01\n"
            b"LCS-3,Crewe\x1bCIN/CP,child_in_need,2024-01-01\n")
    with pytest.raises(importer.ImportRejected) as rejected:
        importer.check_rows(importer.decode(data))
    assert [str(p) for p in rejected.value.problems] == [
        "line 3, column reference: contains a null character (U+0000), which is not allowed; "
        "remove it (such characters often come in when text is copied from another system)",
        "line 4, column team: contains a control character (U+001B), which is not allowed; "
        "remove it (such characters often come in when text is copied from another system)",
    ]
    path = tmp_path / "cases.csv"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["import-cases", str(path)])
    assert result.exit_code == 1
    assert "line 3, column reference: contains a null character (U+0000)" in result.output
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


def test_a_nul_in_the_csv_header_is_named(app, users):
    with pytest.raises(importer.ImportRejected) as rejected:
        importer.check_rows("reference,te\x00am,cohorts,opened_on\n")
    assert [str(p) for p in rejected.value.problems] == [
        "line 1: value 2 contains a null character (U+0000), which is not allowed; remove it "
        "(such characters often come in when text is copied from another system)"]


def test_the_csv_upload_page_lists_the_nul_problem(client, login, users):
    login("admin")
    data = b"reference,team,cohorts,opened_on\nLCS-\x001,Crewe CIN/CP,cin,2024-01-01\n"
    response = client.submit("/cases/import", {"file": (io.BytesIO(data), "cases.csv")},
                             content_type="multipart/form-data")
    assert response.status_code == 200
    assert "contains a null character (U+0000)" in response.text
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 0


# --- 10. Spaces only are not text ------------------------------------------------------------


def test_a_concern_of_spaces_only_is_refused(client, login, audit):
    login("auditor")
    response = client.submit(f"/audits/{audit.id}/escalate", {"concern": "   \r\n\t "})
    assert error_summary(response) == ["Describe why the child may be at immediate risk"]
    assert db.session.scalar(db.select(db.func.count(Escalation.id))) == 0


def test_a_return_reason_of_spaces_only_is_refused(client, login, audit, users):
    submitted(audit, users)
    login("moderator")
    response = client.submit(f"/audits/{audit.id}/return", {"reason": "    "})
    assert error_summary(response) == ["Enter the reason for returning the audit"]
    assert fresh(audit).status == "submitted"


def test_a_recommendation_of_spaces_only_is_refused(client, login, audit):
    login("auditor")
    response = client.submit(f"/audits/{audit.id}/recommendations",
                             {"description": "  ", "priority": "high"})
    assert error_summary(response) == ["Enter the recommendation"]
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 0


@pytest.mark.parametrize(("page", "data", "message", "model"), [
    ("/admin/teams/new", lambda u: {"name": "   ", "service_id": str(
        db.session.scalar(db.select(Service.id)))}, "Enter a team name", Team),
    ("/admin/users/new", lambda u: {"email": "jo@council.gov.uk", "name": "  ",
                                    "roles": ["auditor"], "password": "a-long-password"},
     "Enter a name", User),
])
def test_a_name_of_spaces_only_is_refused_by_the_admin_forms(
        client, login, users, page, data, message, model):
    login("admin")
    before = db.session.scalar(db.select(db.func.count(model.id)))
    response = client.submit(page, data(users))
    assert error_summary(response) == [message]
    assert db.session.scalar(db.select(db.func.count(model.id))) == before


def test_programme_and_round_names_of_spaces_only_are_refused(client, login, users):
    template = factories.make_template(slug="spaces", name="Spaces")
    db.session.commit()
    login("moderator")
    response = client.submit("/programmes/new", programme_form(template, name="\t  "))
    assert error_summary(response) == ["Enter a programme name"]
    response = client.submit("/moderation/rounds/new", round_form(users, name="   "))
    assert error_summary(response) == ["Enter a name for the round"]
    assert db.session.scalar(db.select(db.func.count(Programme.id))) == 0
    assert db.session.scalar(db.select(db.func.count(ModerationRound.id))) == 0


def test_text_is_stored_trimmed(client, login, users):
    login("admin")
    service = db.session.scalar(db.select(Service.id))
    client.submit("/admin/teams/new", {"name": "  Leeds CIN  ", "service_id": str(service)})
    assert db.session.scalar(db.select(Team).where(Team.name == "Leeds CIN")) is not None


# --- 11. Selects, page numbers, ids, dates, template files -----------------------------------


def test_a_space_in_an_optional_select_means_none_and_letters_are_refused(
        client, login, users):
    login("admin")
    service = str(db.session.scalar(db.select(Service.id)))
    client.submit("/admin/teams/new", {"name": "Space team", "service_id": service,
                                       "manager_id": " "})
    team = db.session.scalar(db.select(Team).where(Team.name == "Space team"))
    assert team is not None and team.manager_id is None
    response = client.submit("/admin/teams/new", {"name": "Letters team",
                                                  "service_id": service, "manager_id": "abc"})
    assert error_summary(response) == ["Team manager must be one of the options shown"]
    response = client.submit("/admin/services/new", {"name": "Svc", "head_id": "x1"})
    assert error_summary(response) == ["Head of service must be one of the options shown"]


def test_letters_or_a_huge_number_as_a_programme_template_are_refused(client, login, users):
    template = factories.make_template(slug="letters", name="Letters")
    db.session.commit()
    login("moderator")
    for value in ("abc", " ", "99999999999999999999", "\u00b2"):
        response = client.submit("/programmes/new", programme_form(template, template_id=value))
        assert error_summary(response) == ["Select a template"], value
    assert db.session.scalar(db.select(db.func.count(Programme.id))) == 0


def test_a_space_as_a_case_social_worker_means_none(client, login, users):
    from tests.test_cases import case_form

    login("admin")
    response = client.submit("/cases/new", case_form(social_worker_id="  "))
    assert response.status_code == 302
    assert db.session.scalar(db.select(Case.social_worker_id)) is None


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-1", "abc", "\u00b2",
                                  "2147483648", "9" * 5000])
def test_a_page_number_that_cannot_exist_is_not_found(client, login, users, page):
    login("admin")
    for listing in ("/admin/users", "/admin/events", "/cases/", "/programmes/",
                    "/moderation/rounds"):
        assert client.get(listing, query_string={"page": page}).status_code == 404, listing


@pytest.mark.parametrize("number", ["99999999999999999999", "2147483648", "9" * 5000])
def test_an_id_past_the_database_range_is_not_found(client, login, users, number):
    login("admin")
    for address in (f"/audits/{number}", f"/cases/{number}", f"/admin/users/{number}",
                    f"/admin/templates/{number}/versions/{number}",
                    f"/moderation/samples/{number}"):
        assert client.get(address).status_code == 404, address


def test_the_id_converter_takes_ascii_digits_in_range_only(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/audits/2147483647")[1] == {"audit_id": 2147483647}
    for number in ("2147483648", "\u0661\u0662", "9" * 400):
        with pytest.raises(Exception) as refused:
            adapter.match(f"/audits/{number}")
        assert refused.type.__name__ == "NotFound"


@pytest.mark.parametrize(("template_version", "version"), [
    ("9223372036854775808", None), ("\u00b2", None), ("9" * 5000, None),
    (None, "9223372036854775808"), (None, "\u00b2"),
])
def test_hidden_ids_out_of_range_in_a_section_post_save_nothing(
        client, login, audit, template_version, version):
    login("auditor")
    page = f"/audits/{audit.id}/sections/1"
    overrides = {"template_version": template_version} if template_version else {}
    if version:
        overrides["version"] = version
    response = client.submit(page, section_one(audit, **overrides))
    assert response.status_code == 200
    assert fresh(audit).answers == []


@pytest.mark.parametrize("seen", [2**63, 2**31, -1, "9" * 5000])
def test_claiming_a_version_the_database_cannot_hold_is_a_conflict(app, users, seen):
    from audit_app.versioning import EditConflict, claim

    team = db.session.scalar(db.select(Team).order_by(Team.id))
    with pytest.raises(EditConflict):
        claim(team, seen)


def test_a_version_out_of_range_on_an_edit_is_a_conflict(client, login, users):
    login("admin")
    team = db.session.scalar(db.select(Team).order_by(Team.id))
    response = client.submit(f"/admin/teams/{team.id}", {
        "name": "Renamed", "service_id": str(team.service_id),
        "version": "9223372036854775808"})
    assert response.status_code == 200
    assert "Someone else changed this team while you were editing it" in response.text
    assert db.session.get(Team, team.id).name != "Renamed"


@pytest.mark.parametrize(("day", "message"), [
    (["31", "12", "9999"], "Period end must be between 1 January 1900 and 31 December 2099"),
    (["1", "1", "0001"], "Period end must be between 1 January 1900 and 31 December 2099"),
    (["31", "12", "1899"], "Period end must be between 1 January 1900 and 31 December 2099"),
    (["-1", "12", "2026"], "Period end must be a real date"),
    (["\u0661", "12", "2026"], "Period end must be a real date"),
])
def test_a_date_far_from_today_is_refused_with_the_range(client, login, users, day, message):
    login("moderator")
    response = client.submit("/moderation/rounds/new", round_form(users, period_end=day))
    assert error_summary(response) == [message]
    assert db.session.scalar(db.select(db.func.count(ModerationRound.id))) == 0


@pytest.mark.parametrize(("code", "message"), [
    ("9999-Q1", "out of range: use a quarter from 1899-Q4 to 2099-Q3"),
    ("9999-Q4", "out of range: use a quarter from 1899-Q4 to 2099-Q3"),
    ("0000-Q1", "out of range: use a quarter from 1899-Q4 to 2099-Q3"),
    ("1899-Q3", "out of range: use a quarter from 1899-Q4 to 2099-Q3"),
    ("2099-Q4", "out of range: use a quarter from 1899-Q4 to 2099-Q3"),
    ("\u0662\u0660\u0662\u0665-Q1", "not a quarter code"),
    ("2025-Q1\n", "not a quarter code"),
])
def test_a_quarter_outside_the_date_range_says_the_range(code, message):
    with pytest.raises(ValueError, match=message):
        Quarter.parse(code)
    assert Quarter.parse("2098-Q4").end == date(2099, 3, 31)
    assert Quarter.parse("1899-Q4").start == date(1900, 1, 1)


@pytest.mark.parametrize("code", ["9999-Q1", "9999-Q4", "0000-Q1"])
def test_a_far_quarter_in_the_report_address_is_a_field_error(client, login, users, code):
    login("leader")
    response = client.get("/reports/agreement", query_string={"period_from": code})
    assert response.status_code == 200
    assert error_summary(response) == ["Select a quarter from the list"]
    assert client.get("/reports/agreement.csv",
                      query_string={"period_to": code}).status_code == 400


def test_a_csv_date_outside_the_range_is_named(app, users):
    with pytest.raises(importer.ImportRejected) as rejected:
        importer.check_rows("reference,team,cohorts,opened_on,closed_on\n"
                            "LCS-1,Crewe CIN/CP,cin,0001-01-01,31/12/9999\n")
    assert [str(p) for p in rejected.value.problems] == [
        'line 2, column opened_on: bad date "0001-01-01": must be between 1 January 1900 and '
        "31 December 2099",
        'line 2, column closed_on: bad date "31/12/9999": must be between 1 January 1900 and '
        "31 December 2099",
    ]


@pytest.mark.parametrize(("content", "problem"), [
    (b"[" * 100_000 + b"]" * 100_000,
     "lists or objects are nested more than 20 deep (line 1, column 21)"),
    (b'{"a": "[[[[",\n "b":' + b"[" * 5000 + b"]" * 5000 + b"}",
     "nested more than 20 deep (line 2, column 25)"),
    (b'{"a":' * 30 + b"1" + b"}" * 30, "nested more than 20 deep"),
    (b'{"scale": {"good_or_better": ' + b"9" * 5000 + b"}}",
     "a number in the file has too many digits (line 1, column 30)"),
    (b'{"name": "\\ud800"}', "name: contains an unpaired surrogate (U+D800)"),
    (b'{"\\udc00": 1}', "the file: a key contains an unpaired surrogate (U+DC00)"),
    (b'{"sections": [{"title": "a\\u0000b"}]}',
     "sections[0].title: contains a null character (U+0000)"),
])
def test_a_hostile_template_file_is_named_not_a_server_error(content, problem):
    with pytest.raises(jsonio.TemplateFileError) as refused:
        jsonio.loads(content)
    assert any(problem in error for error in refused.value.errors), refused.value.errors


def test_the_template_import_page_shows_the_problem(client, login, users):
    before = db.session.scalar(db.select(db.func.count(AuditTemplate.id)))
    login("admin")
    response = client.submit("/admin/templates/import", {
        "file": (io.BytesIO(b'{"name": "\\ud800", "slug": "a\\u0000"}'), "t.json")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "name: contains an unpaired surrogate (U+D800)" in response.text
    assert "slug: contains a null character (U+0000)" in response.text
    assert db.session.scalar(db.select(db.func.count(AuditTemplate.id))) == before


# --- the rules themselves -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), (" 12 ", 12), ("0", 0), ("2147483647", 2147483647), ("2147483648", None),
    ("-1", None), ("", None), ("   ", None), ("1.0", None), ("1e3", None), ("\u00b2", None),
    ("\u0661\u0662", None), ("9" * 5000, None), ("0" * 30 + "7", 7), (None, None),
])
def test_whole_number_takes_ascii_digits_within_the_range(text, expected):
    assert inputs.whole_number(text) == expected


@pytest.mark.parametrize(("text", "described"), [
    ("a\x00b", "a null character (U+0000)"), ("\x1b", "a control character (U+001B)"),
    ("\x7f", "a control character (U+007F)"), ("\x85", "a control character (U+0085)"),
    ("\ud800", "an unpaired surrogate (U+D800)"),
])
def test_forbidden_characters_are_found_and_described(text, described):
    assert inputs.describe_character(inputs.forbidden_character(text)) == described


@pytest.mark.parametrize("text", ["tab\tnew\nline\r", "\u202e\u0645\u0631", "\U0001f469",
                                  "\u00e9" * 10_000, ""])
def test_ordinary_text_has_no_forbidden_character(text):
    assert inputs.forbidden_character(text) is None


def test_every_form_in_the_app_is_a_base_form(app):
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import audit_app
    from audit_app.forms import BaseForm

    for module in pkgutil.walk_packages(audit_app.__path__, "audit_app."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = {f for f in subclasses(FlaskForm) if f.__module__.startswith("audit_app.")}
    assert len(forms) > 30
    assert {f.__qualname__ for f in forms if not issubclass(f, BaseForm)} == set()


def test_the_template_import_command_names_the_problem(app, users, tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(b'{"name": "\\ud800"}')
    result = app.test_cli_runner().invoke(args=["import-template", str(path)])
    assert result.exit_code == 1
    assert "name: contains an unpaired surrogate (U+D800)" in result.output
