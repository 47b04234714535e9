"""The people register: who can own a tool."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.fields import PERSON_FIELDS
from catalog.models import Person
from catalog.models import Tool
from catalog.services import records
from catalog.services import tools
from catalog.services.writes import Raw
from catalog.services.writes import Register
from catalog.services.writes import deleted
from catalog.services.writes import opened
from catalog.services.writes import put
from catalog.services.writes import refuse_clash
from catalog.services.writes import rows
from catalog.services.writes import saved


def save_person(
    session: Session,
    raw: Raw,
    *,
    actor: str,
    person: Person | None = None,
    expected_version: int | None = None,
) -> Person:
    """Create a person, or update `person`, from a record dict."""
    values = records.clean(PEOPLE.fields, raw)
    before = opened(PEOPLE, person, expected_version)
    refuse_clash(session, PEOPLE, person, values, {})
    saved_person: Person = put(session, PEOPLE, person, values, {}, actor=actor, before=before)
    return saved_person


def owned_tools(session: Session, person: Person) -> list[Tool]:
    """Return the tools this person owns on either side."""
    owns = sa.or_(Tool.business_owner_id == person.id, Tool.technical_owner_id == person.id)
    return rows(session, Tool, owns, Tool.slug)


def delete_person(
    session: Session, person: Person, *, actor: str, expected_version: int | None = None
) -> None:
    """Delete a person; the tools they owned lose that owner (each recorded)."""
    before = opened(PEOPLE, person, expected_version)
    assert before is not None
    for tool in owned_tools(session, person):
        tool_before = tools.TOOLS.record(tool)
        if tool.business_owner_id == person.id:
            tool.business_owner = None
        if tool.technical_owner_id == person.id:
            tool.technical_owner = None
        saved(session, tools.TOOLS, tool, tool_before, actor=actor)
    deleted(session, PEOPLE, person, before, actor=actor)


PEOPLE = Register(
    name="people",
    object_type="person",
    model=Person,
    fields=PERSON_FIELDS,
    key_format="{email}",
    save=save_person,
    delete=delete_person,
    lookup="email",
    clash="{email} is already registered",
)
