"""The /graph page and its downloads, on a real database with real graphviz."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.extensions import db
from catalog.services import caches
from catalog.services import graph as graph_service
from catalog.services.bundle import import_bundle
from tests.conftest import make_app
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_tool
from tests.svg_checks import HOSTILE
from tests.svg_checks import assert_safe_svg

# About layout, caching and drawing: the pages must be byte-identical between requests, and a
# signed-in page carries the user's own header, so these run with permissions off.
AUTH_OFF = "graph layout and caching, not permissions"

# the longest name the catalog stores; render tests cover 5,000 characters
HOSTILE_NAMES = [*HOSTILE, "y" * 200]


@pytest.fixture
def stack(app: Flask) -> Flask:
    """A small stack: form -> crm -> esp -> bi, crm depends on okta, shadow esp."""
    with app.app_context():
        s = db.session
        for slug, name, category, lifecycle in (
            ("form", "Typeform", "interactive-content", "sanctioned"),
            ("crm", "Salesforce", "crm", "sanctioned"),
            ("esp", "Mailchimp", "email-marketing", "discovered"),
            ("bi", "Looker", "dashboards-data-visualization", "sanctioned"),
            ("okta", "Okta", "identity-access", "sanctioned"),
        ):
            extra = (
                {"system_of_record": True, "data_classes": ["contact_pii"]} if slug == "crm" else {}
            )
            make_tool(s, slug=slug, name=name, category=category, lifecycle=lifecycle, **extra)
        make_flow(s, "form", "crm", data_classes=["contact_pii"], managed_by_it=True)
        make_flow(
            s, "crm", "esp", data_classes=["contact_pii", "consent"], mechanism="manual_export"
        )
        make_flow(s, "esp", "bi", data_classes=["campaign_metrics"], managed_by_it=True)
        make_dependency(s, "crm", "okta", kind="identity")
        s.commit()
    return app


def test_page_shows_inline_svg_legend_and_controls(stack: Flask, client: FlaskClient) -> None:
    response = client.get("/graph")
    assert response.status_code == 200
    page = response.text
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert page.count("<svg") == 1
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    root = ET.fromstring(svg)
    links = {
        a.get("{http://www.w3.org/1999/xlink}href")
        for a in root.iter()
        if a.get("{http://www.w3.org/1999/xlink}href")
    }
    assert links == {f"/tools/{s}" for s in ("form", "crm", "esp", "bi", "okta")}
    assert "Legend" in page and "Unmanaged data flow" in page and "system of record" in page
    assert "5 tools, 3 flows, 1 dependency." in page
    assert 'src="/static/js/svg-pan-zoom.min.js"' in page and 'src="/static/js/graph.js"' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None  # no inline scripts
    assert 'name="focus"' in page and 'name="direction"' in page and 'name="blast"' in page


def test_focus_depth_and_direction_select_the_neighbourhood(
    stack: Flask, client: FlaskClient
) -> None:
    body = client.get("/graph?focus=crm&depth=1&direction=down&format=csv").text
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {(r["source"], r["target"], r["kind"]) for r in rows} == {("crm", "esp", "flow")}
    body = client.get("/graph?focus=crm&depth=1&direction=up&format=csv").text
    assert {(r["source"], r["target"]) for r in csv.DictReader(io.StringIO(body))} == {
        ("form", "crm"),
        ("crm", "okta"),
    }
    body = client.get("/graph?focus=crm&depth=2&direction=both&format=csv").text
    assert len(list(csv.DictReader(io.StringIO(body)))) == 4
    page = client.get("/graph?focus=okta&depth=1&direction=down").text
    assert "2 tools, 0 flows, 1 dependency." in page


def test_csv_download_has_header_rows_and_headers(stack: Flask, client: FlaskClient) -> None:
    response = client.get("/graph?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="martech-graph.csv"'
    lines = response.text.splitlines()
    assert lines[0] == "source,target,kind,data_classes,mechanism,managed,active,dependency_kind"
    assert "crm,esp,flow,consent;contact_pii,manual_export,no,yes," in lines
    assert "crm,okta,dependency,,,,yes,identity" in lines
    assert len(lines) == 5


def test_csv_cells_are_defused() -> None:
    assert graph_service.defuse("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [graph_service.defuse(c) for c in ("+1", "-1", "@x", "\tx", "\rx", "ok")] == [
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
    ]


def test_dot_svg_and_png_downloads(stack: Flask, client: FlaskClient) -> None:
    dot = client.get("/graph?focus=crm&depth=1&format=dot")
    assert dot.status_code == 200 and dot.mimetype == "text/vnd.graphviz"
    assert dot.headers["Content-Disposition"] == 'attachment; filename="martech-graph-crm.dot"'
    assert dot.text.startswith("digraph catalog {") and "Salesforce" in dot.text
    assert "Looker" not in dot.text  # two hops away: not in this view
    svg = client.get("/graph?format=svg")
    assert svg.mimetype == "image/svg+xml"
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert svg.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert svg.headers["Content-Disposition"].startswith("attachment;")
    assert_safe_svg(svg.data)
    png = client.get("/graph?format=png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("focus=nope", 404, "There is no tool"),
        ("blast=nope", 404, "There is no tool"),
        ("focus=crm&depth=-1", 400, "depth must be a whole number from 0 to 10"),
        ("depth=deep", 400, "depth must be a whole number"),
        ("direction=left", 400, "direction must be up, down or both"),
        ("data_class=dna", 400, "data_class unknown value"),
        ("format=pdf", 400, "format must be one of svg, png, dot, csv"),
    ],
)
def test_bad_parameters_get_clear_errors(
    stack: Flask, client: FlaskClient, query: str, status: int, message: str
) -> None:
    response = client.get(f"/graph?{query}")
    assert response.status_code == status
    assert message in response.text


def test_filters_combine_on_the_page(stack: Flask, client: FlaskClient) -> None:
    body = client.get("/graph?data_class=contact_pii&format=csv").text
    assert {(r["source"], r["target"]) for r in csv.DictReader(io.StringIO(body))} == {
        ("form", "crm"),
        ("crm", "esp"),
    }
    body = client.get("/graph?data_class=contact_pii&lifecycle=sanctioned&format=csv").text
    assert {(r["source"], r["target"]) for r in csv.DictReader(io.StringIO(body))} == {
        ("form", "crm")
    }
    page = client.get("/graph?shadow=1").text
    assert "1 tool, 0 flows, 0 dependencies." in page and "Mailchimp" in page


def test_silo_and_blast_radius_highlights(stack: Flask, client: FlaskClient) -> None:
    plain = client.get("/graph?format=dot").text
    assert "#e8590c" not in plain and "#7b2cbf" not in plain
    # esp is shadow and holds contact PII that never reaches a system of record: a silo.
    silos = client.get("/graph?silos=1&format=dot").text
    assert re.search(r'label="?Mailchimp[^\]]*color="#e8590c"', silos)
    blast = client.get("/graph?blast=crm&format=dot").text
    for name in ("Mailchimp", "Looker"):  # downstream of crm
        assert re.search(rf'label="?{name}[^\]]*color="#7b2cbf"', blast)
    assert re.search(r'label="?Typeform[^\]]*fontcolor="#9aa3b2"', blast)  # upstream: greyed


def test_rendered_views_are_cached_until_the_catalog_changes(
    stack: Flask, client: FlaskClient
) -> None:
    first = client.get("/graph?focus=crm").text
    cache = stack.extensions["catalog_caches"].region("graph.render")
    assert (cache.hits, cache.misses, len(cache)) == (0, 3, 3)  # the page, its SVG, its DOT
    assert client.get("/graph?focus=crm").text == first
    assert (cache.hits, cache.misses) == (1, 3)  # the whole page body came from the cache
    dot = client.get("/graph?focus=crm&format=dot")
    assert (cache.hits, cache.misses, len(cache)) == (2, 3, 3)  # the page's own DOT source
    assert dot.text.startswith("digraph catalog {")
    client.get("/graph?focus=crm&format=png")  # a new layout of the same source
    assert (cache.hits, cache.misses, len(cache)) == (3, 4, 4)
    client.get("/graph?focus=crm&format=csv")  # another format is another entry
    assert (cache.hits, cache.misses, len(cache)) == (3, 5, 5)
    client.get("/graph?focus=crm&format=csv")
    assert (cache.hits, cache.misses) == (4, 5)
    with stack.app_context():
        make_tool(db.session, slug="fresh", name="Brand new")
        db.session.commit()
    assert "Brand new" in client.get("/graph").text
    assert (cache.hits, cache.misses) == (4, 8)


def test_render_cache_is_bounded() -> None:
    cache = caches.CatalogCaches({"graph.render": (2, 10)}).region("graph.render")
    item = graph_service.Rendered(
        view=None,
        marks=None,
        fmt="svg",
        engine="dot",  # type: ignore[arg-type]
        content=b"1234",
    )
    for key in ("a", "b", "c"):
        cache.put((key,), item)
    assert len(cache) == 2 and cache.get(("a",)) is None and cache.get(("c",)) is item
    cache.put(("d",), graph_service.Rendered(None, None, "svg", "dot", b"x" * 8))  # type: ignore[arg-type]
    assert len(cache) == 1  # over the byte budget: the oldest entries go


def big_bundle(n: int) -> dict[str, list[dict[str, object]]]:
    """Return a bundle of n tools in a layered stack, two flows per tool."""
    tools = [
        {"slug": f"t{i}", "name": f"Tool {i}", "category": "crm", "lifecycle": "sanctioned"}
        for i in range(n)
    ]
    flows = []
    for i in range(n):
        for step in (1, 7):
            if i + step < n:
                flows.append(
                    {
                        "source": f"t{i}",
                        "target": f"t{i + step}",
                        "mechanism": "api",
                        "data_classes": ["contact_pii"],
                    }
                )
    return {"tools": tools, "flows": flows}


def test_a_layout_that_takes_too_long_degrades_to_the_edge_table(tmp_path: Path) -> None:
    app = make_app(tmp_path, GRAPH_LAYOUT_TIMEOUT=0.05, AUTH_ENABLED=False)  # see AUTH_OFF
    with app.app_context():
        import_bundle(db.session, big_bundle(400), actor="test")
        db.session.commit()
    started = __import__("time").perf_counter()
    # 400 tools start as the group overview; "draw every tool anyway" is what times out here.
    response = app.test_client().get("/graph?all=1")
    elapsed = __import__("time").perf_counter() - started
    assert response.status_code == 200
    page = response.text
    assert "The layout took too long" in page
    assert "<svg" not in page and 'src="/static/js/graph.js"' not in page
    assert "Focus on one of the most connected tools" in page
    assert 'href="/graph?focus=t' in page
    assert "Links in this view (792)" in page and "<td>api</td>" in page
    assert elapsed < 10  # the request did not wait for the layout
    assert app.test_client().get("/graph?format=svg").status_code == 503
    assert app.test_client().get("/graph?format=csv").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_hostile_tool_names_stay_text_in_svg_and_page(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        for i, name in enumerate(HOSTILE_NAMES):
            make_tool(db.session, slug=f"evil-{i}", name=name, category="crm")
        for i in range(len(HOSTILE_NAMES) - 1):
            make_flow(db.session, f"evil-{i}", f"evil-{i + 1}", data_classes=["contact_pii"])
        db.session.commit()
    svg = client.get("/graph?format=svg")
    assert svg.status_code == 200
    root = assert_safe_svg(svg.data)
    assert len(root.findall(".//{http://www.w3.org/2000/svg}g[@class='node']")) == 7
    page = client.get("/graph").text
    inline = page[page.index("<svg") : page.index("</svg>") + 6]
    assert_safe_svg(inline)
    # Elsewhere on the page (table, selects) names are escaped by Jinja.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_page_drafted_during_the_layout_equals_the_page_rendered_after(
    stack: Flask, client: FlaskClient
) -> None:
    drafted = client.get("/graph?focus=crm&silos=1").text  # body written while dot runs
    cache = stack.extensions["catalog_caches"].region("graph.render")
    cache.clear()
    assert client.get("/graph?focus=crm&silos=1&format=svg").status_code == 200
    after = client.get("/graph?focus=crm&silos=1").text  # SVG from the cache: body after
    assert cache.hits == 1  # the SVG, not the page
    assert drafted == after
    assert drafted.count("<svg") == 1 and "graph-svg-slot" not in drafted
    assert "<td>manual export</td>" in drafted  # the edge table is there too


def test_the_dot_download_names_its_charset_once(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_tool(db.session, slug="crm", name="CRM")
        db.session.commit()
    answer = client.get("/graph?format=dot")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/vnd.graphviz; charset=utf-8"
