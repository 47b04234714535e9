"""The pages made to scale, at phone width in real Chromium: no page scrolls sideways (wide
tables scroll inside their own box), on the demo catalog."""

from __future__ import annotations

from flask import Flask

from tests.browser.chromium import Pages
from tests.browser.chromium import fits_the_phone

PAGES = (
    "/tools/hubspot",
    "/tools/hubspot/list/flows-out",
    "/tools/hubspot/list/blast",
    "/tools/hubspot/list/history",
    "/review",
    "/imports/triage",
)


def test_tool_page_review_and_triage_fit_a_phone(
    pages: Pages, demo_server: tuple[str, Flask]
) -> None:
    base, _app = demo_server
    page = pages.open(390, 844)
    assert fits_the_phone(page, base, PAGES, 390) == {}
    assert pages.problems == []
