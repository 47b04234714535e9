"""The app's one cache object: every region empties on a write, counters show hits and misses.

Each app has one `CatalogCaches`; every cached result sits in a named region, and reading a
catalog version other than the last one seen empties them all. A write that would not move the
version is refused at commit (catalog.services.write_guard). See
docs/architecture.md#caches-and-invalidation.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from catalog.extensions import db
from catalog.models import Notice
from catalog.models import Tool
from catalog.services import caches
from catalog.services import entities
from catalog.services.snapshot import catalog_version
from catalog.services.write_guard import UnrecordedWrite
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

AUTH_OFF = "about caching, not permissions"

# Pages that between them fill every region (the graph overview needs more tools than the
# threshold, lowered below; "all=1" draws the tools themselves).
PAGES = (
    "/audit",
    "/tools",
    "/tools/crm",
    "/tools?q=salesforse",
    "/graph",
    "/graph?all=1",
    "/imports/triage",
    "/scorecard",
)


@pytest.fixture
def stack(app: Flask) -> Flask:
    app.config["GRAPH_OVERVIEW_TOOLS"] = 2
    with app.app_context():
        s = db.session
        make_person(s, email="mia@x.com", name="Mia", department="marketing")
        make_tool(
            s, slug="crm", name="Salesforce", lifecycle="sanctioned", business_owner="mia@x.com"
        )
        make_tool(s, slug="esp", name="Mailchimp", lifecycle="sanctioned")
        make_tool(s, slug="sf-trial", name="Salesforce Inc.", lifecycle="discovered")
        make_flow(s, "crm", "esp", data_classes=["contact_pii"])
        s.commit()
    return app


def _counts(app: Flask) -> dict[str, tuple[int, int]]:
    stats = app.extensions["catalog_caches"].stats()
    return {name: (s.hits, s.misses) for name, s in stats.items()}


def test_every_region_is_filled_hit_and_emptied_by_a_write(
    stack: Flask, client: FlaskClient
) -> None:
    store: caches.CatalogCaches = stack.extensions["catalog_caches"]
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    assert set(store.stats()) == set(caches.DEFAULT_SIZES)  # every region registered
    assert all(s.entries > 0 for s in store.stats().values()), store.stats()
    first = _counts(stack)

    for page in PAGES:
        client.get(page)
    again = _counts(stack)
    # The second round is served from the regions: hits went up, no region missed again.
    assert all(again[name][1] == first[name][1] for name in first), (first, again)
    assert all(again[name][0] > first[name][0] for name in first), (first, again)

    invalidations = store.invalidations
    with stack.app_context():
        tool = entities.tool_by_slug(db.session, "esp")
        assert tool is not None
        entities.save_tool(
            db.session,
            {"slug": "esp", "name": "Brevo", "lifecycle": "sanctioned"},
            actor="test",
            tool=tool,
        )
        db.session.commit()
    assert client.get("/audit").status_code == 200  # any read checks the version
    assert store.invalidations == invalidations + 1
    refilled = {name for name, s in store.stats().items() if s.entries}
    assert refilled <= {"snapshot", "audit"}  # the rest were emptied, not kept

    for page in PAGES:
        client.get(page)
    after = _counts(stack)
    # Every region computed its value again for the new version.
    assert all(after[name][1] > again[name][1] for name in again), (again, after)
    assert "Brevo" in client.get("/tools/esp").text
    assert "Brevo" in client.get("/graph?all=1").text


def test_counters_count_hits_and_misses(stack: Flask) -> None:
    store = caches.CatalogCaches()
    with stack.app_context():
        version = catalog_version(db.session)
    calls: list[int] = []
    for _ in range(3):
        value = store.cached("audit", version, "key", lambda: calls.append(1) or len(calls))
        assert value == 1
    assert calls == [1]
    assert (store.stats()["audit"].hits, store.stats()["audit"].misses) == (2, 1)
    store.cached("audit", version + "-next", "key", lambda: 2)
    assert store.invalidations == 2  # the first version seen, then the next
    assert store.region("audit").stats().entries == 1


def test_services_outside_an_app_use_the_process_fallback(stack: Flask) -> None:
    with stack.app_context():
        assert caches.current() is stack.extensions["catalog_caches"]
    assert caches.current() is not stack.extensions["catalog_caches"]


def test_a_write_without_a_change_record_is_refused(stack: Flask) -> None:
    with stack.app_context():
        s = db.session
        before = catalog_version(s)
        tool = entities.tool_by_slug(s, "crm")
        assert tool is not None
        tool.name = "Renamed behind the log's back"
        with pytest.raises(UnrecordedWrite, match="tool recorded no change"):
            s.commit()
        s.rollback()
        s.execute(sa.update(Tool).where(Tool.slug == "esp").values(vendor="Intuit"))
        with pytest.raises(UnrecordedWrite):
            s.commit()
        s.rollback()
        assert s.scalar(sa.select(Tool.name).where(Tool.slug == "crm")) == "Salesforce"
        assert s.scalar(sa.select(Tool.vendor).where(Tool.slug == "esp")) in (None, "")
        assert catalog_version(s) == before
        # Tables no cache reads (here the notice queue) need no change record.
        s.execute(sa.delete(Notice))
        s.commit()
