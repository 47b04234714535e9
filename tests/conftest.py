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


@pytest.fixture(scope="session")
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


def make_app(tmp_path: Path, **config: t.Any) -> Flask:
    """Create an app on the test database with an empty catalog."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-at-least-32-bytes-long",
            "WTF_CSRF_ENABLED": False,
            "AUTH_ENABLED": False,
            "SQLALCHEMY_ENGINES": {"default": database_url(tmp_path)},
        }
        | config
    )
    with app.app_context():
        if ON_POSTGRES:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            Base.metadata.create_all(db.engine)
    return app


@pytest.fixture
def app(tmp_path: Path, _postgres_schema: None) -> t.Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> t.Iterator[Session]:
    """For service tests. Don't make client requests while this is active."""
    with app.app_context():
        yield db.session
