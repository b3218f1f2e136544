"""The privacy page: open to anyone, linked from every page's footer, and true to the
settings (the retention period an admin chose)."""

from audit_app.extensions import db
from audit_app.settings import set_setting


def test_anyone_can_read_what_is_and_is_never_stored(client):
    sign_in = client.get("/sign-in")
    link = sign_in.soup.select_one("footer a[href='/privacy']")
    assert link.get_text(strip=True) == "Privacy"
    page = client.get("/privacy")
    assert page.status_code == 200
    headings = [h.get_text(strip=True) for h in page.soup.select("h2")]
    assert "What we never store" in headings and "What we store" in headings
    text = page.soup.select_one("main").get_text(" ", strip=True)
    assert "children's or family members' names" in text
    assert "the case reference from the case-record system" in text
    assert "your name, work email address" in text
    assert "closed for 6 years" in text and "after 30 minutes" in text


def test_the_page_follows_the_retention_setting(client, login):
    set_setting("retention_years", "8", 0)
    db.session.commit()
    login("auditor")
    page = client.get("/privacy")
    assert "closed for 8 years" in page.text
    assert page.soup.select_one("footer a[href='/privacy']")
