"""Audit templates: the versioning rules (services) and the admin pages that build a template."""

import pytest

from audit_app.audit_templates import services
from audit_app.extensions import db
from audit_app.models import (
    Audit,
    AuditTemplate,
    Event,
    TemplateQuestion,
    TemplateSection,
    TemplateVersion,
)
from audit_app.models.templates import OFSTED_SCALE
from audit_app.versioning import EditConflict
from tests import factories
from tests.pages import csrf_token_from

GRADED = {"kind": "graded", "required": True, "domain": "assessment", "evidence_required": True}


def new_template(slug="test-audit", name="Test audit", **kwargs):
    values = {"purpose": "thematic", "has_overall": True, "scale": list(OFSTED_SCALE),
              "good_or_better": 2, **kwargs}
    return services.create_template(name=name, slug=slug, **values)


def seen(version):
    return version.row_version


def build(version, spec):
    """spec: [(section title, [question text or dict, ...]), ...]"""
    for title, questions in spec:
        section = services.add_section(version, {"title": title}, seen=seen(version))
        for question in questions:
            values = question if isinstance(question, dict) else {**GRADED, "text": question}
            services.add_question(section, values, seen=seen(version))
    return version


def published_template(slug="test-audit"):
    template = new_template(slug=slug)
    version = build(template.versions[0], [
        ("Assessment", ["How good is the assessment?", "Is the plan SMART?"]),
        ("Oversight", [{"text": "Was the child seen alone?", "kind": "yes_no", "required": True,
                        "domain": "voice_of_child"}]),
    ])
    services.publish(version, seen=seen(version))
    db.session.commit()
    return template


def events(entity_type, action=None):
    query = db.select(Event).where(Event.entity_type == entity_type).order_by(Event.id)
    if action:
        query = query.where(Event.action == action)
    return db.session.scalars(query).all()


def layout(version):
    return [(s.position, s.title, [(q.position, q.key) for q in s.questions])
            for s in version.sections]


# Creating and building a draft ----------------------------------------------------------


def test_a_new_template_is_an_empty_draft_version_1_and_is_logged(app, users):
    template = new_template(name="Neglect thematic audit", slug="")
    db.session.commit()
    assert template.slug == "neglect-thematic-audit"  # made from the name
    [version] = template.versions
    assert (version.number, version.status, version.sections) == (1, "draft", [])
    assert template.draft is version and template.latest_published is None
    assert events("audit_template", "created")[-1].after == {
        "name": "Neglect thematic audit", "slug": "neglect-thematic-audit", "purpose": "thematic"}
    assert events("template_version", "created")[-1].after["scale"] == OFSTED_SCALE


def test_slugs_are_unique_and_web_safe(app, users):
    new_template(slug="neglect")
    with pytest.raises(services.FieldError) as taken:
        new_template(slug="neglect", name="Another")
    assert taken.value.problems == [
        ("slug", "A template with the slug neglect already exists. Enter a different slug.")]
    with pytest.raises(services.FieldError) as bad:
        new_template(slug="Neglect Audit")
    assert bad.value.problems[0][0] == "slug"
    with pytest.raises(services.FieldError) as derived:
        new_template(slug="", name="Whole case file")  # the built-in template has it
    assert "whole-case-file (made from the name) already exists" in str(derived.value)


def test_a_custom_scale_needs_two_grades_and_a_sensible_good_or_better(app, users):
    template = new_template(scale=["Good", "Not good"], good_or_better=1)
    assert template.versions[0].scale == ["Good", "Not good"]
    for scale, good, field in [
        (["Only"], 1, "grades"),
        (["Good", "good", "Poor"], 1, "grades"),
        (["Good", "Poor"], 2, "good_or_better"),
        (["Good", "Poor"], 0, "good_or_better"),
        (["Good", "x" * 61], 1, "grades"),
    ]:
        with pytest.raises(services.FieldError) as error:
            new_template(slug=f"s-{len(scale)}-{good}", scale=scale, good_or_better=good)
        assert error.value.problems[0][0] == field, (scale, good)


def test_sections_and_questions_are_added_moved_and_removed_in_order(app, users):
    version = build(new_template().versions[0], [
        ("First", ["Question one?", "Question two?", "Question three?"]),
        ("Second", []),
        ("Third", []),
    ])
    first, second, third = version.sections
    assert [q.key for q in first.questions] == ["question_one", "question_two", "question_three"]

    assert services.move_section(third, "up", seen=seen(version)) is True
    assert services.move_section(first, "up", seen=seen(version)) is False  # already first
    one, two, three = first.questions
    services.move_question(three, "up", seen=seen(version))
    services.move_question(one, "down", seen=seen(version))
    assert layout(version) == [
        (1, "First", [(1, "question_three"), (2, "question_one"), (3, "question_two")]),
        (2, "Third", []),
        (3, "Second", []),
    ]
    services.remove_question(one, seen=seen(version))
    services.remove_section(third, seen=seen(version))
    db.session.commit()
    db.session.expire_all()
    assert layout(db.session.get(TemplateVersion, version.id)) == [
        (1, "First", [(1, "question_three"), (2, "question_two")]),
        (2, "Second", []),
    ]
    assert [e.action for e in events("template_section")] == [
        "created", "created", "created", "moved", "removed"]
    assert events("template_question", "removed")[0].before["key"] == "question_one"
    assert events("template_section", "moved")[0].after == {"position": 2}


def test_question_keys_are_unique_in_a_version_and_valid(app, users):
    version = build(new_template().versions[0], [("Section", ["Is the plan SMART?"])])
    section = version.sections[0]
    # A key made from the text gets a number when it is taken.
    again = services.add_question(section, {**GRADED, "text": "Is the plan SMART?"},
                                  seen=seen(version))
    assert again.key == "is_the_plan_smart_2"
    with pytest.raises(services.FieldError) as taken:
        services.add_question(section, {**GRADED, "text": "Q", "key": "is_the_plan_smart"},
                              seen=seen(version))
    assert taken.value.problems == [("key", "The key is_the_plan_smart is already used by "
                                            "question 1 in section 1. Keys must be unique "
                                            "within a version.")]
    with pytest.raises(services.FieldError) as bad:
        services.add_question(section, {**GRADED, "text": "Q", "key": "Bad key!"},
                              seen=seen(version))
    assert bad.value.problems[0][0] == "key"
    # Editing a question may keep its own key.
    services.edit_question(again, {**GRADED, "text": "Reworded?", "key": again.key},
                           seen=seen(version))
    assert again.text == "Reworded?"


def test_only_graded_questions_can_require_evidence_and_every_problem_is_reported(app, users):
    version = build(new_template().versions[0], [("Section", [])])
    db.session.commit()
    row_version = version.row_version
    with pytest.raises(services.FieldError) as error:
        services.add_question(
            version.sections[0],
            {"text": " ", "kind": "yes_no", "evidence_required": True, "domain": "nonsense"},
            seen=seen(version),
        )
    assert [field for field, _ in error.value.problems] == ["text", "domain",
                                                            "evidence_required"]
    db.session.rollback()  # as the page does: a refused change is no change
    assert version.row_version == row_version and version.questions == []


# Publishing and immutability ------------------------------------------------------------


def test_publishing_lists_every_problem(app, users):
    template = new_template()
    version = template.versions[0]
    with pytest.raises(services.PublishError) as empty:
        services.publish(version, seen=seen(version))
    assert [p.text for p in empty.value.problems] == ["Add at least one section"]

    build(version, [("Assessment", ["How good is the assessment?"]), ("Empty", [])])
    second = services.add_section(version, {"title": "Oversight"}, seen=seen(version))
    services.add_question(second, {**GRADED, "text": "Oversight?", "key": "oversight"},
                          seen=seen(version))
    # Values the pages cannot make, but an old database or a bug could.
    version.sections[0].questions[0].key = "oversight"
    version.sections[0].questions[0].kind = "yes_no"
    version.good_or_better = 4
    with pytest.raises(services.PublishError) as error:
        services.publish(version, seen=seen(version))
    texts = [p.text for p in error.value.problems]
    assert texts == [
        "The number of grades that count as good or better must be between 1 and 3",
        "Question 1 in section 1 requires evidence but is not graded: only graded questions "
        "can require evidence",
        "Section 2 (Empty) has no questions: add a question or remove the section",
        "Question 1 in section 3 has the key oversight, which question 1 in section 1 already "
        "has: keys must be unique within a version",
    ]
    assert error.value.problems[2].target == f"section-{version.sections[1].id}"
    assert isinstance(error.value, ValueError) and "Section 2 (Empty)" in str(error.value)
    assert version.status == "draft"


def test_a_published_version_never_changes(app, users):
    template = published_template()
    version = template.latest_published
    section, question = version.sections[0], version.sections[0].questions[0]
    before = services.export_json(version)
    attempts = [
        lambda: services.add_section(version, {"title": "New"}, seen=seen(version)),
        lambda: services.edit_section(section, {"title": "Changed"}, seen=seen(version)),
        lambda: services.move_section(section, "down", seen=seen(version)),
        lambda: services.remove_section(section, seen=seen(version)),
        lambda: services.add_question(section, {**GRADED, "text": "New?"}, seen=seen(version)),
        lambda: services.edit_question(question, {**GRADED, "text": "Changed?"},
                                       seen=seen(version)),
        lambda: services.move_question(question, "down", seen=seen(version)),
        lambda: services.remove_question(question, seen=seen(version)),
        lambda: services.update_settings(version, {
            "name": "X", "purpose": "thematic", "has_overall": False, "scale": ["A", "B"],
            "good_or_better": 1}, seen=seen(version)),
        lambda: services.publish(version, seen=seen(version)),
        lambda: services.discard_draft(version, seen=seen(version)),
    ]
    for attempt in attempts:
        with pytest.raises(services.VersionLockedError, match="is published, so it cannot"):
            attempt()
    db.session.rollback()
    assert services.export_json(db.session.get(TemplateVersion, version.id)) == before


def test_a_new_draft_is_a_deep_copy_and_there_is_only_one(app, users):
    template = published_template()
    v1 = template.latest_published
    v2 = services.new_draft(template)
    db.session.commit()
    assert (v2.number, v2.status) == (2, "draft")
    assert layout(v2) == layout(v1)
    assert {q.id for q in v2.questions}.isdisjoint({q.id for q in v1.questions})
    assert services.export_json(v2) == services.export_json(v1)
    with pytest.raises(services.DraftExistsError, match=r"already has a draft \(version 2\)"):
        services.new_draft(template)
    services.edit_question(v2.sections[0].questions[0], {**GRADED, "text": "Reworded?",
                                                         "key": "how_good_is_the_assessment"},
                           seen=seen(v2))
    db.session.commit()
    assert v1.sections[0].questions[0].text == "How good is the assessment?"
    assert events("template_version", "created")[-1].note == "copied from version 1"


def test_audits_keep_the_version_they_were_started_on(app, users):
    template = published_template()
    v1 = template.latest_published
    v1_json = services.export_json(v1)
    programme = factories.make_programme(template)
    audit = factories.make_audit(programme, factories.make_case(), users["auditor"])
    db.session.commit()

    v2 = services.new_draft(template)
    services.remove_section(v2.sections[1], seen=seen(v2))
    services.add_question(v2.sections[0], {**GRADED, "text": "Is identity considered?"},
                          seen=seen(v2))
    services.publish(v2, seen=seen(v2))
    db.session.commit()
    db.session.expire_all()

    assert template.latest_published.number == 2
    assert db.session.get(Audit, audit.id).template_version_id == v1.id
    assert services.export_json(db.session.get(TemplateVersion, v1.id)) == v1_json


def test_a_version_used_by_audits_is_locked_even_if_still_a_draft(app, users):
    template = published_template()
    draft = services.new_draft(template)
    programme = factories.make_programme(template)
    audit = factories.make_audit(programme, factories.make_case(), users["auditor"])
    audit.template_version_id = draft.id  # should never happen; the lock holds if it does
    db.session.flush()
    with pytest.raises(services.VersionLockedError, match="is used by audits"):
        services.add_section(draft, {"title": "New"}, seen=seen(draft))


def test_a_stale_row_version_is_a_conflict_and_changes_nothing(app, users):
    template = published_template()
    draft = services.new_draft(template)
    db.session.commit()
    opened = draft.row_version
    services.edit_section(draft.sections[0], {"title": "First admin"}, seen=opened)
    with pytest.raises(EditConflict):
        services.edit_section(draft.sections[0], {"title": "Second admin"}, seen=opened)
    with pytest.raises(EditConflict):
        services.edit_section(draft.sections[0], {"title": "No version"}, seen=None)
    assert draft.sections[0].title == "First admin"


def test_a_change_loses_as_a_whole_to_another_admins_saved_since_the_page_opened(app, users):
    template = published_template()
    draft = services.new_draft(template)
    db.session.commit()
    section = draft.sections[0]
    opened = draft.row_version
    # Another admin's change commits after this admin's page was rendered.
    db.session.execute(db.text("UPDATE template_versions SET row_version = row_version + 1 "
                               "WHERE id = :id"), {"id": draft.id})
    db.session.commit()
    with pytest.raises(EditConflict):
        services.edit_section(section, {"title": "Mine"}, seen=opened)
    db.session.rollback()
    assert db.session.get(TemplateSection, section.id).title == "Assessment"


def test_a_later_draft_can_be_discarded_but_version_1_cannot(app, users):
    template = published_template()
    draft = services.new_draft(template)
    db.session.commit()
    services.discard_draft(draft, seen=seen(draft))
    db.session.commit()
    assert [v.number for v in template.versions] == [1]
    assert events("template_version", "discarded")[0].before["number"] == 2
    assert db.session.scalar(db.select(db.func.count(TemplateQuestion.id)).join(
        TemplateQuestion.section).where(db.text(f"version_id = {draft.id}"))) == 0
    first = new_template(slug="other").versions[0]
    with pytest.raises(services.VersionLockedError, match="Version 1 cannot be discarded"):
        services.discard_draft(first, seen=seen(first))


# Pages ----------------------------------------------------------------------------------


def version_page(template, number):
    return f"/admin/templates/{template.id}/versions/{number}"


def version_value(page):
    return page.soup.find("input", attrs={"name": "version"})["value"]


def template_by_slug(slug):
    return db.session.scalar(db.select(AuditTemplate).where(AuditTemplate.slug == slug))


def test_admin_builds_publishes_and_redrafts_a_template(client, login, users):
    login("admin")
    response = client.submit("/admin/templates/new", {
        "name": "Neglect thematic audit", "slug": "", "purpose": "thematic",
        "has_overall": "yes", "scale_kind": "ofsted",
    })
    assert response.status_code == 302
    template = template_by_slug("neglect-thematic-audit")
    page = version_page(template, 1)
    assert response.headers["Location"] == page

    for title in ("Neglect", "Oversight"):
        response = client.submit(f"{page}/sections/new", {
            "title": title, "description": f"About {title.lower()}.",
            "version": version_value(client.get(f"{page}/sections/new"))})
        assert response.status_code == 302
    neglect, oversight = template.versions[0].sections
    for section, text, kind in [
        (neglect, "How well is the impact of neglect understood?", "graded"),
        (neglect, "Was the graded care profile used?", "yes_no"),
        (oversight, "How effective is management oversight?", "graded"),
    ]:
        url = f"/admin/templates/sections/{section.id}/questions/new"
        response = client.submit(url, {
            "text": text, "kind": kind, "guidance": "Good looks like: ...", "required": "y",
            "domain": "management_oversight" if section is oversight else "",
            "evidence_required": "y" if kind == "graded" else "",
            "version": version_value(client.get(url))})
        assert response.status_code == 302, response.text

    # Reorder with the buttons on the version page.
    preview = client.get(page)
    move_down = preview.soup.find("form", action=f"/admin/templates/sections/{neglect.id}/move")
    assert move_down.button["value"] == "down"
    client.submit(move_down["action"], {"direction": "down", "version": version_value(preview)},
                  page=page)
    db.session.expire_all()
    assert [s.title for s in template_by_slug("neglect-thematic-audit").versions[0].sections] == [
        "Oversight", "Neglect"]

    preview = client.get(page)
    headings = [h.get_text(" ", strip=True) for h in preview.soup.select("main h3")]
    assert headings == ["1. Oversight", "2. Neglect", "Overall judgement"]
    assert "Good looks like: ..." in preview.soup.select_one(".app-template-question").text
    inputs = preview.soup.select(".app-template-question input:not([type=hidden]), "
                                 ".app-template-question textarea")
    assert inputs and all(i.has_attr("disabled") for i in inputs)

    response = client.submit(f"{page}/publish", {"version": version_value(preview)}, page=page)
    assert response.status_code == 302
    published = client.get(page)
    assert "Published, in use" in published.text
    assert published.soup.find("a", string="Move up") is None
    assert not published.soup.find_all("form", action=lambda a: a and "/move" in a)

    response = client.submit(f"/admin/templates/{template.id}/drafts", {}, page=page)
    assert response.headers["Location"] == version_page(template, 2)
    listing = client.get("/admin/templates/").soup
    row = [td.get_text(strip=True) for td in listing.find(
        "a", string="Neglect thematic audit").find_parent("tr").find_all("td")]
    assert row == ["Neglect thematic audit", "Thematic audit", "Version 1", "Yes (version 2)"]
    versions = client.get(f"/admin/templates/{template.id}").text
    assert "Published, in use" in versions and "Draft" in versions


def test_publishing_from_the_page_shows_every_problem_in_an_error_summary(client, login,
                                                                            users):
    login("admin")
    template = new_template()
    build(template.versions[0], [("Empty", [])])
    db.session.commit()
    page = version_page(template, 1)
    response = client.submit(f"{page}/publish", {"version": version_value(client.get(page))},
                             page=page)
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: Test audit, version 1")
    summary = response.soup.select_one(".govuk-error-summary")
    assert "Version 1 cannot be published yet" in summary.get_text()
    [link] = summary.select("a")
    assert link.get_text() == "Section 1 (Empty) has no questions: add a question or remove " \
                              "the section"
    assert response.soup.find(id=link["href"][1:]) is not None
    assert template.versions[0].status == "draft"


def test_create_template_form_errors(client, login, users):
    login("admin")
    response = client.submit("/admin/templates/new", {
        "name": "", "slug": "Bad Slug", "scale_kind": "custom", "grades": "Only one",
        "good_or_better": "lots"})
    summary = [a.get_text() for a in response.soup.select(".govuk-error-summary a")]
    assert summary == [
        "Enter a name",
        "Select the purpose of the template",
        "Select yes if an audit ends with an overall judgement",
        "Enter how many of the top grades count as good or better, as a number like 2",
    ]
    response = client.submit("/admin/templates/new", {
        "name": "Neglect", "slug": "Bad Slug", "purpose": "thematic", "has_overall": "no",
        "scale_kind": "custom", "grades": "Secure\nNot secure", "good_or_better": "1"})
    assert "Enter a slug that will work in a web address" in response.text
    response = client.submit("/admin/templates/new", {
        "name": "Neglect", "purpose": "thematic", "has_overall": "no", "scale_kind": "custom",
        "grades": "Secure\r\n\r\nNot secure\r\n", "good_or_better": "2"})
    assert ("The number of grades that count as good or better must be between 1 and 1"
            in response.text)
    response = client.submit("/admin/templates/new", {
        "name": "Neglect", "purpose": "thematic", "has_overall": "no", "scale_kind": "custom",
        "grades": "Secure\r\n\r\nNot secure\r\n", "good_or_better": "1"})
    assert response.status_code == 302
    version = template_by_slug("neglect").versions[0]
    assert (version.scale, version.good_or_better, version.has_overall) == (
        ["Secure", "Not secure"], 1, False)


def test_settings_of_a_draft_can_be_changed(client, login, users):
    login("admin")
    template = new_template()
    db.session.commit()
    url = f"{version_page(template, 1)}/settings"
    form = client.get(url)
    assert form.soup.find("input", attrs={"name": "scale_kind", "value": "ofsted"}).has_attr(
        "checked")
    response = client.submit(url, {
        "name": "Renamed audit", "purpose": "compliance", "has_overall": "no",
        "scale_kind": "custom", "grades": "Met\nPartly met\nNot met", "good_or_better": "1",
        "version": version_value(form)})
    assert response.status_code == 302
    db.session.expire_all()
    template = db.session.get(AuditTemplate, template.id)
    assert (template.name, template.purpose) == ("Renamed audit", "compliance")
    assert template.versions[0].scale == ["Met", "Partly met", "Not met"]
    assert events("template_version", "updated")[-1].after == {
        "has_overall": False, "scale": ["Met", "Partly met", "Not met"], "good_or_better": 1}


def test_two_admins_editing_the_same_question_get_a_conflict_not_an_overwrite(client, login,
                                                                               users):
    login("admin")
    template = published_template()
    draft = services.new_draft(template)
    db.session.commit()
    question = draft.sections[0].questions[0]
    url = f"/admin/templates/questions/{question.id}"
    page = client.get(url)  # both admins open the page
    assert "Someone else" not in page.text
    opened = version_value(page)
    base = {"kind": "graded", "key": question.key, "required": "y", "domain": "assessment",
            "evidence_required": "y", "version": opened}
    first = client.submit(url, {**base, "text": "First admin's wording?"})
    assert first.status_code == 302
    second = client.submit(url, {**base, "text": "Second admin's wording?"})
    assert second.status_code == 200
    assert "Someone else changed this draft while you were editing it" in second.text
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])]
            for tr in second.soup.select(".govuk-error-summary tbody tr")]
    assert rows == [["Question", "First admin's wording?", "Second admin's wording?"]]
    db.session.expire_all()
    assert db.session.get(TemplateQuestion, question.id).text == "First admin's wording?"
    # Saving again from the conflict page keeps the second wording, knowingly.
    third = client.submit(url, {**base, "text": "Second admin's wording?",
                                "version": version_value(second)})
    assert third.status_code == 302
    db.session.expire_all()
    assert db.session.get(TemplateQuestion, question.id).text == "Second admin's wording?"


def test_a_conflict_on_a_section_says_when_another_part_changed(client, login, users):
    login("admin")
    template = published_template()
    draft = services.new_draft(template)
    db.session.commit()
    first, second = draft.sections
    opened = version_value(client.get(f"/admin/templates/sections/{first.id}"))
    client.submit(f"/admin/templates/sections/{second.id}",
                  {"title": "Changed elsewhere", "version": opened})
    response = client.submit(f"/admin/templates/sections/{first.id}",
                             {"title": "Assessment", "version": opened})
    assert response.status_code == 200
    assert ("They did not change this section; they changed another part of the draft."
            in response.text)
    # A post without the version it started from is a conflict too, never a pass.
    url = f"/admin/templates/sections/{first.id}"
    token = csrf_token_from(client.get(url).text)
    response = client.post(url, data={"title": "No version", "csrf_token": token})
    assert "Someone else changed this draft" in response.text
    db.session.expire_all()
    assert db.session.get(TemplateSection, first.id).title == "Assessment"


def test_a_stale_move_or_remove_changes_nothing(client, login, users):
    login("admin")
    template = published_template()
    draft = services.new_draft(template)
    db.session.commit()
    page = version_page(template, 2)
    stale = version_value(client.get(page))
    client.submit(f"/admin/templates/sections/{draft.sections[0].id}",
                  {"title": "Renamed", "version": stale})
    section_id = draft.sections[0].id
    response = client.submit(f"/admin/templates/sections/{section_id}/move",
                             {"direction": "down", "version": stale}, page=page)
    assert response.status_code == 302
    assert "Someone else changed this draft" in client.get(page).text
    remove = f"/admin/templates/sections/{section_id}/remove"
    response = client.submit(remove, {"version": stale})
    assert response.status_code == 200 and "nothing has been removed" in response.text
    db.session.expire_all()
    assert [s.title for s in db.session.get(TemplateVersion, draft.id).sections] == [
        "Renamed", "Oversight"]
    response = client.submit(remove, {"version": version_value(response)})
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.title for s in db.session.get(TemplateVersion, draft.id).sections] == [
        "Oversight"]


def test_edit_pages_of_a_published_version_send_you_back(client, login, users):
    login("admin")
    template = published_template()
    question = template.latest_published.sections[0].questions[0]
    response = client.get(f"/admin/templates/questions/{question.id}")
    assert response.headers["Location"] == version_page(template, 1)
    assert "Create a new draft to make changes" in client.get(version_page(template, 1)).text


def test_question_form_errors(client, login, users):
    login("admin")
    template = published_template()
    draft = services.new_draft(template)
    db.session.commit()
    url = f"/admin/templates/sections/{draft.sections[0].id}/questions/new"
    response = client.submit(url, {"text": "Seen?", "kind": "yes_no", "key": "Bad key",
                                   "evidence_required": "y",
                                   "version": version_value(client.get(url))})
    summary = [a.get_text() for a in response.soup.select(".govuk-error-summary a")]
    assert summary == [
        "Enter a key of up to 80 characters: use lowercase letters, numbers, and single hyphens "
        "or underscores, like voice_of_child",
        "Only graded questions can require written evidence",
    ]
    response = client.submit(url, {"version": version_value(response)})
    summary = [a.get_text() for a in response.soup.select(".govuk-error-summary a")]
    assert summary == ["Enter the question", "Select the kind of answer"]


def test_the_edit_pages_of_a_draft_open_without_errors(client, login, users):
    login("admin")
    template = published_template()
    draft = services.new_draft(template)
    db.session.commit()
    section, question = draft.sections[0], draft.sections[0].questions[0]
    page = version_page(template, 2)
    for url in (f"{page}/settings", f"{page}/sections/new", f"{page}/discard",
                f"/admin/templates/sections/{section.id}",
                f"/admin/templates/sections/{section.id}/remove",
                f"/admin/templates/sections/{section.id}/questions/new",
                f"/admin/templates/questions/{question.id}",
                f"/admin/templates/questions/{question.id}/remove"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.soup.select_one(".govuk-error-summary, .govuk-warning-text") is None, url
