"""Plain factory functions for tests: each writes through the services, like a user would."""

from __future__ import annotations

import itertools
import typing as t

from flask import Flask
from sqlalchemy.orm import Session

from catalog.extensions import db
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import entities

_seq = itertools.count(1)


def make_person(session: Session, **overrides: t.Any) -> Person:
    n = next(_seq)
    raw = {"email": f"person{n}@example.com", "name": f"Person {n}", "department": "marketing"}
    return entities.save_person(session, raw | overrides, actor="test")


def make_tool(session: Session, **overrides: t.Any) -> Tool:
    n = next(_seq)
    raw = {"name": f"Tool {n}", "slug": f"tool-{n}", "category": "email-marketing"}
    return entities.save_tool(session, raw | overrides, actor="test")


def make_flow(session: Session, source: str, target: str, **overrides: t.Any) -> DataFlow:
    raw = {"source": source, "target": target, "mechanism": "api"}
    return entities.save_flow(session, raw | overrides, actor="test")


def make_dependency(session: Session, tool: str, depends_on: str, **overrides: t.Any) -> Dependency:
    raw = {"tool": tool, "depends_on": depends_on, "kind": "data"}
    return entities.save_dependency(session, raw | overrides, actor="test")


def crm_feeding_quiz(session: Session, crm: dict[str, t.Any] | None = None, **quiz: t.Any) -> None:
    """A sanctioned CRM, the system of record, sends contact data to Quiz (sanctioned) by manual
    export: an unmanaged flow of personal data, which the audit flags. `crm` and `quiz` add to
    or override the two tools' fields."""
    make_tool(
        session,
        **{"name": "CRM", "slug": "crm", "category": "crm", "lifecycle": "sanctioned"}
        | {"system_of_record": True}
        | (crm or {}),
    )
    make_tool(
        session,
        **{"name": "Quiz", "slug": "quiz", "category": "email-marketing", "lifecycle": "sanctioned"}
        | {"data_classes": ["contact_pii"]}
        | quiz,
    )
    make_flow(session, "crm", "quiz", mechanism="manual_export", data_classes=["contact_pii"])


def crm_and_rogue_sheet(session: Session, **crm: t.Any) -> None:
    """Salesforce, the sanctioned CRM and system of record, exports contact data by hand to Rogue
    Sheet, a discovered tool: shadow IT holding personal data. `crm` adds to Salesforce."""
    make_tool(
        session,
        **{"slug": "crm", "name": "Salesforce", "lifecycle": "sanctioned", "system_of_record": True}
        | crm,
    )
    make_tool(
        session,
        slug="sheet",
        name="Rogue Sheet",
        lifecycle="discovered",
        data_classes=["contact_pii"],
    )
    make_flow(session, "crm", "sheet", data_classes=["contact_pii"], mechanism="manual_export")


def make_sighting(session: Session, tool: str, **overrides: t.Any) -> Sighting:
    """A sighting of tool `tool` in an Okta export (under its slug unless `observed_name`)."""
    raw = {"source": "okta", "observed_name": tool, "tool": tool}
    return entities.save_sighting(session, raw | overrides, actor="test")


def seed(app: Flask, fn: t.Callable[[Session], t.Any]) -> t.Any:
    """Run `fn(session)` in its own app context and commit, as another user would."""
    with app.app_context():
        result = fn(db.session)
        db.session.commit()
        return result


# A bundle's people: Mia from marketing and Ian from IT.
BUNDLE_PEOPLE = [
    {"email": "mia@example.com", "name": "Mia", "department": "marketing"},
    {"email": "ian@example.com", "name": "Ian", "department": "it"},
]
