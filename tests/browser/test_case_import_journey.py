"""Journey: a moderator imports the case register from a CSV file. A file with mistakes is
refused, every mistake listed by line and column, and nothing is saved; the corrected file
adds and updates cases. axe-core runs on every page."""

import re

import pytest
from playwright.sync_api import expect

from audit_app.extensions import db
from audit_app.models import Case
from tests import factories

pytestmark = pytest.mark.browser

HEADER = "reference,team,cohorts,opened_on,closed_on\r\n"
BAD_FILE = (
    HEADER
    + "LCS-9101,Crewe CIN/CP,CIN;CP,2025-01-06,\r\n"        # line 2: fine
    + "LCS-9102,Nantwich CIN/CP,Child in need,2025-02-01,\r\n"  # line 3: no such team
    + "LCS-9103,Care Leavers,Care leaver,31/02/2025,\r\n"   # line 4: no 31 February
)
GOOD_FILE = (
    HEADER
    + "LCS-9101,Crewe CIN/CP,CIN;CP,2025-01-06,\r\n"
    + "LCS-9103,Care Leavers,Care leaver,28/02/2025,2025-06-30\r\n"
    + "LCS-9001,Macclesfield CIN/CP,child_in_need,2025-01-06,\r\n"  # already in the register
)


@pytest.fixture
def register(live_server):
    """The case register before the import: one case, LCS-9001, in Crewe CIN/CP."""
    with live_server.app.app_context():
        factories.make_case("LCS-9001", team_name="Crewe CIN/CP")
        db.session.commit()
        db.session.remove()


def csv_file(name, text):
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def cases_in_register(live_server):
    with live_server.app.app_context():
        found = {case.reference: case.team.name for case in db.session.scalars(db.select(Case))}
        db.session.remove()
    return found


def test_moderator_imports_cases_after_fixing_a_bad_file(journey, register, live_server):
    page = journey.page
    journey.goto("/")
    journey.sign_in("moderator@example.org.uk")
    journey.click_link("Cases", exact=True)
    journey.click_button("Import cases from a CSV file")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import cases from a CSV file")

    page.get_by_label("Upload a CSV file").set_input_files(csv_file("cases.csv", BAD_FILE))
    journey.click_button("Import cases")
    expect(page).to_have_title(re.compile(r"^Error: Import cases"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The file has 2 problems. Nothing was imported.")
    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0).locator("td")).to_have_text(
        ["3", "team", 'unknown team "Nantwich CIN/CP"'])
    expect(problems.nth(1).locator("td")).to_have_text(
        ["4", "opened_on", 'bad date "31/02/2025": not a real date'])
    assert cases_in_register(live_server) == {"LCS-9001": "Crewe CIN/CP"}

    page.get_by_label("Upload a CSV file").set_input_files(csv_file("cases-fixed.csv", GOOD_FILE))
    journey.click_button("Import cases")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "cases-fixed.csv imported: 2 cases created, 1 updated.")
    table = page.locator("table").filter(has_text="Reference")
    expect(table.locator("caption")).to_have_text("3 cases")
    for reference in ("LCS-9001", "LCS-9101", "LCS-9103"):
        expect(table.get_by_role("link", name=reference, exact=True)).to_be_visible()
    updated = table.locator("tbody tr").filter(has_text="LCS-9001")
    expect(updated).to_contain_text("Macclesfield CIN/CP")
    closed = table.locator("tbody tr").filter(has_text="LCS-9103")
    expect(closed).to_contain_text("Care leaver")
    expect(closed).to_contain_text("30 June 2025")
    assert cases_in_register(live_server) == {
        "LCS-9001": "Macclesfield CIN/CP",
        "LCS-9101": "Crewe CIN/CP",
        "LCS-9103": "Care Leavers",
    }
