"""The CLI builds the app each command needs: `serve` gets the pages, the others skip them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click

from catalog.cli import create_cli_app

MARTECH = str(Path(sys.executable).with_name("martech"))


def _app_under(command: str):  # type: ignore[no-untyped-def]
    with click.Context(click.Command(command), info_name=command):
        return create_cli_app()


def test_commands_that_serve_no_request_skip_the_web_layer() -> None:
    assert "tools" in _app_under("serve").blueprints
    assert _app_under("audit").blueprints == {}
    assert _app_under("upgrade").blueprints == {}


def test_martech_serve_answers_on_the_printed_url(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
        "SECRET_KEY": "test-serve-key-" + "0" * 32,
    }
    subprocess.run([MARTECH, "db", "upgrade"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [MARTECH, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert f"http://localhost:{port}/" in line
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    assert r.status == 200
                    assert "Sign in" in r.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("martech serve never answered")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
