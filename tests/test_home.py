"""The home page offers each role only what the tool does today."""


def test_practice_lead_home_offers_the_figures_and_no_dip_sampling(client, login):
    login("practice_lead")
    home = client.get("/")
    assert "dip sample" not in home.text.lower()  # dip sampling is not built yet
    panel = home.soup.find(id="panel-leader").find_parent("section")
    assert panel.h2.get_text() == "Performance"
    links = {a.get_text(): a["href"] for a in panel.select("a")}
    assert links == {"Moderation agreement report": "/reports/agreement",
                     "Audit programmes": "/programmes/", "All actions": "/actions/all"}
    for href in links.values():
        assert client.get(href).status_code == 200  # practice leads may open each
