"""SQLite tuning: WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for read-then-write."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.extensions import write_intent
from catalog.models import Tool
from catalog.services import entities
from tests.accounts import app_with_users
from tests.accounts import signed_in
from tests.conftest import ON_POSTGRES
from tests.factories import make_tool

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite engine behaviour")


def pragma(name: str) -> t.Any:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_engine_uses_wal_with_foreign_keys_and_a_busy_timeout(app):
    with app.app_context():
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 5000
        assert pragma("synchronous") == 1  # NORMAL: safe with WAL, no fsync per commit


def test_foreign_keys_are_enforced(app):
    with app.app_context(), pytest.raises(sa.exc.IntegrityError):
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sighting (source, observed_name, tool_id, users, events, currency)"
                " VALUES ('okta', 'Ghost', 999, 0, 0, 'USD')"
            )


def add_seat(
    app, *, intent: bool, read: threading.Event | None = None, go: threading.Event | None = None
) -> None:
    """Read a tool's seats, then write seats + 1 through the service, as a form save would."""
    with app.app_context():
        ctx = write_intent() if intent else contextlib.nullcontext()
        with ctx:
            tool = entities.tool_by_slug(db.session, "shared")
            seats = tool.seats
            if read is not None:
                read.set()
            if go is not None:
                go.wait(10)
            entities.save_tool(
                db.session, {"name": tool.name, "seats": seats + 1}, actor="writer", tool=tool
            )
            db.session.commit()


def run(target: t.Callable[..., None], **kwargs: t.Any) -> tuple[threading.Thread, list]:
    errors: list[BaseException] = []

    def wrapped() -> None:
        try:
            target(**kwargs)
        except BaseException as exc:  # noqa: B036 - reported to the test thread
            errors.append(exc)

    thread = threading.Thread(target=wrapped)
    thread.start()
    return thread, errors


@pytest.fixture
def shared_tool(app):
    with app.app_context():
        make_tool(db.session, slug="shared", name="Shared", seats=0)
        db.session.commit()


def seats(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Tool.seats).where(Tool.slug == "shared"))


def paused_writer(app, intent: bool):
    """Start a writer that has read the seats and waits for its `go` to write them back."""
    first_read, release_first = threading.Event(), threading.Event()
    first, first_errors = run(add_seat, app=app, intent=intent, read=first_read, go=release_first)
    assert first_read.wait(10)
    return first, first_errors, release_first


def test_two_interleaved_writers_with_write_intent_both_succeed(app, shared_tool):
    first, first_errors, release_first = paused_writer(app, intent=True)
    # The second writer starts while the first holds its transaction open between read and write.
    second, second_errors = run(add_seat, app=app, intent=True)
    second.join(0.3)
    assert second.is_alive(), "BEGIN IMMEDIATE should make the second writer wait for the lock"
    release_first.set()
    first.join(10), second.join(10)
    assert first_errors == [] and second_errors == []
    assert seats(app) == 2  # no lost update: the second writer read the first one's result


def test_many_concurrent_writers_with_write_intent_all_succeed(app, shared_tool):
    threads = [run(add_seat, app=app, intent=True) for _ in range(6)]
    for thread, _ in threads:
        thread.join(30)
    assert [e for _, errors in threads for e in errors] == []
    assert seats(app) == 6


def test_without_write_intent_the_same_interleaving_fails_with_database_locked(app, shared_tool):
    """The control: a deferred read-then-write loses to a writer that committed in between."""
    first, first_errors, release_first = paused_writer(app, intent=False)
    second, second_errors = run(add_seat, app=app, intent=False)
    second.join(10)
    release_first.set()
    first.join(10)
    assert second_errors == []
    assert len(first_errors) == 1 and "database is locked" in str(first_errors[0])
    assert seats(app) == 1


def test_a_write_while_sqlite_is_locked_is_a_503_and_viewing_still_works(
    tmp_path: Path, _postgres_schema: None
) -> None:
    web = app_with_users(
        tmp_path,
        [("it@example.com", "it"), ("cmo@example.com", "viewer")],
        PROPAGATE_EXCEPTIONS=False,
    )
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
    with web.app_context():
        db.engine.dispose()
