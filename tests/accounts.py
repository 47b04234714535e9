"""Helpers for tests that run with sign-in enforced (AUTH_ENABLED=True)."""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

from click.testing import Result
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient

from catalog.extensions import db
from catalog.services import accounts
from tests.conftest import make_app

PASSWORD = "correct horse battery"


def auth_app(tmp_path: Path, **config: t.Any) -> Flask:
    """Return a test app where signing in is required, as in production."""
    return make_app(tmp_path, **({"AUTH_ENABLED": True} | config))


def add_user(app: Flask, email: str, role: str, password: str = PASSWORD, **kw: t.Any) -> None:
    with app.app_context():
        accounts.create_user(
            db.session, email=email, role=role, password=password, actor="test", **kw
        )
        db.session.commit()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Return the CSRF token rendered into the form at `path`."""
    html = client.get(path).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD, **data: str) -> t.Any:
    form = {"email": email, "password": password} | data
    if client.application.config.get("WTF_CSRF_ENABLED", True):
        form["csrf_token"] = csrf_token(client)
    return client.post("/login", data=form)


def signed_in(app: Flask, email: str) -> FlaskClient:
    """Return a test client signed in as `email` (the sign-in must redirect, i.e. succeed)."""
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def admin_client(app: Flask, email: str = "admin@example.com") -> FlaskClient:
    """Return a client signed in as a new administrator account (like the `client` fixture)."""
    add_user(app, email, "admin")
    return signed_in(app, email)


def run_cli(app: Flask, args: list[str], input: str | None = None) -> Result:
    """Run a `martech` command against `app`."""
    from catalog.cli import main

    runner = app.test_cli_runner()
    return runner.invoke(main, args, input=input, obj=ScriptInfo(create_app=lambda: app))


def add_team(app: Flask, people: t.Iterable[tuple[str, str]]) -> None:
    """Register each (email, role) as a person of the catalog (IT's in the IT department, the
    others in marketing), and give each an account with that role."""
    from tests.factories import make_person

    with app.app_context():
        for email, role in people:
            name = email.split("@")[0].title()
            department = "it" if role == "it" else "marketing"
            make_person(db.session, email=email, name=name, department=department)
        db.session.commit()
    for email, role in people:
        add_user(app, email, role)


def app_with_users(tmp_path: Path, users: t.Iterable[tuple[str, str]], **config: t.Any) -> Flask:
    """Return a test app with sign-in required and an account for each (email, role)."""
    app = auth_app(tmp_path, **config)
    for email, role in users:
        add_user(app, email, role)
    return app
