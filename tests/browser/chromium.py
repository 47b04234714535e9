"""What every browser test shares: Debian's Chromium, its flags, and a real server on loopback."""

from __future__ import annotations

import contextlib
import threading
import typing as t
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from catalog.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Without the background-networking flags Chromium keeps calling hosts this machine cannot reach.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--headless",
]


@contextlib.contextmanager
def serving(app: Flask) -> t.Iterator[str]:
    """Serve `app` on a free loopback port for the block; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.engine.dispose()


class Pages:
    """Pages in one headless Chromium that note every script error and failed request.

    `problems` collects, for every page opened, uncaught script errors, failed requests (the app
    has no favicon, which is not ours to judge) and, when asked, console errors: a test ends
    with `assert pages.problems == []`.
    """

    def __init__(self, chromium: Path) -> None:
        self.chromium = chromium
        self.problems: list[str] = []
        self._playwright: t.Any = None
        self._browser: t.Any = None

    def close(self) -> None:
        if self._playwright is not None:
            self._browser.close()
            self._playwright.stop()

    def open(self, width: int, height: int, console: bool = False) -> t.Any:
        """Open a page of `width` x `height` CSS pixels; with `console`, note console errors
        too (script errors and CSP violations show up there)."""
        if self._playwright is None:
            # Started at the first page, not before: the test may use its app until then, which
            # refuses to run in a thread where Playwright's event loop is running.
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(self.chromium), args=ARGS, headless=True
            )
        page = self._browser.new_page(viewport={"width": width, "height": height})
        if console:
            page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        page.on("response", self._response)
        return page

    def _console(self, message: t.Any) -> None:
        # A failed request is judged by its URL below, not by the console line it causes.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(message.text)

    def _response(self, response: t.Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{response.status} {response.url}")


def login(page: t.Any, base: str, email: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def fits_the_phone(page: t.Any, base: str, paths: t.Iterable[str], width: int) -> dict[str, int]:
    """Visit each path, capture it, and return those wider than `width` with their width."""
    wider = {}
    for path in paths:
        page.goto(f"{base}{path}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / f"phone{path.replace('/', '-')}.png"), full_page=True)
        if scroll_width > width:
            wider[path] = scroll_width
    return wider
