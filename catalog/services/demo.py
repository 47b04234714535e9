"""The demo stack: the bundled story of Northwind Outfitters, moved to today's date."""

from __future__ import annotations

import json
import typing as t
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Base
from catalog.models import ChangeRecord
from catalog.models import IgnoredApp
from catalog.models import Person
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.vocab import Lifecycle

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
_COUNTED = (
    ("tools", Tool),
    ("people", Person),
    ("sightings", Sighting),
    ("ignored apps", IgnoredApp),
)


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
    wanted = {Tool.__tablename__, Person.__tablename__, IgnoredApp.__tablename__}
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
    deleted: list[tuple[str, str, dict[str, t.Any]]] = [
        ("tool", tool.slug, records.tool_record(tool))
        for tool in session.scalars(sa.select(Tool).order_by(Tool.slug))
    ]
    deleted += [
        ("person", person.email, records.person_record(person))
        for person in session.scalars(sa.select(Person).order_by(Person.email))
    ]
    for kind, key, before in deleted:
        entities.record_change(session, actor, "delete", kind, key, before=before)
    entities.record_change(session, actor, "replace", "catalog", "demo", before=counts)
    session.flush()
    for table in catalog_tables():
        session.execute(table.delete())
    session.expunge_all()
    return counts


# The demo's past ---------------------------------------------------------------------------------
# Loading writes every record today; the story happened over years. Dating each change record
# along it (a tool when it was requested or first seen, a decision on its day, a sighting when
# the evidence starts) lets the audit of any past day, the compare view and the scorecard's
# trends show the stack growing and going rogue, as a newcomer would expect.


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def last_change_id(session: Session) -> int:
    """The newest change record's id: the records a load writes come after it."""
    return int(session.scalar(sa.select(sa.func.max(ChangeRecord.id))) or 0)


def date_history(
    session: Session, bundle: t.Mapping[str, t.Any], *, after_id: int = 0, actor: str = "demo"
) -> int:
    """Date the change records `actor` wrote after `after_id` along the bundle's story."""
    days = [
        date.fromisoformat(v)
        for section in ("tools", "sightings")
        for item in bundle[section]
        for k, v in item.items()
        if k in _DATE_FIELDS[section] and v
    ]
    if not days:
        return 0
    start = _noon(min(days) - timedelta(days=30))
    first_seen: dict[str, date] = {}
    for s in bundle["sightings"]:
        if s.get("tool") and s.get("first_seen"):
            day = date.fromisoformat(s["first_seen"])
            first_seen[s["tool"]] = min(day, first_seen.get(s["tool"], day))
    tools = {tool["slug"]: tool for tool in bundle["tools"]}
    born: dict[str, datetime] = {}
    for slug, tool in tools.items():
        birthday = _day(tool.get("requested_at")) or first_seen.get(slug)
        born[slug] = _noon(birthday) if birthday else start

    count = 0
    for record in session.scalars(
        sa.select(ChangeRecord).where(ChangeRecord.actor == actor, ChangeRecord.id > after_id)
    ):
        after = record.after or {}
        kind = record.object_type
        if kind == "tool":
            record.at = born.get(record.object_key, start)
            count += _decision_history(session, record, actor)
        elif kind in ("flow", "dependency"):
            ends = (
                (after.get("source"), after.get("target"))
                if kind == "flow"
                else (after.get("tool"), after.get("depends_on"))
            )
            record.at = max(born.get(str(end), start) for end in ends)
        elif kind == "sighting":
            seen = _day(after.get("first_seen"))
            record.at = _noon(seen) if seen else start
        else:
            record.at = start
        count += 1
    session.flush()
    return count


def _day(value: t.Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _decision_history(session: Session, created: ChangeRecord, actor: str) -> int:
    """Split a decided tool's create record into its request and the decision(s) after it."""
    final = dict(created.after or {})
    requested, decided = _day(final.get("requested_at")), _day(final.get("decided_at"))
    if created.action != "create" or not requested or not decided or decided <= requested:
        return 0
    retired = _day(final.get("retired_at"))
    steps = []
    if (
        final.get("lifecycle") in (Lifecycle.DEPRECATED, Lifecycle.RETIRED)
        and retired
        and retired > decided
    ):
        steps.append((decided, final | {"lifecycle": Lifecycle.SANCTIONED, "retired_at": None}))
        steps.append((retired, final))
    else:
        steps.append((decided, final | {"retired_at": None} if retired else final))
        if retired and retired > decided:
            steps.append((retired, final))
    created.after = final | {
        "lifecycle": Lifecycle.IN_REVIEW,
        "decided_at": None,
        "retired_at": None,
    }
    before = created.after
    for day, state in steps:
        session.add(
            ChangeRecord(
                at=_noon(day),
                actor=actor,
                action="update",
                object_type="tool",
                object_key=created.object_key,
                before=before,
                after=state,
            )
        )
        before = state
    return len(steps)
