"""Optimistic locking: an edit based on a version someone else replaced is a conflict (409).

Every save names the version the form was opened at; a stale one raises ConflictError and
changes nothing, whether the other write was seen before the save (SQLite serialises writers) or
only by the UPDATE matching no row (PostgreSQL).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.services.entities import ConflictError
from tests.conftest import ON_POSTGRES
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool
from tests.service_checks import changes

# Optimistic locking ----------------------------------------------------------------------------


def test_stale_expected_version_raises_conflict_and_changes_nothing(session):
    tool = make_tool(session, slug="segment", name="Segment", annual_cost=1000)
    session.commit()
    entities.save_tool(
        session, {"name": "Segment", "annual_cost": 2000}, actor="a", tool=tool, expected_version=1
    )
    session.commit()
    start = len(changes(session))

    with pytest.raises(ConflictError) as exc_info:
        entities.save_tool(
            session, {"name": "Segment", "annual_cost": 5}, actor="b", tool=tool, expected_version=1
        )
    assert exc_info.value.version == 2
    assert exc_info.value.current["annual_cost"] == 2000
    assert "segment" in str(exc_info.value)
    session.rollback()
    with pytest.raises(ConflictError):
        entities.delete_tool(session, tool, actor="b", expected_version=1)
    session.rollback()
    tool = entities.tool_by_slug(session, "segment")
    assert (tool.version, int(tool.annual_cost)) == (2, 2000)
    assert changes(session)[start:] == []


def test_stale_version_on_person_flow_and_dependency_is_a_conflict(session):
    person = make_person(session, email="ann@example.com")
    make_tool(session, slug="a", name="A")
    make_tool(session, slug="b", name="B")
    flow = make_flow(session, "a", "b")
    dep = make_dependency(session, "a", "b")
    session.commit()
    with pytest.raises(ConflictError):
        entities.save_person(
            session,
            {"email": "ann@example.com", "name": "X"},
            actor="x",
            person=person,
            expected_version=7,
        )
    with pytest.raises(ConflictError):
        entities.delete_flow(session, flow, actor="x", expected_version=3)
    with pytest.raises(ConflictError):
        entities.save_dependency(
            session, {"tool": "a", "depends_on": "b"}, actor="x", dependency=dep, expected_version=0
        )


def test_edit_based_on_a_version_another_session_replaced_is_a_conflict(app, session):
    """A form opened at version 1 cannot overwrite what another user saved meanwhile."""
    from sqlalchemy.orm import Session

    from catalog.extensions import db
    from catalog.extensions import write_intent

    make_tool(session, slug="looker", name="Looker")
    session.commit()
    seen_version = entities.tool_by_slug(session, "looker").version
    session.commit()
    with write_intent(), Session(db.engine) as other:
        theirs = other.scalar(sa.select(Tool).where(Tool.slug == "looker"))
        raw = records.tool_record(theirs) | {"name": "Looker Studio"}
        entities.save_tool(other, raw, actor="them", tool=theirs)
        other.commit()
    with write_intent():
        tool = entities.tool_by_slug(session, "looker")
        with pytest.raises(ConflictError) as exc_info:
            entities.save_tool(
                session,
                {"name": "Looker (BI)"},
                actor="me",
                tool=tool,
                expected_version=seen_version,
            )
        session.rollback()
    assert exc_info.value.current["name"] == "Looker Studio"
    assert entities.tool_by_slug(session, "looker").name == "Looker Studio"


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers up front (BEGIN IMMEDIATE)")
def test_postgres_row_changed_after_we_loaded_it_is_a_conflict_not_an_overwrite(app, session):
    """Both users loaded version 1; the later UPDATE matches no row and becomes a conflict."""
    from sqlalchemy.orm import Session

    from catalog.extensions import db

    make_tool(session, slug="gong", name="Gong")
    session.commit()
    mine = entities.tool_by_slug(session, "gong")  # loaded at version 1, transaction open
    with Session(db.engine) as other:
        theirs = other.scalar(sa.select(Tool).where(Tool.slug == "gong"))
        entities.save_tool(
            other, records.tool_record(theirs) | {"seats": 15}, actor="them", tool=theirs
        )
        other.commit()
    with pytest.raises(ConflictError):
        entities.save_tool(session, {"name": "Gong", "seats": 3}, actor="me", tool=mine)
    session.rollback()
    assert entities.tool_by_slug(session, "gong").seats == 15
