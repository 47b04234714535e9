"""Triage in real Chromium: ignore needs a reason for a tool with personal data, keeps the tool,
lists it under Ignored, and Undo brings it back; merge asks for an explicit target."""

from __future__ import annotations

import typing as t

from flask import Flask

from tests.browser.chromium import ARTIFACTS
from tests.browser.chromium import Pages


def test_ignore_and_undo_in_triage(pages: Pages, demo_server: tuple[str, Flask]) -> None:
    from playwright.sync_api import expect

    base, _app = demo_server
    page = pages.open(1400, 1000)
    page.goto(f"{base}/imports/triage")
    row = page.locator("#tool-typeform")
    expect(row).to_be_visible()

    # Merge offers no target until one is chosen.
    picker = row.locator("input[name=into]")
    assert picker.input_value() == ""
    row.get_by_role("button", name="Merge…").click()
    assert page.url.endswith("/imports/triage")  # the browser kept the form back

    # Typeform holds contact data and feeds Mailchimp: the reason is required.
    reason = row.locator("input[name=reason]")
    assert "required" in (row.locator("label[for=reason-typeform]").inner_text())
    row.get_by_role("button", name="Ignore").click()
    assert reason.evaluate("e => e.validity.valueMissing") is True
    expect(row).to_be_visible()

    reason.fill("Form experiment, owner asked to stop")
    row.get_by_role("button", name="Ignore").click()
    expect(page.locator(".flash-success")).to_contain_text("Typeform is ignored")
    expect(page.locator("#tool-typeform")).to_have_count(0)
    ignored = page.locator("#ignored-typeform")
    expect(ignored).to_contain_text("Form experiment, owner asked to stop")
    page.screenshot(path=str(ARTIFACTS / "triage-ignored.png"), full_page=True)

    # The tool, with its flow, is still there.
    ignored.get_by_role("link", name="Typeform").click()
    expect(page.locator("h1")).to_contain_text("Typeform")
    expect(page.locator("body")).to_contain_text("Mailchimp")
    page.go_back()

    page.locator("#ignored-typeform").get_by_role("button", name="Undo").click()
    expect(page.locator(".flash-success")).to_contain_text("Typeform is back in triage")
    expect(page.locator("#tool-typeform")).to_be_visible()
    expect(page.locator("#ignored-typeform")).to_have_count(0)

    page.goto(f"{base}/changes?type=tool&key=typeform")
    actions: t.Any = page.locator("td .badge").all_inner_texts()
    assert actions[:2] == ["unignore", "ignore"]
    assert pages.problems == []
