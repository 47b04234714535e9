"""A small catalog and the check every write-path test of `catalog_version` makes.

Shared by tests/test_catalog_version.py and tests/test_catalog_version_decisions.py (a helper
module, like tests/factories.py, not a test module).
"""

from __future__ import annotations

import typing as t
from datetime import date

from sqlalchemy.orm import Session

from catalog.models import Tool
from catalog.services import accounts
from catalog.services import entities
from catalog.services.snapshot import catalog_version
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

TODAY = date(2026, 12, 1)

# (name, prepare (committed before the version is read), write). `prepare` returns what the
# write needs; the write is the one service call under test.
Write = tuple[str, t.Callable[[Session], t.Any], t.Callable[[Session, t.Any], t.Any]]


def NOTHING(session: Session) -> None:  # noqa: N802 - reads as a constant in the tables
    return None


def tool_of(session: Session, slug: str) -> Tool:
    tool = entities.tool_by_slug(session, slug)
    assert tool is not None
    return tool


def seed(session: Session) -> None:
    make_person(session, email="ann@example.com", name="Ann", department="marketing")
    make_person(session, email="ivan@example.com", name="Ivan", department="it")
    make_tool(
        session,
        slug="crm",
        name="CRM",
        business_owner="ann@example.com",
        technical_owner="ivan@example.com",
        lifecycle="sanctioned",
    )
    make_tool(session, slug="esp", name="ESP", lifecycle="sanctioned")
    make_tool(session, slug="shadow", name="Shadow App", lifecycle="discovered")
    make_tool(session, slug="other", name="Other App", lifecycle="discovered")
    make_tool(
        session,
        slug="asked",
        name="Asked",
        business_owner="ann@example.com",
        technical_owner="ivan@example.com",
        lifecycle="requested",
    )
    make_flow(session, "crm", "esp")
    make_dependency(session, "esp", "crm")
    accounts.create_user(
        session,
        email="ann@example.com",
        role="marketing",
        password="a long enough password",
        actor="test",
    )
    session.commit()


def user_of(session: Session):
    user = accounts.user_by_email(session, "ann@example.com")
    assert user is not None
    return user


def assert_write_moves_version(
    session: Session,
    name: str,
    prepare: t.Callable[[Session], t.Any],
    write: t.Callable[[Session, t.Any], t.Any],
) -> None:
    """Seed, prepare and commit, then check that `write` alone moves the catalog version."""
    seed(session)
    prepared = prepare(session)
    session.commit()
    before = catalog_version(session)
    write(session, prepared)
    session.flush()
    assert catalog_version(session) != before, f"{name} left catalog_version unchanged"
    # The change survives the commit (it is not only in the session's pending state).
    session.commit()
    assert catalog_version(session) != before
