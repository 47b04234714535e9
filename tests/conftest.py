"""Fixtures: a real SQLite file in WAL mode per test, or PostgreSQL if TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from catalog import create_app
from catalog.extensions import db
from catalog.models import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


# Autouse: each test run gets a database of its own (bin/test), so the tables must exist before
# the first test, whichever module it is in (the browser tests start their apps directly).
@pytest.fixture(scope="session", autouse=True)
def _postgres_schema() -> t.Iterator[None]:
    if ON_POSTGRES:
        engine = sa.create_engine(TEST_DATABASE_URL)
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)
        engine.dispose()
    yield


def database_url(tmp_path: Path) -> str:
    """Return the database URL a test app should use."""
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'catalog.sqlite'}"


def make_app(tmp_path: Path, url: str = "", **config: t.Any) -> Flask:
    """Create an app on the test database with an empty catalog, sign-in and roles enforced.

    Pass AUTH_ENABLED=False only for tests about something else (see `app`), and `url` for a
    database of the test's own (a SQLite file whichever database the suite runs on).
    """
    url = url or database_url(tmp_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-at-least-32-bytes-long",
            "WTF_CSRF_ENABLED": False,
            "AUTH_ENABLED": True,
            "SQLALCHEMY_ENGINES": {"default": url},
        }
        | config
    )
    with app.app_context():
        if url.startswith("postgresql"):
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            Base.metadata.create_all(db.engine)
    return app


def serving(app: Flask) -> t.Iterator[Flask]:
    """Hand `app` to a test (`yield from serving(app)` in a fixture), then close its database
    connections so the next test's database can be dropped or truncated."""
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(
    request: pytest.FixtureRequest, tmp_path: Path, _postgres_schema: None
) -> t.Iterator[Flask]:
    """The test app, with permissions on. A module about something else (page layout, importers,
    the audit's figures) may switch them off by saying why in a module-level `AUTH_OFF`."""
    off = getattr(request.module, "AUTH_OFF", None)
    app = make_app(tmp_path, **({"AUTH_ENABLED": False} if off else {}))
    yield from serving(app)


ADMIN_EMAIL = "admin@example.com"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser signed in as an administrator (permissions on), or anonymous with them off.

    Tests about what a role may not do sign in as that role (`tests.accounts.signed_in`).
    """
    client = app.test_client()
    if app.config["AUTH_ENABLED"]:
        from catalog.services import accounts

        with app.app_context():
            accounts.create_user(
                db.session,
                email=ADMIN_EMAIL,
                role="admin",
                password="correct horse battery",
                actor="test",
            )
            db.session.commit()
        response = client.post(
            "/login", data={"email": ADMIN_EMAIL, "password": "correct horse battery"}
        )
        assert response.status_code == 302, "the test administrator could not sign in"
    return client


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> t.Iterator[Session]:
    """For service tests. Don't make client requests while this is active."""
    with app.app_context():
        yield db.session


@pytest.fixture
def source(tmp_path: Path) -> t.Iterator[tuple[Flask, Path, dict[str, t.Any]]]:
    """For the dump tests: a populated SQLite catalog, its dump, and what users see of it."""
    from catalog.services import dump
    from tests.dump_catalog import populate
    from tests.dump_catalog import sqlite_app
    from tests.dump_catalog import table_counts
    from tests.dump_catalog import views

    app = sqlite_app(tmp_path / "source.sqlite")
    with app.app_context():
        populate(db.session)
        path = tmp_path / "catalog.dump.gz"
        dump.dump(db.session, path)
        seen = views(db.session)
        counts = table_counts(db.session)
    yield app, path, {"views": seen, "counts": counts}
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def governance(tmp_path: Path, _postgres_schema: None) -> t.Iterator[Flask]:
    """For the governance tests: the team of tests/governance_web.py, sign-in enforced."""
    from tests.governance_web import governance_app

    app = governance_app(tmp_path)
    yield from serving(app)


@pytest.fixture
def staff(tmp_path: Path, _postgres_schema: None) -> t.Iterator[Flask]:
    """An app with sign-in required, errors answered as in production, and three accounts:
    it@example.com (IT), cmo@example.com (viewer) and root@example.com (administrator)."""
    from tests.accounts import app_with_users

    users = (("it@example.com", "it"), ("cmo@example.com", "viewer"), ("root@example.com", "admin"))
    app = app_with_users(tmp_path, users, PROPAGATE_EXCEPTIONS=False)
    yield from serving(app)
