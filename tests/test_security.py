"""Hardening: headers, cookie flags, CSRF, login rate limit, secret key, no stack traces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from catalog import security
from catalog.extensions import db
from tests.accounts import PASSWORD
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import login
from tests.factories import make_tool


@pytest.fixture
def app(app):
    """The suite's app (sign-in enforced) with an IT account, Ivan's."""
    add_user(app, "ivan@example.com", "it")
    return app


@pytest.mark.parametrize("path", ["/login", "/review", "/api/v1/audit", "/static/css/catalog.css"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "img-src 'self' data:" in csp
    script = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "unsafe-inline" not in script and "unsafe-eval" not in script
    assert "unsafe-inline" not in re.search(r"style-src ([^;]*)", csp).group(1)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_in_pages(app, client):
    login(client, "ivan@example.com")
    with app.app_context():
        make_tool(db.session, slug="hubspot", name="HubSpot", lifecycle="requested")
        db.session.commit()
    for path in ("/login", "/review", "/review/hubspot", "/review/request", "/scorecard"):
        html = client.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script on {path}: {tag}"
        assert not re.search(r"\son[a-z]+=", html), f"inline event handler on {path}"
        assert not re.search(r"\sstyle=", html), f"inline style on {path}"


def test_session_cookie_flags(tmp_path, _postgres_schema, monkeypatch):
    monkeypatch.delenv("MARTECH_DEV", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = auth_app(tmp_path, TESTING=False)
    add_user(app, "ivan@example.com", "it")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    response = login(client, "ivan@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_cookie_not_secure_in_testing(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_login_is_rate_limited(client):
    statuses = [login(client, "ivan@example.com", "wrong password!").status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    # Even the right password waits until the window passes.
    response = login(client, "ivan@example.com", PASSWORD)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.text
    assert client.get("/login").status_code == 200  # only POST is limited


def test_rate_limit_is_per_app(tmp_path, _postgres_schema):
    # Counters live in each app's own limiter, so one app's failures do not lock out another.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = auth_app(tmp_path / "a")
    for _ in range(11):
        login(first.test_client(), "x@example.com", "wrong password!")
    second = auth_app(tmp_path / "b")
    assert login(second.test_client(), "x@example.com", "wrong password!").status_code == 401


def test_api_write_with_session_cookie_needs_csrf_header(tmp_path, _postgres_schema):
    app = auth_app(tmp_path, WTF_CSRF_ENABLED=True)
    add_user(app, "ada@example.com", "admin")
    client = app.test_client()
    login(client, "ada@example.com")
    response = client.post("/api/v1/bundle", json={"people": []})
    assert response.status_code == 400
    assert "CSRF" in response.text


def test_missing_csrf_on_form_is_400(tmp_path, _postgres_schema):
    app = auth_app(tmp_path, WTF_CSRF_ENABLED=True)
    add_user(app, "ivan@example.com", "it")
    client = app.test_client()
    login(client, "ivan@example.com")
    response = client.post("/review/request", data={"name": "X"})
    assert response.status_code == 400
    assert "CSRF" in response.text


def test_errors_show_no_stack_trace(tmp_path, _postgres_schema):
    app = auth_app(tmp_path, AUTH_ENABLED=False, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "Something went wrong on our side." in response.text


def _bare_app(tmp_path, **config) -> Flask:
    app = Flask("probe", instance_path=str(tmp_path / "instance"))
    app.config.update(config)
    return app


def test_generated_secret_key_outside_development(tmp_path, monkeypatch):
    monkeypatch.delenv("MARTECH_DEV", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = _bare_app(tmp_path, SECRET_KEY="dev")
    security.ensure_secret_key(app)
    key = app.config["SECRET_KEY"]
    assert key != "dev" and len(key) == 64
    key_file = tmp_path / "instance" / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    again = _bare_app(tmp_path, SECRET_KEY="dev")
    security.ensure_secret_key(again)
    assert again.config["SECRET_KEY"] == key  # sessions survive a restart


def test_explicit_secret_key_and_dev_mode_are_respected(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = _bare_app(tmp_path, SECRET_KEY="from-the-environment-0123456789abcdef")
    security.ensure_secret_key(app)
    assert app.config["SECRET_KEY"] == "from-the-environment-0123456789abcdef"
    monkeypatch.setenv("MARTECH_DEV", "1")
    dev = _bare_app(tmp_path, SECRET_KEY="dev")
    security.ensure_secret_key(dev)
    assert dev.config["SECRET_KEY"] == "dev"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_refuses_to_start_without_a_usable_key(tmp_path, monkeypatch):
    monkeypatch.delenv("MARTECH_DEV", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    (tmp_path / "blocker").write_text("not a folder")
    app = Flask("probe", instance_path=str(tmp_path / "blocker" / "instance"))
    app.config["SECRET_KEY"] = "dev"
    with pytest.raises(security.InsecureConfig, match="SECRET_KEY is not set"):
        security.ensure_secret_key(app)


def test_every_page_works_under_the_csp(tmp_path, _postgres_schema):
    # The CSP forbids inline script and inline style; a page relying on either would break
    # in the browser, so none may carry them (graphviz SVG uses presentation attributes).
    app = auth_app(tmp_path, AUTH_ENABLED=False)
    with app.app_context():
        make_tool(db.session, slug="crm", name="CRM <i>", lifecycle="sanctioned")
        make_tool(db.session, slug="esp", name="ESP", lifecycle="discovered")
        db.session.commit()
    client = app.test_client()
    for path in (
        "/tools",
        "/tools/crm",
        "/tools/new",
        "/tools/crm/edit",
        "/people",
        "/flows",
        "/dependencies",
        "/graph",
        "/graph?focus=crm",
        "/audit",
        "/imports",
        "/review",
        "/scorecard",
        "/people/new",
        "/flows/new",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script on {path}: {tag}"
        assert not re.search(r"\son[a-z]+=\"", html), f"inline event handler on {path}"
        assert not re.search(r"<style\b|\sstyle=\"", html), f"inline style on {path}"
        assert "javascript:" not in html, path


def test_login_works_with_rate_limiting_switched_off(tmp_path, _postgres_schema):
    import gc

    app = auth_app(tmp_path, RATELIMIT_ENABLED=False)
    add_user(app, "ivan@example.com", "it")
    gc.collect()
    statuses = [login(app.test_client(), "ivan@example.com").status_code for _ in range(12)]
    assert statuses == [302] * 12


@pytest.fixture
def client(app):
    """A browser that has not signed in: this module is about signing in (the shared `client`
    fixture signs in an administrator)."""
    return app.test_client()


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
