"""Pages that stay usable when a list is longer than a page: the first page, a count, a link.

Triage pages its discovered tools and its Ignored list, the review queue pages its requests, and
a tool page shows the first 20 of each long list with a link to the whole list, paged.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from catalog.extensions import db
from catalog.services import entities
from catalog.services import triage
from tests.conftest import make_app
from tests.factories import make_flow
from tests.factories import make_sighting

DAY = date(2026, 11, 1)


def rows(html: str, prefix: str) -> list[str]:
    return re.findall(rf'<tr id="{prefix}-([a-z0-9-]+)"', html)


@pytest.fixture
def triage_app(tmp_path: Path, _postgres_schema: None) -> Flask:
    """30 discovered tools, app-00 seen longest ago, app-29 most recently; a known HubSpot."""
    app = make_app(tmp_path, AUTH_ENABLED=False)  # page sizes and links, not permissions
    with app.app_context():
        s = db.session
        entities.save_tool(
            s, {"name": "HubSpot", "slug": "hubspot", "lifecycle": "sanctioned"}, actor="test"
        )
        for n in range(30):
            slug, name = f"app-{n:02d}", "Hubspot Marketing" if n == 0 else f"App {n:02d}"
            entities.save_tool(
                s, {"name": name, "slug": slug, "lifecycle": "discovered"}, actor="test"
            )
            seen = (DAY + timedelta(days=n)).isoformat()
            make_sighting(
                s, slug, observed_name=name, first_seen=seen, last_seen=seen, users=n, events=1
            )
        s.commit()
    return app


def test_triage_shows_the_newest_page_a_count_and_the_next_page(triage_app: Flask) -> None:
    client = triage_app.test_client()
    first = client.get("/imports/triage").text
    assert rows(first, "tool") == [f"app-{n:02d}" for n in range(29, 4, -1)]
    assert "30 discovered tools waiting; showing 1–25, newest evidence first." in first
    assert "Page 1 of 2" in first and 'href="/imports/triage?page=2"' in first
    last = client.get("/imports/triage?page=2").text
    assert rows(last, "tool") == ["app-04", "app-03", "app-02", "app-01", "app-00"]
    assert "showing 26–30" in last
    # Suggestions are worked out for the tools on the page shown.
    assert "Suggested: HubSpot (<code>hubspot</code>)" in last
    assert "Suggested:" not in first
    # A page past the end shows the last page; a bad number the first.
    assert rows(client.get("/imports/triage?page=99").text, "tool")[-1] == "app-00"
    assert rows(client.get("/imports/triage?page=x").text, "tool")[0] == "app-29"
    assert "Triage inbox (30 discovered)" in client.get("/imports").text


def test_the_ignored_list_pages_and_undo_still_works(triage_app: Flask) -> None:
    with triage_app.app_context():
        for n in range(27):
            tool = entities.tool_by_slug(db.session, f"app-{n:02d}")
            triage.ignore(db.session, tool, actor="it@example.com")
        db.session.commit()
    client = triage_app.test_client()
    page = client.get("/imports/triage").text
    assert rows(page, "tool") == ["app-29", "app-28", "app-27"]
    assert "3 discovered tools waiting." in page and "/imports/triage?page=2" not in page
    assert len(rows(page, "ignored")) == 25
    assert "27 ignored tools; showing 1–25, newest first." in page
    assert 'href="/imports/triage?ignored_page=2"' in page
    second = client.get("/imports/triage?ignored_page=2").text
    assert len(rows(second, "ignored")) == 2
    assert rows(second, "tool") == ["app-29", "app-28", "app-27"]  # the inbox stays on page 1
    undo = re.search(r'action="(/imports/triage/decisions/\d+/undo)"', second).group(1)
    back = client.post(undo, follow_redirects=True).text
    assert "is back in triage" in back and "4 discovered tools waiting." in back


@pytest.fixture
def hub_app(tmp_path: Path, _postgres_schema: None) -> Flask:
    """A hub feeding 30 tools contact data; 23 sightings; 3 tools depend on it."""
    app = make_app(tmp_path, AUTH_ENABLED=False)  # page sizes and links, not permissions
    with app.app_context():
        s = db.session
        hub = {"name": "Hub", "slug": "hub", "lifecycle": "sanctioned"}
        entities.save_tool(s, hub | {"data_classes": ["contact_pii"]}, actor="test")
        for n in range(30):
            spoke = {"name": f"Spoke {n:02d}", "slug": f"spoke-{n:02d}", "lifecycle": "sanctioned"}
            entities.save_tool(s, spoke, actor="test")
            make_flow(s, "hub", spoke["slug"], data_classes=["contact_pii"])
        for n in range(23):
            make_sighting(s, "hub", observed_name=f"Hub seat {n:02d}", users=1)
        s.commit()
    return app


def test_a_tool_page_shows_the_first_20_of_each_long_list_with_a_link(hub_app: Flask) -> None:
    client = hub_app.test_client()
    page = client.get("/tools/hub").text
    blast = page.split("Blast radius (30 tools)", 1)[1].split("<h3>", 1)[0]
    assert len(re.findall(r'href="/tools/spoke-\d+"', blast)) == 20
    assert "Showing the first 20 of 30 tools." in page
    assert 'href="/tools/hub/list/blast">See all 30</a>' in page
    assert 'href="/tools/hub/list/reach">See all 30</a>' in page
    flows = page.split("Data flows out", 1)[1].split("Data flows in", 1)[0]
    assert flows.count("<tr class=") == 20
    assert "Showing the first 20 of 30 flows out." in flows
    assert 'href="/tools/hub/list/flows-out">See all 30</a>' in flows
    assert 'href="/tools/hub/list/sightings">See all 23</a>' in page
    # Short lists are shown whole, without a link.
    assert "/tools/hub/list/flows-in" not in page and "/tools/hub/list/history" not in page
    # Wide tables scroll inside their box on a phone.
    assert flows.count('<div class="table-scroll">') == 1


def test_the_full_lists_page_through_every_item(hub_app: Flask) -> None:
    client = hub_app.test_client()
    first = client.get("/tools/hub/list/blast").text
    assert "Blast radius of Hub" in first and "30 in all; showing 1–25." in first
    second = client.get("/tools/hub/list/blast?page=2").text
    assert 'href="/tools/hub/list/blast?page=1"' in second
    names = set(re.findall(r'href="/tools/(spoke-\d+)"', first + second))
    assert names == {f"spoke-{n:02d}" for n in range(30)}
    flows = client.get("/tools/hub/list/flows-out?page=2").text
    assert flows.count("<tr class=") == 5
    sightings = client.get("/tools/hub/list/sightings").text
    assert sightings.count("Hub seat") == 23 and "Page 1 of" not in sightings
    assert client.get("/tools/hub/list/everything").status_code == 404
    assert client.get("/tools/nope/list/blast").status_code == 404
    assert "Change history of Hub" in client.get("/tools/hub/list/history").text


@pytest.fixture
def queue_app(tmp_path: Path, _postgres_schema: None) -> Flask:
    """30 open requests, request-00 the oldest; 20 of them past the 10-day SLA."""
    app = make_app(tmp_path, AUTH_ENABLED=False)  # page sizes and links, not permissions
    today = date.today()
    with app.app_context():
        s = db.session
        entities.save_person(s, {"email": "mia@example.com", "name": "Mia Marketer"}, actor="test")
        for n in range(30):
            entities.save_tool(
                s,
                {
                    "name": f"Request {n:02d}",
                    "slug": f"request-{n:02d}",
                    "lifecycle": "requested",
                    "business_owner": "mia@example.com",
                    "requested_at": (today - timedelta(days=30 - n)).isoformat(),
                },
                actor="test",
            )
        s.commit()
    return app


def test_the_review_queue_pages_oldest_first_with_its_counts(queue_app: Flask) -> None:
    client = queue_app.test_client()
    first = client.get("/review").text
    names = re.findall(r">Request (\d\d)</a>", first)
    assert names == [f"{n:02d}" for n in range(25)]
    assert "30 open requests, 20 overdue; showing 1–25, oldest first." in first
    assert first.count("Mia Marketer") == 25
    assert 'href="/review?page=2"' in first
    second = client.get("/review?page=2").text
    assert re.findall(r">Request (\d\d)</a>", second) == ["25", "26", "27", "28", "29"]


def test_the_focused_graph_lists_its_first_links_and_the_csv_has_all(
    hub_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.views import graph as graph_views

    monkeypatch.setattr(graph_views, "TABLE_ROWS", 10)
    client = hub_app.test_client()
    page = client.get("/graph?focus=hub").text
    table = page.split('class="card edge-table"', 1)[1].split("</details>", 1)[0]
    assert "Links in this view (30)" in table and table.count("<tr>") == 11  # header + 10
    csv_link = re.search(r'the <a href="([^"]+)">CSV edge list</a> has them all', table)
    assert csv_link is not None
    csv = client.get(csv_link.group(1).replace("&amp;", "&")).text
    assert len(csv.strip().splitlines()) == 31  # header + every link
