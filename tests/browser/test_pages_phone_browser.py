"""The pages made to scale, at phone width in real Chromium: no page scrolls sideways (wide
tables scroll inside their own box), on the demo catalog."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tests.browser.chromium import ARGS
from tests.browser.chromium import ARTIFACTS

PHONE = {"width": 390, "height": 844}
PAGES = (
    "/tools/hubspot",
    "/tools/hubspot/list/flows-out",
    "/tools/hubspot/list/blast",
    "/tools/hubspot/list/history",
    "/review",
    "/imports/triage",
)


def test_tool_page_review_and_triage_fit_a_phone(
    chromium_path: Path, demo_server: tuple[str, Flask]
) -> None:
    from playwright.sync_api import sync_playwright

    base, _app = demo_server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport=PHONE)
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response",
                lambda r: (
                    problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )
            widths = {}
            for path in PAGES:
                page.goto(f"{base}{path}")
                widths[path] = page.evaluate("document.documentElement.scrollWidth")
                page.screenshot(
                    path=str(ARTIFACTS / f"phone{path.replace('/', '-')}.png"), full_page=True
                )
            assert {p: w for p, w in widths.items() if w > 390} == {}
            assert problems == []
        finally:
            browser.close()
