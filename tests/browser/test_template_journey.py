"""Journey: an admin builds an audit template from nothing, previews it as auditors will see
it, publishes it and starts a new draft; an empty draft cannot be published. axe-core runs on
every page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GRADED = "How well does the plan reflect the child's wishes and feelings?"
GUIDANCE = "The child's own words are recorded and shape the actions in the plan."
YES_NO = "Was the child seen alone at the last visit?"


def open_templates(journey):
    journey.goto("/")
    journey.sign_in("admin@example.org.uk")
    journey.click_link("Templates", exact=True)
    expect(journey.page.get_by_role("heading", level=1)).to_have_text("Audit templates")


def create_template(journey, name, purpose):
    page = journey.page
    journey.click_button("Create a template")
    journey.fill("Name", name, exact=True)
    page.get_by_role("radio", name=purpose, exact=True).check()
    page.get_by_role("group", name="Does an audit end with an overall judgement?") \
        .get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("radio", name="Ofsted four-point scale").check()
    journey.click_button("Create template")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(notification(page)).to_contain_text(f"Template {name} created")


def add_section(journey, title):
    journey.click_button("Add a section")
    journey.fill("Section title", title)
    journey.click_button("Save section")
    expect(notification(journey.page)).to_contain_text(f"Section {title} added")


def notification(page):
    return page.locator(".govuk-notification-banner")


def preview_legends(page):
    """The questions' labels, in order, as the version page previews them to auditors."""
    return page.locator(".app-template-question legend")


def test_admin_builds_publishes_and_redrafts_a_template(journey):
    page = journey.page
    open_templates(journey)
    create_template(journey, "Voice of the child thematic audit", "Thematic audit")
    expect(page.locator(".govuk-caption-l")).to_have_text("Version 1")
    expect(page.locator("#settings")).to_contain_text("Draft")
    expect(page.locator("#settings")).to_contain_text(
        "Outstanding, Good, Requires improvement to be good, Inadequate")

    add_section(journey, "Voice of the child")
    expect(page.get_by_role("heading", name="1. Voice of the child")).to_be_visible()

    journey.click_button("Add a question to section 1")
    journey.fill("Question", GRADED, exact=True)
    page.get_by_role("radio", name="Graded on the judgement scale").check()
    journey.fill("What good looks like (optional)", GUIDANCE)
    page.get_by_label("Domain (optional)").select_option(label="Voice of the child")
    journey.click_button("Save question")
    expect(notification(page)).to_contain_text("Question added")

    journey.click_button("Add a question to section 1")
    journey.fill("Question", YES_NO, exact=True)
    page.get_by_role("radio", name="Yes, no, partly or not applicable").check()
    journey.click_button("Save question")
    expect(preview_legends(page)).to_have_text([f"1.1 {GRADED}", f"1.2 {YES_NO}"])

    journey.click_button("Move up question 2 in section 1")
    expect(preview_legends(page)).to_have_text([f"1.1 {YES_NO}", f"1.2 {GRADED}"])

    # Preview: from the list of versions, open version 1 and read it as an auditor would.
    journey.click_link("Back to all versions")
    versions = page.locator("table").filter(has_text="Versions").locator("tbody tr")
    expect(versions).to_have_count(1)
    expect(versions.first).to_contain_text("Draft")
    expect(versions.first.locator("td").nth(3)).to_have_text("2")  # questions
    journey.click_link("Version 1", exact=True)
    expect(page.get_by_role("heading", name="How auditors see it")).to_be_visible()
    yes_no = page.get_by_role("group", name=f"1.1 {YES_NO}")
    expect(yes_no.get_by_role("radio")).to_have_count(4)
    expect(yes_no.get_by_role("radio", name="Partly")).to_be_disabled()
    graded = page.get_by_role("group", name=f"1.2 {GRADED}")
    expect(graded).to_contain_text(GUIDANCE)
    expect(graded.get_by_role("radio")).to_have_count(4)
    expect(graded.get_by_role("radio", name="Requires improvement to be good")).to_be_disabled()
    expect(page.get_by_label("Evidence for 1.2")).to_be_disabled()
    expect(page.locator(".app-template-question").nth(1)).to_contain_text(
        "Domain: Voice of the child.")
    expect(page.get_by_role("group", name=re.compile("overall judgement"))).to_be_visible()

    journey.click_button("Publish this version")
    expect(notification(page)).to_contain_text(
        "Version 1 of Voice of the child thematic audit is published")
    expect(page.locator("#settings")).to_contain_text("Published, in use")
    expect(page.get_by_role("button", name=re.compile("^Move"))).to_have_count(0)

    journey.click_button("Create a new draft")
    expect(page.locator(".govuk-caption-l")).to_have_text("Version 2")
    expect(notification(page)).to_contain_text("Version 2 is a draft copy of version 1")
    expect(preview_legends(page)).to_have_text([f"1.1 {YES_NO}", f"1.2 {GRADED}"])

    journey.click_link("Back to all versions")
    expect(versions).to_have_count(2)
    expect(versions.nth(0).locator("td").nth(0)).to_have_text("Version 2")
    expect(versions.nth(0).locator("td").nth(1)).to_have_text("Draft")
    expect(versions.nth(1).locator("td").nth(0)).to_have_text("Version 1")
    expect(versions.nth(1).locator("td").nth(1)).to_have_text("Published, in use")
    expect(page.get_by_role("button", name="Continue editing draft version 2")).to_be_visible()


def test_an_empty_draft_cannot_be_published(journey):
    page = journey.page
    open_templates(journey)
    create_template(journey, "Supervision dip sample", "Compliance dip sample")

    journey.click_button("Publish this version")
    expect(page).to_have_title(re.compile(r"^Error: Supervision dip sample, version 1"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Version 1 cannot be published yet")
    expect(summary.locator("li")).to_have_text(["Add at least one section"])
    expect(page.locator("#settings")).to_contain_text("Draft")

    add_section(journey, "Supervision records")
    journey.click_button("Publish this version")
    problem = summary.get_by_role("link", name=re.compile("^Section 1"))
    expect(problem).to_have_text(
        "Section 1 (Supervision records) has no questions: add a question or remove the section")
    section_id = page.get_by_role("heading", name="1. Supervision records").get_attribute("id")
    expect(problem).to_have_attribute("href", f"#{section_id}")
    expect(page.locator("#settings")).to_contain_text("Not yet")  # still unpublished
