"""A locked SQLite answers 503 with Retry-After; viewing never writes; oversized uploads, YAML
alias bombs, pagination, tokens, proxies, secret keys, stale uploads and the DOT content type."""

from __future__ import annotations

import os
import sqlite3
import time
import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog import security
from catalog.extensions import db
from catalog.models import User
from catalog.services import accounts
from integrations.backstage import MAX_EXPANDED_NODES
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import csrf_token
from tests.accounts import login
from tests.accounts import run_cli
from tests.accounts import signed_in
from tests.conftest import ON_POSTGRES
from tests.factories import make_tool

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's single-writer lock")


@pytest.fixture
def web(tmp_path: Path, _postgres_schema: None) -> t.Iterator[Flask]:
    app = auth_app(tmp_path, PROPAGATE_EXCEPTIONS=False)
    add_user(app, "it@example.com", "it")
    add_user(app, "cmo@example.com", "viewer")
    add_user(app, "root@example.com", "admin")
    yield app
    with app.app_context():
        db.engine.dispose()


# Busy database ---------------------------------------------------------------------------------


@sqlite_only
def test_a_write_while_sqlite_is_locked_is_a_503_and_viewing_still_works(
    web: Flask, tmp_path: Path
) -> None:
    it = signed_in(web, "it@example.com")
    viewer = signed_in(web, "cmo@example.com")
    lock = sqlite3.connect(tmp_path / "catalog.sqlite", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # what a long import holds
    try:
        answer = it.post(
            "/tools/new", data={"name": "Queued", "lifecycle": "requested", "currency": "USD"}
        )
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "2"
        assert "The catalog is busy; try again in a moment." in answer.text
        api = it.post("/api/v1/tools", json={"name": "Queued"})
        assert api.status_code == 503 and api.json == {
            "error": "The catalog is busy; try again in a moment."
        }
        # A viewer's scorecard reads only, so the writer's lock does not stop it.
        page = viewer.get("/scorecard")
        assert page.status_code == 200 and "Tools in the catalog" in page.text
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert it.post("/api/v1/tools", json={"name": "Queued"}).status_code == 201


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
            "file": (__import__("io").BytesIO(b"x" * 10_000), "big.csv"),
        },
    )
    assert answer.status_code == 413
    assert "The file is larger than the upload limit of 4 KB. Nothing was imported" in answer.text
    assert "Sign out" in answer.text  # the app's page, not Werkzeug's bare one
    with app.app_context():
        db.engine.dispose()


def test_abandoned_uploads_expire(web: Flask, tmp_path: Path) -> None:
    stash = tmp_path / "stash"
    web.config["IMPORT_STASH_DIR"] = str(stash)
    stash.mkdir()
    old, fresh = stash / ("a" * 32 + ".upload"), stash / ("b" * 32 + ".upload")
    for path in (old, fresh, old.with_suffix(".json")):
        path.write_text("x")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    os.utime(old.with_suffix(".json"), (day_ago, day_ago))
    it = signed_in(web, "it@example.com")
    answer = it.post(
        "/imports",
        data={"source": "auto", "file": (__import__("io").BytesIO(b"name\nHotjar\n"), "apps.csv")},
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


def test_a_yaml_alias_bomb_is_refused_with_a_message(web: Flask, tmp_path: Path) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(BOMB, encoding="utf-8")
    assert path.stat().st_size < 500
    result = run_cli(web, ["import", "backstage", str(path)])
    assert result.exit_code != 0
    assert f"aliases expand this document past {MAX_EXPANDED_NODES:,} nodes" in result.output
    assert "line 9" in result.output  # where the budget ran out (9**6 nodes)
    assert "Traceback" not in result.output and "MemoryError" not in result.output


def test_yaml_aliases_within_the_budget_still_work(web: Flask, tmp_path: Path) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        "metadata: {name: web, tags: &t [a, b]}\n"
        "spec: {type: website, lifecycle: production, owner: team, x: *t}\n",
        encoding="utf-8",
    )
    result = run_cli(web, ["import", "backstage", str(path)])
    assert result.exit_code == 0, result.output


# API pagination --------------------------------------------------------------------------------


def test_api_collections_come_in_pages(web: Flask) -> None:
    with web.app_context():
        for n in range(7):
            make_tool(db.session, slug=f"tool-{n:02d}", name=f"Tool {6 - n}")
        user = accounts.user_by_email(db.session, "it@example.com")
        token = accounts.issue_api_token(db.session, user, actor="test")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = web.test_client()
    slugs, cursor = [], ""
    for _ in range(4):
        page = client.get(f"/api/v1/tools?limit=3&cursor={cursor}", headers=headers).json
        assert page["count"] == len(page["items"]) <= 3
        slugs += [item["slug"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert slugs == [f"tool-{n:02d}" for n in range(7)]  # every tool once, in slug order
    assert client.get("/api/v1/tools", headers=headers).json["count"] == 7  # default page 100
    web.config["API_PAGE_SIZE"] = 5
    assert client.get("/api/v1/tools", headers=headers).json["next"] == "tool-04"
    for bad, name in (("0", "limit"), ("1001", "limit"), ("x", "limit"), ("²", "limit")):
        answer = client.get(f"/api/v1/tools?{name}={bad}", headers=headers)
        assert answer.status_code == 400 and answer.json["error"].startswith("limit:")
    answer = client.get("/api/v1/flows?cursor=abc", headers=headers)
    assert answer.status_code == 400 and answer.json["error"].startswith("cursor:")
    assert client.get("/api/v1/flows?cursor=99999999999", headers=headers).json["items"] == []
    doc = client.get("/api/v1/openapi.json", headers=headers).json
    params = {p["name"] for p in doc["paths"]["/tools"]["get"]["parameters"]}
    assert {"limit", "cursor"} <= params


# API tokens ------------------------------------------------------------------------------------


def _token(app: Flask, email: str) -> str:
    with app.app_context():
        token = accounts.issue_api_token(
            db.session, accounts.user_by_email(db.session, email), actor="test"
        )
        db.session.commit()
    return token


def test_a_password_reset_revokes_the_api_token(web: Flask) -> None:
    token = _token(web, "it@example.com")
    bearer = {"Authorization": f"Bearer {token}"}
    assert web.test_client().get("/api/v1/tools", headers=bearer).status_code == 200
    admin = signed_in(web, "root@example.com")
    with web.app_context():
        user_id = accounts.user_by_email(db.session, "it@example.com").id
    answer = admin.post(
        f"/admin/accounts/{user_id}/password",
        data={"password": "another long secret", "confirm": "another long secret"},
    )
    assert answer.status_code == 303
    assert web.test_client().get("/api/v1/tools", headers=bearer).status_code == 401


def test_users_list_and_revoke_their_own_token_and_admins_anyones(web: Flask) -> None:
    viewer_token = _token(web, "cmo@example.com")
    it_token = _token(web, "it@example.com")
    viewer = signed_in(web, "cmo@example.com")
    page = viewer.get("/account/tokens")
    assert page.status_code == 200
    assert "cmo@example.com" in page.text and "it@example.com" not in page.text
    with web.app_context():
        ids = {u.email: u.id for u in db.session.scalars(sa.select(User))}
    assert viewer.post(f"/account/tokens/{ids['it@example.com']}/revoke").status_code == 403
    assert viewer.post(f"/account/tokens/{ids['cmo@example.com']}/revoke").status_code == 303
    client = web.test_client()
    assert (
        client.get("/api/v1/tools", headers={"Authorization": f"Bearer {viewer_token}"}).status_code
        == 401
    )
    admin = signed_in(web, "root@example.com")
    listing = admin.get("/account/tokens")
    assert "it@example.com" in listing.text and "cmo@example.com" not in listing.text
    assert admin.post(f"/account/tokens/{ids['it@example.com']}/revoke").status_code == 303
    assert (
        client.get("/api/v1/tools", headers={"Authorization": f"Bearer {it_token}"}).status_code
        == 401
    )


# Proxy, secret key, DOT --------------------------------------------------------------------------


def test_behind_a_proxy_the_login_limiter_counts_each_client(
    tmp_path: Path, _postgres_schema: None
) -> None:
    app = auth_app(tmp_path, PROXY_FIX_X_FOR=1, LOGIN_RATE_LIMIT="2/minute", RATELIMIT_ENABLED=True)
    client = app.test_client()

    def attempt(ip: str) -> int:
        return client.post(
            "/login",
            data={"email": "x@example.com", "password": "wrong"},
            headers={"X-Forwarded-For": ip},
        ).status_code

    assert [attempt("203.0.113.1") for _ in range(3)] == [401, 401, 429]
    assert attempt("203.0.113.2") == 401  # another client behind the same proxy
    with app.app_context():
        db.engine.dispose()


def test_a_short_secret_key_is_refused_outside_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MARTECH_DEV", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = Flask("probe", instance_path=str(tmp_path / "instance"))
    app.config["SECRET_KEY"] = "x"
    with pytest.raises(security.InsecureConfig, match="SECRET_KEY is 1 bytes; use at least 32"):
        security.ensure_secret_key(app)
    app.config["SECRET_KEY"] = "k" * 32
    security.ensure_secret_key(app)
    monkeypatch.setenv("MARTECH_DEV", "1")
    app.config["SECRET_KEY"] = "x"
    security.ensure_secret_key(app)  # development keeps what it is given


def test_the_dot_download_names_its_charset_once(web: Flask) -> None:
    with web.app_context():
        make_tool(db.session, slug="crm", name="CRM")
        db.session.commit()
    answer = signed_in(web, "cmo@example.com").get("/graph?format=dot")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/vnd.graphviz; charset=utf-8"
