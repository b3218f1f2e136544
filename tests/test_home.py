"""The home page offers each role only what the tool does today."""

import pytest

from audit_app.extensions import db
from tests.dip_factories import completed_action, drawn_round, make_round


def test_practice_lead_home_offers_the_figures_and_dip_samples(client, login):
    login("practice_lead")
    home = client.get("/")
    panel = home.soup.find(id="panel-leader").find_parent("section")
    assert panel.h2.get_text() == "Performance"
    links = {a.get_text(): a["href"] for a in panel.select("a")}
    assert links == {"Dashboard of headline figures": "/dashboard/",
                     "Moderation agreement report": "/reports/agreement",
                     "Audit programmes": "/programmes/", "All actions": "/actions/all",
                     "Dip sample coverage": "/dip-samples/coverage"}
    for href in links.values():
        assert client.get(href).status_code == 200  # practice leads may open each
    dips = home.soup.find(id="panel-dip_samples").find_parent("section")
    assert dips.h2.get_text() == "Your dip samples"
    assert "You have no dip samples in progress." in dips.get_text()
    assert {a.get_text(): a["href"] for a in dips.select("a")} == {
        "Start a dip sample": "/dip-samples/new", "All dip samples": "/dip-samples/"}


def test_practice_lead_home_lists_their_open_dip_samples(client, login, users):
    lead = users["practice_lead"]
    completed_action(users["auditor"], users["manager"], reference="LCS-H01")
    drawn = drawn_round(lead)
    undrawn = make_round(lead)
    db.session.commit()
    login("practice_lead")
    dips = client.get("/").soup.find(id="panel-dip_samples").find_parent("section")
    items = [(a.get_text(), a["href"]) for a in dips.select("li a") if "December" in a.text]
    assert items == [("December 2026: cases not drawn yet", f"/dip-samples/{undrawn.id}"),
                     ("December 2026: 0 of 1 case done", f"/dip-samples/{drawn.id}")]


@pytest.mark.parametrize("role", ["moderator", "leader"])
def test_quality_assurance_and_leaders_reach_dip_sample_coverage(client, login, role):
    login(role)
    panel = client.get("/").soup.find(id="panel-leader").find_parent("section")
    assert panel.find("a", string="Dip sample coverage")["href"] == "/dip-samples/coverage"
