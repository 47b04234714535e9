"""Fixtures of the browser tests: Chromium's path and the demo catalog served on loopback."""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from catalog.cli import main as cli_main
from tests.browser.chromium import ARTIFACTS
from tests.browser.chromium import CHROMIUM
from tests.browser.chromium import Pages
from tests.browser.chromium import serving
from tests.conftest import make_app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test in this folder drives real Chromium (`-m "not browser"` leaves them out).
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing on CI: the browser tests must run there")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM


@pytest.fixture
def demo_server(tmp_path: Path) -> t.Iterator[tuple[str, Flask]]:
    # About pages in a real browser, not permissions: no sign-in page in the way.
    app = make_app(tmp_path, AUTH_ENABLED=False)
    result = app.test_cli_runner().invoke(cli_main, ["demo"])
    assert result.exit_code == 0, result.output
    with serving(app) as base:
        yield base, app


@pytest.fixture
def pages(request: pytest.FixtureRequest, chromium_path: Path) -> t.Iterator[Pages]:
    """A headless Chromium for the test (closed after it), with its artifacts folder made."""
    # The test's server (`*_server`) starts before Playwright's event loop and stops after it:
    # the app's teardown refuses to run in a thread where an event loop is running.
    for name in request.fixturenames:
        if name.endswith("_server"):
            request.getfixturevalue(name)
    ARTIFACTS.mkdir(exist_ok=True)
    pages = Pages(chromium_path)
    try:
        yield pages
    finally:
        pages.close()
