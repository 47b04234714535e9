"""Setup never overwrites: `bin/run`'s steps run twice keep the user's work.

The issue: a second `bash bin/run` re-imported the demo over the catalog (an edited description
reverted, ignored and merged tools came back) and printed no way to sign in.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog import create_app
from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import Tool
from catalog.models import TriageDecision
from catalog.services import entities
from catalog.services import records
from catalog.services import triage
from tests.accounts import login
from tests.accounts import run_cli
from tests.conftest import ON_POSTGRES
from tests.conftest import serving

RUN_STEPS = (["db", "upgrade"], ["demo", "--if-empty", "--today", "2026-11-22"])


def setup_run(app: Flask) -> str:
    """bin/run's steps before it serves: upgrade the schema, load the demo if empty."""
    out = ""
    for args in RUN_STEPS:
        result = run_cli(app, args)
        assert result.exit_code == 0, result.output
        out += result.output
    return out


def description(app: Flask, slug: str) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Tool.description).where(Tool.slug == slug))


@pytest.fixture
def fresh(tmp_path: Path) -> t.Iterator[Flask]:
    """An app on a database without any tables, as a first `bin/run` finds it."""
    if ON_POSTGRES:
        pytest.skip("bin/run's embedded default is a SQLite file; PostgreSQL runs the suite")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp_path / 'fresh.sqlite'}"},
        }
    )
    yield from serving(app)


def work_on_the_catalog(app):
    """What a user does on the demo: HubSpot's description edited by hand, Loom ignored."""
    with app.app_context():
        hubspot = entities.tool_by_slug(db.session, "hubspot")
        entities.save_tool(
            db.session,
            records.tool_record(hubspot) | {"description": "Our CRM of record, edited by hand."},
            actor="ana",
            tool=hubspot,
        )
        triage.ignore(db.session, entities.tool_by_slug(db.session, "loom"), actor="ana")
        db.session.commit()


def test_a_second_setup_keeps_the_edits_and_says_how_to_sign_in(fresh):
    first = setup_run(fresh)
    assert "tools: 46 created" in first and "Demo sign-ins:" in first
    work_on_the_catalog(fresh)

    second = setup_run(fresh)
    assert "created" not in second
    assert "The database already holds a catalog (46 tools, 13 people" in second
    assert "kept it as it is" in second
    assert "admin@demo.example" in second
    assert "martech user set --email EMAIL --password" in second
    assert description(fresh, "hubspot") == "Our CRM of record, edited by hand."
    with fresh.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TriageDecision)) == 1


def test_demo_refuses_a_catalog_and_replace_keeps_the_history(app):
    """On either database: a worked-on catalog is replaced only when asked, history kept."""
    assert run_cli(app, ["demo", "--today", "2026-11-22"]).exit_code == 0
    work_on_the_catalog(app)
    fresh = app

    # Plain `martech demo` refuses and says how to replace.
    refused = run_cli(fresh, ["demo"])
    assert refused.exit_code == 1
    assert "Error: the database already holds a catalog" in refused.output
    assert description(fresh, "hubspot") == "Our CRM of record, edited by hand."

    # --replace asks on a terminal; off one it needs --yes.
    refused = run_cli(fresh, ["demo", "--replace"])
    assert refused.exit_code == 1 and "in a script pass --yes" in refused.output
    assert description(fresh, "hubspot") == "Our CRM of record, edited by hand."
    replaced = run_cli(fresh, ["demo", "--replace", "--yes", "--today", "2026-11-22"])
    assert replaced.exit_code == 0, replaced.output
    assert "Replaced the catalog (46 tools, 13 people" in replaced.output
    assert description(fresh, "hubspot") != "Our CRM of record, edited by hand."
    with fresh.app_context():
        actions = [
            a
            for (a,) in db.session.execute(
                sa.select(ChangeRecord.action)
                .where(ChangeRecord.object_type == "tool", ChangeRecord.object_key == "hubspot")
                .order_by(ChangeRecord.id)
            )
        ]
        # The history survives: the demo's request and decision (dated along its story), the
        # edit by hand, the replace's delete, then the new demo's request and decision.
        assert actions == ["create", "update", "update", "delete", "create", "update"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TriageDecision)) == 0


def test_user_set_password_from_stdin_lets_the_user_sign_in(fresh):
    setup_run(fresh)
    result = run_cli(
        fresh,
        ["user", "set", "--email", "admin@demo.example", "--password"],
        input="a brand new password\n",
    )
    assert result.exit_code == 0, result.output
    assert (
        login(fresh.test_client(), "admin@demo.example", "a brand new password").status_code == 302
    )
    short = run_cli(
        fresh, ["user", "set", "--email", "admin@demo.example", "--password"], input="short\n"
    )
    assert short.exit_code == 1 and "must be at least 12" in short.output


def _read_until(fd: int, text: bytes, timeout: float = 60) -> bytes:
    seen, end = b"", time.monotonic() + timeout
    while text not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_replace_asks_on_a_real_terminal_and_no_keeps_the_catalog(fresh, tmp_path):
    setup_run(fresh)
    martech = Path(sys.executable).with_name("martech")
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}"}
    master, slave = os.openpty()
    terminal = {"stdin": slave, "stdout": slave, "stderr": slave}
    proc = subprocess.Popen(
        [str(martech), "demo", "--replace"], **terminal, env=env, cwd=tmp_path, close_fds=True
    )
    os.close(slave)
    try:
        shown = _read_until(master, b"Replace it? [y/N]")
        assert b"This deletes the catalog (46 tools, 13 people" in shown
        os.write(master, b"n\n")
        rest = _read_until(master, b"nothing was changed")
        assert b"nothing was changed" in rest
        assert proc.wait(timeout=60) == 1
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert "tools: 46" not in rest.decode(errors="replace")
