"""The built-in templates: valid files, loaded and published once, covering what they must."""

import pytest

from audit_app.audit_templates import jsonio, services
from audit_app.extensions import db
from audit_app.models import AuditTemplate, Event, TemplateVersion
from audit_app.models.templates import DOMAINS

FILES = {path.stem: path for path in services.builtin_files()}
SLUGS = ["annual-supervision", "cwd-supervision-visiting", "homeless-16-17", "plo",
         "private-fostering", "whole-case-file"]


def builtin(slug):
    return db.session.scalar(db.select(AuditTemplate).where(AuditTemplate.slug == slug))


def count(model):
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_there_is_one_file_per_built_in_template_named_by_its_slug():
    assert sorted(FILES) == SLUGS
    for slug, path in FILES.items():
        assert jsonio.loads(path.read_bytes())["slug"] == slug


@pytest.mark.parametrize("slug", SLUGS)
def test_each_file_is_valid_and_loads_published_and_round_trips_exactly(app, users, slug):
    # The demo organisation (the `users` fixture) has loaded them already.
    template = builtin(slug)
    [version] = template.versions
    assert version.is_published and version.published_at is not None
    assert services.publish_problems(version) == []
    assert services.export_json(version) == FILES[slug].read_text(encoding="utf-8")
    questions = version.questions
    low, high = (15, 30) if slug == "whole-case-file" else (6, 15)
    assert low <= len(questions) <= high
    for q in questions:
        assert q.guidance or q.kind != "graded", f"{q.key} has no guidance"
        assert q.evidence_required == (q.kind == "graded"), q.key


def test_loading_again_adds_nothing(app, users):
    before = (count(AuditTemplate), count(TemplateVersion), count(Event))
    loaded, present = services.load_builtin_templates()
    db.session.commit()
    assert loaded == [] and sorted(present) == SLUGS
    assert (count(AuditTemplate), count(TemplateVersion), count(Event)) == before


def test_a_missing_built_in_template_is_loaded_and_the_councils_own_versions_are_kept(app):
    # No demo data here: an install that has only run the migrations.
    loaded, present = services.load_builtin_templates()
    db.session.commit()
    assert sorted(loaded) == SLUGS and present == []
    template = builtin("plo")
    draft = services.new_draft(template)
    services.publish(draft, seen=draft.row_version)
    db.session.commit()
    services.load_builtin_templates()
    assert [v.number for v in builtin("plo").versions] == [1, 2]
    created = db.session.scalars(db.select(Event).where(
        Event.entity_type == "template_version", Event.action == "created")).all()
    assert created[0].note == "imported from built-in annual-supervision.json"
    assert created[0].actor_id is None


def test_the_whole_case_file_audit_covers_every_domain(app, users):
    version = builtin("whole-case-file").latest_published
    assert version.has_overall and builtin("whole-case-file").purpose == "whole_case_file"
    graded = [q for q in version.questions if q.kind == "graded"]
    assert {q.domain for q in graded} >= set(DOMAINS)
    assert all(q.guidance.startswith("Good looks like") for q in graded if q.domain)


def test_the_cwd_dip_sample_is_yes_or_no_compliance_without_an_overall_judgement(app, users):
    template = builtin("cwd-supervision-visiting")
    version = template.latest_published
    assert template.purpose == "compliance"
    assert version.has_overall is False
    assert {q.kind for q in version.questions} == {"yes_no"}


def test_the_thematic_audits_have_an_overall_judgement_on_the_ofsted_scale(app, users):
    for slug in ("plo", "private-fostering", "homeless-16-17", "annual-supervision"):
        version = builtin(slug).latest_published
        assert version.has_overall and version.good_or_better == 2, slug
        assert version.scale[:2] == ["Outstanding", "Good"]


def test_the_load_templates_command(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["load-templates"])
    assert first.exit_code == 0 and f"Loaded: {', '.join(SLUGS)}" in first.output
    second = runner.invoke(args=["load-templates"])
    assert "Loaded: none" in second.output and "Already present" in second.output
