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
