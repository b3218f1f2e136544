"""Journey: the QA officer draws a sample, moderates one audit blind and sees the comparison;
the auditor reads the feedback and acknowledges it. axe-core runs on every page."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from audit_app.audits import workflow
from audit_app.extensions import db
from audit_app.models import User
from tests import factories
from tests.test_audit_workflow import complete

pytestmark = pytest.mark.browser


@pytest.fixture
def submitted_audits(live_server):
    """Three audits by the demo auditor, submitted in Q3 2026-27."""
    with live_server.app.app_context():
        auditor = db.session.scalar(db.select(User).where(User.email == "auditor@example.org.uk"))
        programme = factories.make_programme(factories.make_template())
        for number in range(3):
            audit = factories.make_audit(programme, factories.make_case(f"LCS-80{number}"),
                                         auditor)
            complete(audit, auditor, grade="Good")
            workflow.submit(audit, auditor, audit.row_version, today=date(2026, 11, 2))
        db.session.commit()
        db.session.remove()


def fill_date(page, legend, day, month, year):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_qa_officer_moderates_blind_and_auditor_acknowledges(new_journey, submitted_audits):
    qa = new_journey()
    page = qa.page
    qa.goto("/moderation/rounds/new")
    qa.sign_in("moderator@example.org.uk")
    qa.fill("Round name", "Q3 2026-27 QA officer moderation")
    fill_date(page, "Period start", "1", "10", "2026")
    fill_date(page, "Period end", "31", "12", "2027")
    page.get_by_role("radio", name=re.compile("^Quality assurance officer")).check()
    page.get_by_role("radio", name="Blind").check()
    page.get_by_role("textbox", name="Quota").fill("2")
    page.get_by_role("radio", name="Simple random").check()
    page.get_by_role("checkbox", name="Morgan Moderator").check()
    qa.click_button("Create round")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Q3 2026-27 QA officer")

    qa.click_button("Draw the sample")
    expect(page.locator("main")).to_contain_text("3 submitted audits")
    samples = page.locator("tbody tr")
    expect(samples).to_have_count(2)
    expect(samples.first).to_contain_text("Random")

    first_case = samples.first.get_by_role("link").inner_text()
    qa.click_link(first_case)
    qa.click_button("Start moderation")
    expect(page.locator("main")).not_to_contain_text("The auditor's grade")
    for fieldset in page.locator(".app-question fieldset").all():
        fieldset.get_by_role("radio", name="Requires improvement to be good").check()
    qa.fill("Feedback to the auditor", "Analysis is sound; the plan lacks timescales.")
    qa.click_button("Submit moderation")
    comparison = page.locator("table").first
    expect(comparison).to_contain_text("Overall judgement")
    expect(comparison.locator("tbody tr").first).to_contain_text("Auditor higher")

    auditor = new_journey()
    auditor.goto("/")
    auditor.sign_in("auditor@example.org.uk")
    auditor.click_link(f"Moderation of case {first_case}: read and acknowledge")
    expect(auditor.page.locator("main")).to_contain_text("the plan lacks timescales")
    auditor.click_button("I have read this feedback")
    expect(auditor.page.locator("main")).to_contain_text("acknowledged this feedback")
