"""The change log as a whole: every change record, filtered, and as CSV.

Records outlive what they describe: a deleted tool's or person's history stays readable at its
old key, and `fate` says what became of it.
"""

from __future__ import annotations

import csv
import io
import json
import typing as t
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import ChangeRecord
from catalog.services import entities
from catalog.services.csv_cells import defuse_cell
from catalog.services.records import ValidationError

CSV_HEADER = tuple("id at actor action object_type object_key before after request_id".split())


@dataclass(frozen=True)
class Filters:
    type: str = ""
    actor: str = ""
    action: str = ""
    key: str = ""
    q: str = ""  # part of a key
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return any((self.type, self.actor, self.action, self.key, self.q, self.since, self.until))


def _day(args: t.Mapping[str, str], name: str, label: str) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: f"{label} {text!r} is not a date (YYYY-MM-DD)"}) from None


def parse_filters(args: t.Mapping[str, str]) -> Filters:
    """Read the filters from query arguments; raise ValidationError naming a bad field."""
    values = {
        name: (args.get(name) or "").strip()[:600]
        for name in ("type", "actor", "action", "key", "q")
    }
    since, until = _day(args, "since", "From"), _day(args, "until", "To")
    if since and until and until < since:
        raise ValidationError({"until": f"To ({until}) is before From ({since})"})
    return Filters(**values, since=since, until=until)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def query(filters: Filters, *, hidden_types: Iterable[str] = ()) -> sa.Select[ChangeRecord]:
    """Return the change records matching `filters`, newest first."""
    stmt = sa.select(ChangeRecord)
    hidden = list(hidden_types)
    if hidden:
        stmt = stmt.where(ChangeRecord.object_type.not_in(hidden))
    if filters.type:
        stmt = stmt.where(ChangeRecord.object_type == filters.type)
    if filters.actor:
        stmt = stmt.where(sa.func.lower(ChangeRecord.actor) == filters.actor.lower())
    if filters.action:
        stmt = stmt.where(ChangeRecord.action == filters.action)
    if filters.key:
        stmt = stmt.where(ChangeRecord.object_key == filters.key)
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        stmt = stmt.where(sa.func.lower(ChangeRecord.object_key).like(pattern, escape="\\"))
    if filters.since:
        stmt = stmt.where(ChangeRecord.at >= datetime.combine(filters.since, time(), UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        stmt = stmt.where(ChangeRecord.at < end)
    return stmt.order_by(ChangeRecord.at.desc(), ChangeRecord.id.desc())


def choices(session: Session, *, hidden_types: Iterable[str] = ()) -> dict[str, list[str]]:
    """Return the record types, actions and actors the log holds, for the filter menus."""
    hidden = list(hidden_types)
    out = {}
    for name, column in (
        ("type", ChangeRecord.object_type),
        ("action", ChangeRecord.action),
        ("actor", ChangeRecord.actor),
    ):
        stmt = sa.select(column).distinct().order_by(column)
        if hidden:
            stmt = stmt.where(ChangeRecord.object_type.not_in(hidden))
        out[name] = list(session.scalars(stmt))
    return out


@dataclass(frozen=True)
class Fate:
    """What became of an object that no longer exists."""

    action: str  # delete | merge
    actor: str
    at: datetime
    merged_into: str | None = None


def exists(session: Session, object_type: str, key: str) -> bool | None:
    """Return whether a tool or person exists now (None for other record types)."""
    if object_type == "tool":
        return entities.tool_by_slug(session, key) is not None
    if object_type == "person":
        return entities.person_by_email(session, key) is not None
    return None


def fate(session: Session, object_type: str, key: str) -> Fate | None:
    """Return how a tool or person that is gone left the catalog, or None if it is not gone."""
    if exists(session, object_type, key) is not False:
        return None
    last = session.scalar(
        sa.select(ChangeRecord)
        .where(
            ChangeRecord.object_type == object_type,
            ChangeRecord.object_key == key,
            ChangeRecord.action.in_(("delete", "merge")),
        )
        .order_by(ChangeRecord.at.desc(), ChangeRecord.id.desc())
        .limit(1)
    )
    if last is None:
        return None
    into = (last.after or {}).get("merged_into") if last.action == "merge" else None
    return Fate(last.action, last.actor, last.at, into)


def _json(value: t.Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def csv_lines(rows: Iterable[ChangeRecord]) -> Iterator[str]:
    """Yield the CSV text of the records, header first, formula-like cells defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for i, rec in enumerate(rows, 1):
        writer.writerow(
            [
                defuse_cell(cell)
                for cell in (
                    rec.id,
                    rec.at.isoformat(),
                    rec.actor,
                    rec.action,
                    rec.object_type,
                    rec.object_key,
                    _json(rec.before),
                    _json(rec.after),
                    rec.request_id or "",
                )
            ]
        )
        if i % 1000 == 0:  # hand over text in pieces rather than one growing buffer
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
