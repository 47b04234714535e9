"""The tool list and the tool pickers in real Chromium: a phone-width page that never scrolls
sideways, a search with a typo, and a picker that suggests the tool meant."""

from __future__ import annotations

from flask import Flask

from tests.browser.chromium import ARTIFACTS
from tests.browser.chromium import Pages
from tests.browser.chromium import fits_the_phone


def test_tool_list_and_audit_fit_a_phone(pages: Pages, demo_server: tuple[str, Flask]) -> None:
    base, _app = demo_server
    page = pages.open(390, 844)
    assert fits_the_phone(page, base, ("/tools", "/audit"), 390) == {}
    # The wide table scrolls inside its own box instead.
    page.goto(f"{base}/tools")
    box = page.locator(".table-scroll").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    assert pages.problems == []


def test_search_box_forgives_a_typo(pages: Pages, demo_server: tuple[str, Flask]) -> None:
    from playwright.sync_api import expect

    base, _app = demo_server
    page = pages.open(1280, 900)
    page.goto(f"{base}/tools")
    page.get_by_label("Search name, vendor, category or owner").fill("hubsopt")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tools?q=hubsopt**")
    rows = page.locator("table.tool-list tbody tr")
    expect(rows.first).to_contain_text("HubSpot")
    assert page.locator("table.tool-list a.strong").first.get_attribute("href") == "/tools/hubspot"

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
    assert pages.problems == []
