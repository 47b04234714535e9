"""The demo stack: the bundled story of Northwind Outfitters, moved to today's date."""

from __future__ import annotations

import json
import typing as t
from datetime import date
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Base
from catalog.models import IgnoredApp
from catalog.models import Person
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records

DEMO_BUNDLE = Path(__file__).resolve().parent.parent / "data" / "demo.json"
# The demo's dates are written as of this day; loading shifts them so the story stays true.
ANCHOR = date(2026, 11, 22)

_DATE_FIELDS = {
    "tools": tuple(f.name for f in records.TOOL_FIELDS if f.kind == "date"),
    "sightings": tuple(f.name for f in records.SIGHTING_FIELDS if f.kind == "date"),
}


def shift_dates(bundle: t.Mapping[str, t.Any], days: int) -> dict[str, t.Any]:
    """Return a copy of a bundle with every tool and sighting date moved by `days` days."""
    shifted: dict[str, t.Any] = {}
    for section, items in bundle.items():
        names = _DATE_FIELDS.get(section, ())
        shifted[section] = [
            {k: _shift(v, days) if k in names else v for k, v in item.items()} for item in items
        ]
    return shifted


def _shift(value: t.Any, days: int) -> t.Any:
    if not isinstance(value, str) or not value:
        return value
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()


def demo_bundle(today: date) -> dict[str, t.Any]:
    """Return the demo bundle with its dates moved from the anchor day to `today`."""
    with DEMO_BUNDLE.open(encoding="utf-8") as fh:
        bundle = json.load(fh)
    return shift_dates(bundle, (today - ANCHOR).days)


# Loading only into an empty catalog -------------------------------------------------------------
# Setup runs `martech demo` every time; a catalog someone has worked on must never be overwritten.

# Counted to tell an empty catalog; sign-in accounts, settings and the change log do not count.
_COUNTED = (("tools", Tool), ("people", Person), ("sightings", Sighting),
            ("ignored apps", IgnoredApp))


def catalog_counts(session: Session) -> dict[str, int]:
    """Return how many records of each kind the catalog holds."""
    return {
        label: int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
        for label, model in _COUNTED
    }


def describe(counts: t.Mapping[str, int]) -> str:
    return ", ".join(f"{n} {label}" for label, n in counts.items() if n) or "nothing"


def catalog_tables() -> list[sa.Table]:
    """Return the tables a replace empties, children first: tools, people, what refers to them.

    Found from the foreign keys, so a table added later that hangs off a tool is emptied too.
    Accounts, settings, the taxonomy, scorecard figures and the change log stay.
    """
    wanted = {Tool.__table__.name, Person.__table__.name, IgnoredApp.__table__.name}
    tables = Base.metadata.sorted_tables
    for table in tables:  # sorted: a table comes after every table it refers to
        if any(fk.column.table.name in wanted for fk in table.foreign_keys):
            wanted.add(table.name)
    return [table for table in reversed(tables) if table.name in wanted]


def clear_catalog(session: Session, *, actor: str) -> dict[str, int]:
    """Delete the catalog's records before a replace; return what was there.

    Each tool and person gets a delete record, so their history stays readable at their key.
    """
    counts = catalog_counts(session)
    for tool in session.scalars(sa.select(Tool).order_by(Tool.slug)):
        entities.record_change(session, actor=actor, action="delete", object_type="tool",
                               object_key=tool.slug, before=records.tool_record(tool), after=None)
    for person in session.scalars(sa.select(Person).order_by(Person.email)):
        entities.record_change(session, actor=actor, action="delete", object_type="person",
                               object_key=person.email, before=records.person_record(person),
                               after=None)
    entities.record_change(session, actor=actor, action="replace", object_type="catalog",
                           object_key="demo", before=counts, after=None)
    session.flush()
    for table in catalog_tables():
        session.execute(table.delete())
    session.expunge_all()
    return counts
