"""The tool list and the tool pickers in real Chromium: a phone-width page that never scrolls
sideways, a search with a typo, and a picker that suggests the tool meant."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from tests.browser.chromium import ARGS
from tests.browser.chromium import ARTIFACTS

PHONE = {"width": 390, "height": 844}


def test_tool_list_and_audit_fit_a_phone(
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
            for path in ("/tools", "/audit"):
                page.goto(f"{base}{path}")
                width = page.evaluate("document.documentElement.scrollWidth")
                page.screenshot(
                    path=str(ARTIFACTS / f"phone{path.replace('/', '-')}.png"), full_page=True
                )
                assert width <= 390, f"{path} is {width} px wide at 390 px"
            # The wide table scrolls inside its own box instead.
            page.goto(f"{base}/tools")
            box = page.locator(".table-scroll").first
            assert box.evaluate("e => e.scrollWidth > e.clientWidth")
            assert problems == []
        finally:
            browser.close()


def test_search_box_forgives_a_typo(chromium_path: Path, demo_server: tuple[str, Flask]) -> None:
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    base, _app = demo_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
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
            page.goto(f"{base}/tools")
            page.get_by_label("Search name, vendor, category or owner").fill("hubsopt")
            page.keyboard.press("Enter")
            page.wait_for_url("**/tools?q=hubsopt**")
            rows = page.locator("table.tool-list tbody tr")
            expect(rows.first).to_contain_text("HubSpot")
            assert (
                page.locator("table.tool-list a.strong").first.get_attribute("href")
                == "/tools/hubspot"
            )

            # A tool picker (graph focus): suggestions as you type, the slug when chosen.
            page.goto(f"{base}/graph")
            focus = page.locator("input#focus")
            focus.press_sequentially("hubsopt", delay=30)
            option = page.locator("#focus-suggestions li").first
            expect(option).to_contain_text("HubSpot")
            page.screenshot(path=str(ARTIFACTS / "picker-suggestions.png"))
            option.click()
            assert focus.input_value() == "hubspot"
            # Keyboard: arrow down and Enter choose too.
            focus.fill("")
            focus.press_sequentially("mailchmp", delay=30)
            expect(page.locator("#focus-suggestions li").first).to_contain_text("Mailchimp")
            focus.press("ArrowDown")
            focus.press("Enter")
            assert focus.input_value() == "mailchimp"
            page.get_by_role("button", name="Show").click()
            page.wait_for_url("**focus=mailchimp**")
            assert problems == []
        finally:
            browser.close()
