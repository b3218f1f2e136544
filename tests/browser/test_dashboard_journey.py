"""Journey: a leader opens the dashboard, chooses a quarter, follows a figure to its team
breakdown and on to the audits behind a team's figure, and opens one. axe-core runs on every
page (the charts are SVG images with their text alternatives); no JavaScript is needed."""

import re

import pytest
from playwright.sync_api import expect

from audit_app.extensions import db
from tests.conftest import demo_users_by_role
from tests.moderation_factories import make_target, make_user
from tests.test_measures import hand_counted

pytestmark = pytest.mark.browser


@pytest.fixture
def audited(live_server):
    """tests/test_measures.py's hand-counted Q2 2022-23 audits, against a 70% target."""
    with live_server.app.app_context():
        users = demo_users_by_role()
        hand_counted({"auditor": users["auditor"], "moderator": users["moderator"],
                      "second": make_user("Mo Second", roles=("moderator",)),
                      "other": make_user("Olu Other")})
        make_target("good_or_better", 0.7)
        db.session.commit()
        db.session.remove()


def test_a_leader_follows_a_figure_to_its_teams_and_the_audits_behind_it(
        new_journey, live_server, audited):
    journey = new_journey(java_script_enabled=False)
    page = journey.page
    journey.goto("/")
    journey.sign_in("leader@example.org.uk")
    journey.click_link("Dashboard", exact=True)
    page.get_by_label("Quarter", exact=True).select_option(label="Q2 2022-23")
    journey.click_button("Show figures")
    headline = page.get_by_role("table", name="Headline figures")
    expect(headline).to_contain_text("4 of 6")
    expect(headline).to_contain_text("Sample too small to judge against 70%")
    chart = page.get_by_role("img", name="Audits good or better, after moderation")
    expect(chart).to_be_visible()
    # 400% zoom of a 1280-pixel screen: 320 CSS pixels. The charts shrink to fit and the
    # wide tables scroll in their own boxes; the page never scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert chart.bounding_box()["width"] <= 320
    page.set_viewport_size({"width": 1280, "height": 720})

    journey.click_link("Audits good or better, after moderation", exact=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Audits good or better, after moderation")
    teams = page.get_by_role("table", name=re.compile("by team"))
    expect(teams).to_contain_text("Macclesfield CIN/CP")

    journey.click_link(re.compile(r"^4 of 5\W+the audits behind .*Crewe CIN"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audits behind the figure")
    expect(page.locator("main table tbody tr")).to_have_count(5)
    journey.click_link("LCS-A1", exact=True)
    expect(page.get_by_role("heading", level=1)).to_contain_text("LCS-A1")
