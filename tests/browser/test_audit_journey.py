"""Journey: an auditor completes a whole case file audit section by section and submits it.

Every page on the way is checked with axe-core (WCAG 2.2 AA) by the Journey.
"""

import re

import pytest
from playwright.sync_api import expect

from audit_app.extensions import db
from audit_app.models import Audit, User
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def allocated(live_server):
    """A whole case file audit allocated to the demo auditor."""
    with live_server.app.app_context():
        auditor = db.session.scalar(db.select(User).where(User.email == "auditor@example.org.uk"))
        template = factories.whole_case_file_template()
        programme = factories.make_programme(template)
        audit = factories.make_audit(programme, factories.make_case("LCS-7001"), auditor)
        db.session.commit()
        audit_id = audit.id
        db.session.remove()
    return audit_id


def answer_every_question(page):
    """Answer a section page as an auditor would: a grade or yes for each question, evidence,
    dates and numbers where asked."""
    for fieldset in page.locator(".app-question fieldset").all():
        radios = fieldset.get_by_role("radio")
        if radios.count():
            good = fieldset.get_by_role("radio", name=re.compile(r"^(Good|Yes)$"))
            (good if good.count() else radios.first).check()
    for group in page.locator(".app-question .govuk-date-input").all():
        group.get_by_label("Day").fill("3")
        group.get_by_label("Month").fill("11")
        group.get_by_label("Year").fill("2026")
    for box in page.locator(".app-question input.govuk-input:not(.govuk-date-input__input)").all():
        box.fill("4")
    for area in page.locator(".app-question textarea").all():
        area.fill("Seen in the chronology and the latest visit record.")


def test_auditor_completes_and_submits_an_audit(journey, allocated, live_server):
    page = journey.page
    journey.goto("/")
    journey.sign_in("auditor@example.org.uk")
    journey.click_link("Case LCS-7001", exact=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of case LCS-7001")
    sections = page.locator(".govuk-task-list__item").count() - 2  # summary, recommendations

    journey.click_link(re.compile(r"^1\. "))
    for number in range(1, sections + 1):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{number}. ")
        answer_every_question(page)
        journey.click_button("Save and continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Overall judgement and summary")
    page.get_by_role("radio", name="Good", exact=True).check()
    journey.fill("Strengths", "The child's voice is clear throughout.")
    journey.click_button("Save and continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations")
    journey.fill("Recommendation", "Update the chronology before the next review.")
    journey.click_button("Save recommendation")
    expect(page.locator(".govuk-table")).to_contain_text("Update the chronology")

    journey.click_link("Continue to check your answers")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting the audit")
    journey.click_button("Submit audit")
    expect(page.locator(".govuk-panel__title")).to_have_text("Audit submitted")

    with live_server.app.app_context():
        audit = db.session.get(Audit, allocated)
        assert audit.status == "submitted"
        assert audit.overall_grade == "Good"
        assert [a.status for a in audit.actions] == ["open"]
        db.session.remove()


def test_submit_with_gaps_links_to_the_missing_answers(journey, allocated):
    page = journey.page
    journey.goto(f"/audits/{allocated}/check")
    journey.sign_in("auditor@example.org.uk")
    journey.click_button("Submit audit")
    expect(page).to_have_title(re.compile(r"^Error: Check your answers"))
    first = page.locator(".govuk-error-summary a").first
    expect(first).to_contain_text("Answer question 1.1")
    with page.expect_navigation():
        first.click()
    journey.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1. ")


def test_autosave_keeps_a_draft_every_30_seconds(journey, allocated, live_server):
    """With JavaScript, typed answers are saved in the background; a later Save still works
    because the page took the new version number."""
    page = journey.page
    page.clock.install()
    journey.goto(f"/audits/{allocated}/sections/1")
    journey.sign_in("auditor@example.org.uk")
    first = page.locator(".app-question fieldset").first
    first.get_by_role("radio", name="Good", exact=True).check()
    page.clock.fast_forward("00:31")
    expect(page.get_by_role("status")).to_contain_text("Draft saved at")
    with live_server.app.app_context():
        audit = db.session.get(Audit, allocated)
        assert [a.value for a in audit.answers] == ["Good"]
        assert audit.status == "in_progress"
        db.session.remove()
    # Nothing changed since: the next tick sends nothing.
    page.clock.fast_forward("00:31")
    journey.click_button("Save as draft")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your draft has been saved.")
    journey.assert_no_browser_errors()
