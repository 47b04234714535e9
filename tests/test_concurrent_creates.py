"""Concurrent creates of the same key: each request gets its answer (201, 400, 409, a redirect),
never a 500, and exactly one record exists afterwards.

Threads send the same create through the app at once (a barrier lines them up). On PostgreSQL
two of them can both pass the "does it exist?" check before either inserts; the unique
constraint then settles it and the loser must hear 409. On SQLite writers queue on the lock.
"""

from __future__ import annotations

import threading
import typing as t
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from catalog.extensions import db
from catalog.models import DataFlow
from catalog.models import Person
from catalog.models import ReviewSignoff
from catalog.models import TaxonomyEntry
from catalog.models import Tool
from catalog.models import User
from tests.conftest import make_app
from tests.factories import make_person
from tests.factories import make_tool

THREADS = 8
ROUNDS = 3


@pytest.fixture
def racy(tmp_path: t.Any, _postgres_schema: None) -> t.Iterator[Flask]:
    # A 500 must come back as a status here, not as an exception in a worker thread.
    # Permissions are off (make_app's AUTH_ENABLED=False, stated here explicitly): these tests
    # are about races between equal requests, not about who may send them.
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False, AUTH_ENABLED=False)
    with app.app_context():
        make_person(db.session, email="mia@example.com")
        make_person(db.session, email="ian@example.com")
        make_tool(db.session, slug="src", name="Source")
        make_tool(db.session, slug="dst", name="Target")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def race(app: Flask, send: t.Callable[[FlaskClient], t.Any]) -> list[int]:
    """Send the same request from THREADS threads at once; return the status codes."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def worker() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(send(client).status_code)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def count(app: Flask, query: sa.Select[t.Any]) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())))


def test_same_tool_person_and_flow(racy: Flask) -> None:
    for n in range(ROUNDS):
        statuses = race(racy, lambda c, n=n: c.post("/api/v1/tools", json={"name": f"Race {n}"}))
        assert statuses.count(201) == 1 and set(statuses) <= {201, 400, 409}, statuses
        assert count(racy, sa.select(Tool).where(Tool.slug == f"race-{n}")) == 1

        statuses = race(
            racy, lambda c, n=n: c.post("/api/v1/people", json={"email": f"race{n}@example.com"})
        )
        assert statuses.count(201) == 1 and set(statuses) <= {201, 400, 409}, statuses
        assert count(racy, sa.select(Person).where(Person.email == f"race{n}@example.com")) == 1

    for mechanism in ("api", "ipaas", "webhook"):
        statuses = race(
            racy,
            lambda c, m=mechanism: c.post(
                "/api/v1/flows", json={"source": "src", "target": "dst", "mechanism": m}
            ),
        )
        assert statuses.count(201) == 1 and set(statuses) <= {201, 400, 409}, statuses
    assert count(racy, sa.select(DataFlow)) == 3


def test_same_bundle(racy: Flask) -> None:
    for n in range(ROUNDS):
        bundle = {"tools": [{"slug": f"bundled-{n}", "name": f"Bundled {n}"}]}
        statuses = race(racy, lambda c, b=bundle: c.post("/api/v1/bundle", json=b))
        # A loser that read "no such tool" and then met the winner's row hears 400 "slug is
        # already used" (nothing written) or 409; sent again, it gets the upsert's 200.
        assert 200 in statuses and set(statuses) <= {200, 400, 409}, statuses
        assert count(racy, sa.select(Tool).where(Tool.slug == f"bundled-{n}")) == 1


def test_same_signoff(racy: Flask) -> None:
    with racy.app_context():
        for n in range(ROUNDS):
            make_tool(
                db.session,
                slug=f"req-{n}",
                name=f"Req {n}",
                lifecycle="requested",
                requested_at=date.today(),
                business_owner="mia@example.com",
                technical_owner="ian@example.com",
            )
        db.session.commit()
    for n in range(ROUNDS):
        statuses = race(
            racy, lambda c, n=n: c.post(f"/review/req-{n}/signoff/business", data={"note": "ok"})
        )
        assert set(statuses) <= {302, 400, 409}, statuses
        assert count(racy, sa.select(ReviewSignoff).join(Tool).where(Tool.slug == f"req-{n}")) == 1


def test_same_taxonomy_group_and_account(racy: Flask) -> None:
    for n in range(ROUNDS):
        statuses = race(
            racy, lambda c, n=n: c.post("/admin/taxonomy/groups", data={"name": f"Race group {n}"})
        )
        assert statuses.count(303) == 1 and set(statuses) <= {303, 400, 409}, statuses
        assert (
            count(racy, sa.select(TaxonomyEntry).where(TaxonomyEntry.name == f"Race group {n}"))
            == 1
        )

        statuses = race(
            racy,
            lambda c, n=n: c.post(
                "/admin/accounts",
                data={
                    "email": f"acct{n}@example.com",
                    "role": "viewer",
                    "password": "correct horse battery",
                    "confirm": "correct horse battery",
                },
            ),
        )
        assert statuses.count(303) == 1 and set(statuses) <= {303, 400, 409}, statuses
        assert count(racy, sa.select(User).where(User.email == f"acct{n}@example.com")) == 1


def test_same_triage_register(racy: Flask) -> None:
    with racy.app_context():
        for n in range(ROUNDS):
            make_tool(db.session, slug=f"found-{n}", name=f"Found {n}", lifecycle="discovered")
        db.session.commit()
    for n in range(ROUNDS):
        statuses = race(racy, lambda c, n=n: c.post(f"/imports/triage/found-{n}/register"))
        assert 302 in statuses and set(statuses) <= {302, 409}, statuses
        with racy.app_context():
            tool = db.session.scalar(sa.select(Tool).where(Tool.slug == f"found-{n}"))
            assert tool.lifecycle == "requested"
