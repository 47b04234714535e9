"""Two `martech serve` processes on one database: a write through one shows on the other at once.

This is how a catalog outgrows one machine (docs/running-in-production.md): several server
processes behind a reverse proxy, one PostgreSQL database. Every cache a process keeps (the
audit, the graph pictures, the taxonomy, the search index) is keyed on the catalog version read
from the database, so a process sees another's write on its next request, with no restart and no
message between them. On the SQLite run the two processes share one SQLite file instead, which
must work the same way.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import typing as t
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import database_url

MARTECH = [sys.executable, "-c", "from catalog.cli import main; main()"]
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """One signed-in user of one server: cookies, the CSRF token of each form, a bearer token."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        # API calls go without the cookie, as a script's would: the bearer token alone.
        self.script = urllib.request.build_opener()

    def request(
        self,
        method: str,
        path: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        script: bool = False,
    ) -> tuple[int, str]:
        req = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers or {}
        )
        try:
            with (self.script if script else self.opener).open(req, timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def get(self, path: str) -> str:
        status, body = self.request("GET", path)
        assert status == 200, (path, status, body[:500])
        return body

    def post_form(self, path: str, form_page: str, fields: dict[str, str]) -> tuple[int, str]:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(form_page))
        assert token, f"no CSRF token on {form_page}"
        body = urllib.parse.urlencode(fields | {"csrf_token": token.group(1)}).encode()
        return self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def api(self, method: str, path: str, payload: t.Any = None) -> tuple[int, t.Any]:
        data = None if payload is None else json.dumps(payload).encode()
        status, body = self.request(
            method,
            "/api/v1" + path,
            data,
            {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            script=True,
        )
        return status, json.loads(body) if body.startswith(("{", "[")) else body

    def sign_in(self, email: str) -> None:
        status, body = self.post_form("/login", "/login", {"email": email, "password": PASSWORD})
        assert status == 200 and "Sign out" in body, body[:500]


@pytest.fixture
def servers(app: Flask, tmp_path: Path) -> t.Iterator[tuple[Browser, Browser]]:
    # `app` gives the test database its schema and an empty catalog (truncated on PostgreSQL).
    env = os.environ | {
        "DATABASE_URL": database_url(tmp_path),
        "SECRET_KEY": "two-servers-share-this-secret-key-of-40-bytes",
        # Plain HTTP on loopback: no proxy terminates TLS here, so the cookies
        # cannot be marked Secure (they are by default outside development).
        "SESSION_COOKIE_SECURE": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("MARTECH_DEV", None)
    cwd = tmp_path

    def martech(*args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [*MARTECH, *args],
            input=stdin,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    martech(
        "user",
        "create",
        "--email",
        "admin@example.com",
        "--role",
        "admin",
        "--name",
        "Ada Admin",
        stdin=PASSWORD + "\n",
    )
    token = martech("user", "token", "--email", "admin@example.com").strip()

    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen(
            [*MARTECH, "serve", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    try:
        browsers = [Browser(f"http://127.0.0.1:{port}", token) for port in ports]
        for proc, browser in zip(procs, browsers, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    browser.request("GET", "/login")
                    break
                except OSError:
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.2)
            browser.sign_in("admin@example.com")
        yield browsers[0], browsers[1]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stderr:
                proc.stderr.close()


def _audit_subjects(browser: Browser) -> set[str]:
    status, report = browser.api("GET", "/audit")
    assert status == 200, report
    return {f["subject"]["key"] for f in report["findings"]}


def test_a_write_through_one_server_reaches_the_other_at_once(
    servers: tuple[Browser, Browser],
) -> None:
    one, other = servers
    # The second server has served every page once, so its caches are warm.
    status, created = one.api(
        "POST",
        "/tools",
        {
            "slug": "crm",
            "name": "Our CRM",
            "lifecycle": "sanctioned",
            "estate_reason": "in use before the catalog",
        },
    )
    assert status == 201, created
    before_audit = _audit_subjects(other)
    assert "Mailer Deluxe" not in other.get("/graph?format=dot")
    assert "Loyalty widgets" not in other.get("/admin/taxonomy")
    other.get("/tools/crm")
    status, refused = other.api(
        "POST", "/tools", {"slug": "points", "name": "Points", "category": "loyalty-widgets"}
    )
    assert status == 400 and "category" in json.dumps(refused), refused

    # Writes through the first server: a new tool with customer data flowing out of the CRM
    # (a new audit finding and a graph edge), a category added by the administrator, an edit.
    status, body = one.api("POST", "/tools", {"slug": "esp", "name": "Mailer Deluxe"})
    assert status == 201, body
    status, body = one.api(
        "POST",
        "/flows",
        {"source": "crm", "target": "esp", "mechanism": "api", "data_classes": ["contact_pii"]},
    )
    assert status == 201, body
    status, page = one.post_form(
        "/admin/taxonomy/categories",
        "/admin/taxonomy",
        {"name": "Loyalty widgets", "group": "commerce-sales"},
    )
    assert status == 200 and "Loyalty widgets" in page, page[:500]
    status, body = one.api("GET", "/tools/crm")
    assert status == 200, body
    status, body = one.api("PUT", "/tools/crm", body | {"description": "Where customers live"})
    assert status == 200, body

    # ...show on the second at once.
    after_audit = _audit_subjects(other)
    assert "esp" in after_audit - before_audit, sorted(after_audit)
    dot = other.get("/graph?format=dot")
    assert "Mailer Deluxe" in dot and "Our CRM" in dot
    assert "Loyalty widgets" in other.get("/admin/taxonomy")
    status, body = other.api(
        "POST", "/tools", {"slug": "points", "name": "Points", "category": "loyalty-widgets"}
    )
    assert status == 201, body
    page = other.get("/tools/crm")
    assert "Where customers live" in page and "Mailer Deluxe" in page
