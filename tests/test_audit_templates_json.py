"""Templates as JSON: exact round trips, errors that name the bad element, the import page and
the import/export commands."""

import copy
import io
import json

import pytest

from audit_app.audit_templates import jsonio, services
from audit_app.extensions import db
from audit_app.models import AuditTemplate, TemplateQuestion, TemplateSection, TemplateVersion
from tests.test_audit_templates import published_template, version_value


def valid_spec():
    return {
        "format": "case-audit-template/1",
        "name": "Neglect thematic audit",
        "slug": "neglect",
        "purpose": "thematic",
        "has_overall": True,
        "scale": {"grades": ["Secure", "Partly secure", "Not secure"], "good_or_better": 1},
        "sections": [
            {"title": "Neglect", "description": "Chronic neglect.\nRead the chronology first.",
             "questions": [
                 {"key": "impact", "text": "How well is the impact of neglect understood?",
                  "guidance": "Good looks like: the graded care profile is used.",
                  "kind": "graded", "required": True, "domain": "assessment",
                  "evidence_required": True},
                 {"key": "gcp_used", "text": "Was the graded care profile used?",
                  "guidance": None, "kind": "yes_no", "required": False, "domain": None,
                  "evidence_required": False},
             ]},
            {"title": "Dates", "description": None, "questions": [
                {"key": "gcp_date", "text": "When?", "guidance": None, "kind": "date",
                 "required": True, "domain": None, "evidence_required": False},
                {"key": "visits", "text": "How many visits?", "guidance": None,
                 "kind": "number", "required": True, "domain": None,
                 "evidence_required": False},
                {"key": "notes", "text": "Anything else?", "guidance": None, "kind": "text",
                 "required": False, "domain": None, "evidence_required": False},
            ]},
        ],
    }


def errors_for(data):
    raw = data if isinstance(data, str | bytes) else json.dumps(data)
    with pytest.raises(jsonio.TemplateFileError) as error:
        jsonio.loads(raw)
    return error.value.errors


def import_text(text, **kwargs):
    version, created = services.import_template(jsonio.loads(text), **kwargs)
    db.session.commit()
    return version, created


# Export and round trips -----------------------------------------------------------------


def test_export_writes_every_key_in_a_stable_order(app, users):
    template = published_template()
    text = services.export_json(template.latest_published)
    data = json.loads(text)
    assert list(data) == ["format", "name", "slug", "purpose", "has_overall", "scale",
                          "sections"]
    assert list(data["sections"][0]) == ["title", "description", "questions"]
    assert list(data["sections"][0]["questions"][0]) == [
        "key", "text", "guidance", "kind", "required", "domain", "evidence_required"]
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_a_file_round_trips_exactly_under_another_slug(app, users):
    text = jsonio.dumps(valid_spec())
    version, created = import_text(text)
    assert created and version.status == "draft" and version.number == 1
    assert services.export_json(version) == text
    copy_version, _ = import_text(services.export_json(version), slug="neglect-copy")
    expected = json.loads(text)
    expected["slug"] = "neglect-copy"
    assert services.export_json(copy_version) == jsonio.dumps(expected)


def test_an_export_round_trips_exactly_into_a_database_without_the_template(app, users):
    template = published_template()
    version = services.new_draft(template)  # every kind of question, guidance and domain
    services.add_question(version.sections[1], {
        "text": "Anything else?\nSay why.", "kind": "text", "guidance": "Line one\nLine two",
        "required": False}, seen=version.row_version)
    services.publish(version, seen=version.row_version)
    db.session.commit()
    text = services.export_json(version)
    # Empty the template tables: the import meets the slug for the first time.
    for model in (TemplateQuestion, TemplateSection, TemplateVersion):
        db.session.execute(db.delete(model).where(model.id.in_(
            _ids_of(model, template.id))))
    db.session.execute(db.delete(AuditTemplate).where(AuditTemplate.id == template.id))
    db.session.commit()
    again, created = import_text(text)
    assert created and again.number == 1
    assert services.export_json(again) == text


def _ids_of(model, template_id):
    query = db.select(model.id)
    if model is TemplateQuestion:
        query = query.join(TemplateSection).join(TemplateVersion)
    elif model is TemplateSection:
        query = query.join(TemplateVersion)
    return db.session.scalars(query.where(TemplateVersion.template_id == template_id)).all()


def test_importing_a_known_slug_makes_a_new_draft_version(app, users):
    template = published_template()
    spec = json.loads(services.export_json(template.latest_published))
    spec["name"] = "Test audit (revised)"
    spec["sections"][0]["questions"][0]["text"] = "How good is the latest assessment?"
    version, created = import_text(json.dumps(spec))
    assert not created and (version.number, version.status) == (2, "draft")
    assert version.template.name == "Test audit (revised)"
    assert services.export_json(version) == jsonio.dumps(spec)
    with pytest.raises(services.DraftExistsError, match="already has a draft"):
        import_text(json.dumps(spec))


def test_optional_question_keys_take_their_defaults_and_text_is_trimmed(app, users):
    spec = valid_spec()
    spec["name"] = "  Neglect  "
    spec["sections"][1]["questions"] = [{"key": "notes", "text": " Anything else?\r\n",
                                          "kind": "text"}]
    del spec["sections"][1]["description"]
    version, _ = import_text(json.dumps(spec))
    exported = json.loads(services.export_json(version))
    assert exported["name"] == "Neglect"
    assert exported["sections"][1] == {"title": "Dates", "description": None, "questions": [
        {"key": "notes", "text": "Anything else?", "guidance": None, "kind": "text",
         "required": True, "domain": None, "evidence_required": False}]}


# Malformed files ------------------------------------------------------------------------


def broken(change):
    spec = copy.deepcopy(valid_spec())
    change(spec)
    return spec


@pytest.mark.parametrize("data, expected", [
    ('{\n  "format": "case-audit-template/1",\n  "name": "x",\n  "slug": "x" "purpose": 1\n}',
     ["not valid JSON (line 4, column 15): Expecting ',' delimiter"]),
    (b"\xff\xfe{}", ["not UTF-8 text (the byte at position 0 is not valid UTF-8)"]),
    ("[]", ["the file: expected an object, got a list"]),
    (broken(lambda s: s["sections"][1]["questions"][0].update(kind="grade")),
     ['sections[1].questions[0].kind: "grade" is not one of graded, yes_no, text, date, '
      'number']),
    (broken(lambda s: s["sections"][0].pop("title")), ["sections[0].title: missing"]),
    (broken(lambda s: s["sections"][0].update(colour="red")),
     ["sections[0].colour: unknown key (expected title, description, questions)"]),
    (broken(lambda s: s.update(format="case-audit-template/2")),
     ['format: the text "case-audit-template/2" is not a supported format: expected '
      '"case-audit-template/1"']),
    (broken(lambda s: s.update(has_overall="yes", sections={})),
     ['has_overall: expected true or false, got the text "yes"',
      "sections: expected a list, got an object"]),
    (broken(lambda s: s.update(scale={"grades": ["Good", " good ", 3], "good_or_better": 2.0})),
     ['scale.grades[1]: "good" is already scale.grades[0]',
      "scale.grades[2]: expected a string, got the number 3",
      "scale.good_or_better: expected a whole number, got the number 2.0"]),
    (broken(lambda s: s.update(scale={"grades": ["Good", "Poor"], "good_or_better": 2})),
     ["scale.good_or_better: must be between 1 and 1 (the number of grades, best first, that "
      "count as good or better)"]),
    (broken(lambda s: s["sections"][1]["questions"][1].update(key="impact")),
     ['sections[1].questions[1].key: "impact" is already used by sections[0].questions[0]']),
    (broken(lambda s: s["sections"][0]["questions"][1].update(evidence_required=True)),
     ['sections[0].questions[1].evidence_required: only graded questions can require evidence '
      '(this one is "yes_no")']),
    (broken(lambda s: s["sections"].append("Summary")),
     ["sections[2]: expected an object, got the text \"Summary\""]),
    ('{"slug": "a", "slug": "b"}', ["slug: given more than once"]),
])
def test_a_malformed_file_gets_errors_naming_the_bad_element(app, data, expected):
    errors = errors_for(data)
    assert all(e in errors for e in expected), errors


def test_every_problem_is_listed_not_only_the_first(app):
    def many(spec):
        spec["slug"] = "Not A Slug"
        spec["purpose"] = "audit"
        del spec["sections"][0]["questions"][0]["text"]
        spec["sections"][0]["questions"][1]["domain"] = "voice"
        spec["sections"][1]["questions"][0]["required"] = "no"
    assert errors_for(broken(many)) == [
        'slug: "Not A Slug" is not a valid slug: use lowercase letters, numbers and single '
        'hyphens, like whole-case-file',
        'purpose: "audit" is not one of whole_case_file, thematic, compliance',
        "sections[0].questions[0].text: missing",
        'sections[0].questions[1].domain: "voice" is not one of assessment, plan, '
        "management_oversight, supervision, voice_of_child, identity, contingency, "
        "family_networking, drift_delay, recording",
        'sections[1].questions[0].required: expected true or false, got the text "no"',
    ]


# The import page and the commands -------------------------------------------------------


def upload(client, text, filename="neglect.json", slug=""):
    data = text.encode() if isinstance(text, str) else text
    return client.submit("/admin/templates/import",
                         {"file": (io.BytesIO(data), filename), "slug": slug},
                         content_type="multipart/form-data")


def test_the_import_page_lists_every_problem_in_the_file(client, login, users):
    login("admin")
    spec = broken(lambda s: (s["sections"][0].pop("title"),
                             s["sections"][1]["questions"][0].update(kind="grade")))
    response = upload(client, json.dumps(spec))
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: Import a template")
    assert [a.get_text() for a in response.soup.select(".govuk-error-summary a")] == [
        "neglect.json cannot be imported: fix the 2 problems listed below and try again"]
    assert [li.get_text() for li in response.soup.select("#file-problems li")] == [
        "sections[0].title: missing",
        'sections[1].questions[0].kind: "grade" is not one of graded, yes_no, text, date, '
        "number",
    ]
    assert db.session.scalar(db.select(AuditTemplate).where(AuditTemplate.slug == "neglect")) \
        is None
    response = client.submit("/admin/templates/import", {})
    assert "Select a JSON template file" in response.text


def test_the_import_page_makes_a_draft_and_the_export_link_gives_the_file_back(client, login,
                                                                                users):
    login("admin")
    text = jsonio.dumps(valid_spec())
    response = upload(client, text, slug="neglect-2025")
    assert response.status_code == 302
    template = db.session.scalar(
        db.select(AuditTemplate).where(AuditTemplate.slug == "neglect-2025"))
    page = f"/admin/templates/{template.id}/versions/1"
    assert response.headers["Location"] == page
    assert "Imported neglect.json as a new template (version 1)" in client.get(page).text
    export = client.get(f"{page}/export")
    assert export.mimetype == "application/json"
    assert export.headers["Content-Disposition"] == 'attachment; filename="neglect-2025-v1.json"'
    assert export.get_data(as_text=True) == text.replace('"neglect"', '"neglect-2025"')

    again = upload(client, text, slug="neglect-2025")
    assert "Neglect thematic audit already has a draft (version 1)" in again.text

    client.submit(f"{page}/publish", {"version": version_value(client.get(page))}, page=page)
    assert "Published, in use" in client.get(page).text


def test_the_import_and_export_commands(app, users, tmp_path):
    path = tmp_path / "neglect.json"
    path.write_text(jsonio.dumps(valid_spec()))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-template", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "new template neglect, version 1 (published)" in result.output
    result = runner.invoke(args=["export-template", "neglect"])
    assert result.output == path.read_text()
    out = tmp_path / "out.json"
    runner.invoke(args=["export-template", "neglect", "--version", "1", "--output", str(out)])
    assert out.read_text() == path.read_text()

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken(lambda s: s.update(purpose="audit", has_overall=1))))
    result = runner.invoke(args=["import-template", str(bad)])
    assert result.exit_code == 1
    assert 'purpose: "audit" is not one of' in result.output
    assert "has_overall: expected true or false, got the number 1" in result.output
    result = runner.invoke(args=["export-template", "nope"])
    assert result.exit_code == 1 and "No template with the slug 'nope'" in result.output
