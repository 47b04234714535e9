"""The graph viewer in real Chromium: the demo stack, legend, a shadow tool, click-through."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from catalog.analysis.audit import run_audit
from catalog.extensions import db
from catalog.services.snapshot import load_snapshot
from tests.browser.chromium import ARTIFACTS
from tests.browser.chromium import Pages


def show(page: t.Any, url: str) -> None:
    """Go to a graph view and wait until the picture is drawn."""
    page.goto(url)
    page.wait_for_selector("#graph-canvas svg[data-ready='1']")


def test_graph_page_shows_legend_shadow_tool_and_links_to_tool_pages(
    pages: Pages, demo_server: tuple[str, Flask]
) -> None:
    base, app = demo_server
    with app.app_context():
        snapshot = load_snapshot(db.session)
    shadow = sorted(s.tool for s in run_audit(snapshot, __import__("datetime").date.today()).shadow)
    assert shadow, "the demo stack has shadow tools"
    names = {tool.slug: tool.name for tool in snapshot.tools}
    slug = shadow[0]
    # Script errors and CSP violations show up as console errors.
    page = pages.open(1600, 1100, console=True)
    show(page, f"{base}/graph")
    assert page.get_by_role("heading", name="Legend").is_visible()
    assert page.get_by_text("Shadow IT: in use, not sanctioned").is_visible()
    node = page.locator("#graph-canvas g.node").filter(has_text=names[slug]).first
    assert node.is_visible()
    fill = node.locator("path, polygon").first.get_attribute("fill")
    assert fill == "#f8c9c4"  # the shadow colour the legend shows
    # The window as the user sees it: a full-page capture resizes the viewport, and the
    # click below must find the picture as the user left it.
    page.screenshot(path=str(ARTIFACTS / "graph-demo.png"))
    node.locator("text").first.click()
    page.wait_for_url(f"{base}/tools/{slug}")
    assert page.url == f"{base}/tools/{slug}"
    links = {s: sum(s in (f.source, f.target) for f in snapshot.flows) for s in shadow}
    busy = max(shadow, key=lambda s: (links[s], s))
    show(page, f"{base}/graph?focus={busy}&depth=2&blast={busy}&silos=1")
    page.screenshot(path=str(ARTIFACTS / "graph-focus.png"), full_page=True)
    assert pages.problems == []


# Node boxes inside the canvas, and the median height of the tools' text lines in pixels.
MEASURE = """() => {
  const c = document.querySelector('#graph-canvas').getBoundingClientRect();
  const inside = [...document.querySelectorAll('#graph-canvas g.node')].every(n => {
    const r = n.getBoundingClientRect();
    return r.left >= c.left - 1 && r.right <= c.right + 1 && r.top >= c.top - 1
      && r.bottom <= c.bottom + 1;
  });
  const h = [...document.querySelectorAll('#graph-canvas g.node text')]
    .map(t => t.getBoundingClientRect().height).sort((a, b) => a - b);
  return {inside: inside, text: h[Math.floor(h.length / 2)]};
}"""


def measure(page: t.Any) -> dict[str, t.Any]:
    """Return MEASURE once svg-pan-zoom has drawn (it applies zooms on an animation frame)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return t.cast(dict[str, t.Any], page.evaluate(MEASURE))


def test_whole_stack_reads_at_1280x900_after_one_zoom_step(
    pages: Pages, demo_server: tuple[str, Flask]
) -> None:
    base = demo_server[0]
    page = pages.open(1280, 900)
    show(page, f"{base}/graph")
    canvas = page.locator("#graph-canvas").bounding_box()
    assert canvas is not None and canvas["width"] > 1100  # the legend moved below
    start = measure(page)
    assert start["inside"]  # the whole stack in view
    assert start["text"] >= 6  # names legible; before: 2.5 px in a thin column
    page.locator("#graph-canvas").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "graph-whole-1280.png"))
    page.click("[data-graph='zoom-in']")
    zoomed = measure(page)
    assert zoomed["text"] >= 10 and not zoomed["inside"]  # one click: readable
    page.click("[data-graph='fit']")
    fitted = measure(page)
    assert fitted["inside"] and fitted["text"] == pytest.approx(start["text"], abs=0.1)
    # A one-tool view is not blown up to fill the canvas.
    show(page, f"{base}/graph?focus=okta&depth=0")
    single = measure(page)
    assert single["inside"] and 12 <= single["text"] <= 18


def test_focused_tool_is_marked_centred_and_the_graph_prints(
    pages: Pages, demo_server: tuple[str, Flask]
) -> None:
    page = pages.open(1280, 900)
    show(page, f"{demo_server[0]}/graph?focus=segment&depth=1&direction=both")
    canvas = page.locator("#graph-canvas").bounding_box()
    node = page.locator("#graph-canvas #focus-node").bounding_box()
    assert canvas and node
    # Centred: the focused tool's middle is within 40 px of the canvas's middle.
    assert abs((node["x"] + node["width"] / 2) - (canvas["x"] + canvas["width"] / 2)) < 40
    assert abs((node["y"] + node["height"] / 2) - (canvas["y"] + canvas["height"] / 2)) < 40
    # Marked: its border is the focus blue, and the legend says so.
    stroke = page.locator(
        "#graph-canvas #focus-node path, #graph-canvas #focus-node polygon"
    ).first.get_attribute("stroke")
    assert stroke == "#1d4ed8"
    assert "the tool in focus" in page.locator(".legend").inner_text()
    # A one-hop view is wide and short: the canvas is not a tall box of empty space.
    assert canvas["height"] < 900 - 88

    page.emulate_media(media="print")
    assert not page.locator("#graph-canvas").is_visible()
    still = page.locator(".graph-print svg").bounding_box()
    assert still and still["width"] > 300 and still["height"] > 100
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
