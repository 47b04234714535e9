"""The generic register pages in real Chromium: a stale edit is refused with the newer values
and the user's input kept, re-saving goes through, a delete is confirmed then done, and a
refused value is shown beside its field."""

from __future__ import annotations

import threading
import typing as t
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.services import entities
from catalog.services import records
from tests.browser.chromium import ARGS
from tests.browser.chromium import ARTIFACTS


def in_app(app: Flask, fn: t.Callable[[t.Any], t.Any]) -> t.Any:
    """Run `fn(session)` and commit, as another user would, outside Playwright's event loop
    (the app context's teardown may not run in a thread where an event loop runs)."""
    out: list[t.Any] = []

    def run() -> None:
        with app.app_context():
            out.append(fn(db.session))
            db.session.commit()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


def _bob_edits(flow_id: int) -> t.Callable[[t.Any], None]:
    def save(session: t.Any) -> None:
        flow = session.get(DataFlow, flow_id)
        change = {"description": "Changed by Bob"}
        entities.save_flow(
            session, records.flow_record(flow) | change, actor="bob@example.com", flow=flow
        )

    return save


def test_stale_edit_then_delete_then_refused_value(
    chromium_path: Path, demo_server: tuple[str, Flask]
) -> None:
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    base, app = demo_server
    flow_id = in_app(app, lambda s: s.scalar(sa.select(sa.func.min(DataFlow.id))))
    dep_id, dep_label = in_app(
        app,
        lambda s: next(
            (d.id, f"{d.tool.name} depends on {d.depends_on.name}")
            for d in s.scalars(sa.select(Dependency).order_by(Dependency.id))
        ),
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.goto(f"{base}/flows/{flow_id}/edit")
            page.fill("#frequency", "every minute")
            in_app(app, _bob_edits(flow_id))  # someone else saves while the form is open
            page.get_by_role("button", name="Save changes").click()
            conflict = page.locator("section.conflict")
            expect(conflict).to_contain_text("This flow changed since you opened it")
            expect(conflict).to_contain_text("Changed by Bob")
            expect(page.locator("#frequency")).to_have_value("every minute")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "register-stale-edit.png"), full_page=True)
            page.get_by_role("button", name="Save changes").click()
            expect(page.locator(".flash-success")).to_contain_text("Saved the flow")
            # Re-saving applies what the form shows, now on top of Bob's version.
            frequency = in_app(app, lambda s: s.get(DataFlow, flow_id).frequency)
            assert frequency == "every minute"

            page.goto(f"{base}/dependencies/{dep_id}/delete")
            expect(page.locator("h1")).to_contain_text(f"Delete: {dep_label}?")
            page.get_by_role("button", name="Delete dependency").click()
            expect(page.locator(".flash-success")).to_contain_text(
                f"Deleted the dependency: {dep_label}."
            )
            assert in_app(app, lambda s: s.get(Dependency, dep_id)) is None

            page.goto(f"{base}/people/new")
            page.fill("#email", "not-an-email")
            page.get_by_role("button", name="Add person").click()
            expect(page.locator("#email-error")).to_contain_text("is not a valid e-mail address")
        finally:
            browser.close()
