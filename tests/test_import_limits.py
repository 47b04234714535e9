"""Imports' limits: an upload over the size limit gets the app's own page, abandoned uploads
expire, and a YAML alias bomb is refused with a message while modest aliases still work."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from flask import Flask

from catalog.extensions import db
from integrations.backstage import MAX_EXPANDED_NODES
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import csrf_token
from tests.accounts import login
from tests.accounts import run_cli
from tests.accounts import signed_in

# Uploads ---------------------------------------------------------------------------------------


def test_an_upload_over_the_limit_gets_the_apps_own_message(
    tmp_path: Path, _postgres_schema: None
) -> None:
    app = auth_app(
        tmp_path, WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=4096, PROPAGATE_EXCEPTIONS=False
    )
    add_user(app, "it@example.com", "it")
    client = app.test_client()
    assert login(client, "it@example.com").status_code == 302
    token = csrf_token(client, "/imports")
    answer = client.post(
        "/imports",
        data={
            "csrf_token": token,
            "source": "auto",
            "file": (io.BytesIO(b"x" * 10_000), "big.csv"),
        },
    )
    assert answer.status_code == 413
    assert "The file is larger than the upload limit of 4 KB. Nothing was imported" in answer.text
    assert "Sign out" in answer.text  # the app's page, not Werkzeug's bare one
    with app.app_context():
        db.engine.dispose()


def test_abandoned_uploads_expire(staff: Flask, tmp_path: Path) -> None:
    stash = tmp_path / "stash"
    staff.config["IMPORT_STASH_DIR"] = str(stash)
    stash.mkdir()
    old, fresh = stash / ("a" * 32 + ".upload"), stash / ("b" * 32 + ".upload")
    for path in (old, fresh, old.with_suffix(".json")):
        path.write_text("x")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    os.utime(old.with_suffix(".json"), (day_ago, day_ago))
    it = signed_in(staff, "it@example.com")
    answer = it.post(
        "/imports", data={"source": "auto", "file": (io.BytesIO(b"name\nHotjar\n"), "apps.csv")}
    )
    assert answer.status_code == 302
    assert not old.exists() and not old.with_suffix(".json").exists()
    assert fresh.exists()


# YAML ------------------------------------------------------------------------------------------

BOMB = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: bomb}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_alias_bomb_is_refused_with_a_message(staff: Flask, tmp_path: Path) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(BOMB, encoding="utf-8")
    assert path.stat().st_size < 500
    result = run_cli(staff, ["import", "backstage", str(path)])
    assert result.exit_code != 0
    assert f"aliases expand this document past {MAX_EXPANDED_NODES:,} nodes" in result.output
    assert "line 9" in result.output  # where the budget ran out (9**6 nodes)
    assert "Traceback" not in result.output and "MemoryError" not in result.output


def test_yaml_aliases_within_the_budget_still_work(staff: Flask, tmp_path: Path) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        "metadata: {name: staff, tags: &t [a, b]}\n"
        "spec: {type: website, lifecycle: production, owner: team, x: *t}\n",
        encoding="utf-8",
    )
    result = run_cli(staff, ["import", "backstage", str(path)])
    assert result.exit_code == 0, result.output
