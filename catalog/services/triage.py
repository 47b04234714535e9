"""Triage of discovered tools: register one, merge it into a known tool, or ignore it.

Every action goes through the entity services and records its changes; the caller commits.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import IgnoredApp
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.services import entities
from catalog.services import matching
from catalog.services import records
from catalog.services.discovery_write import add_alias
from catalog.services.discovery_write import alias_record
from catalog.services.records import ValidationError


@dataclass(frozen=True)
class InboxItem:
    tool: Tool
    sightings: list[Sighting]
    users: int
    events: int
    last_seen: date | None
    suggestion: Tool | None


def inbox(session: Session) -> list[InboxItem]:
    """Return the discovered tools, most recently seen first, each with a suggested known tool."""
    tools = list(session.scalars(sa.select(Tool).where(Tool.lifecycle == "discovered")))
    by_tool: dict[int, list[Sighting]] = {}
    for s in session.scalars(
        sa.select(Sighting)
        .where(Sighting.tool_id.in_([tool.id for tool in tools]))
        .order_by(Sighting.source, Sighting.observed_name)
    ):
        by_tool.setdefault(s.tool_id or 0, []).append(s)
    known = {
        t.id: t for t in session.scalars(sa.select(Tool).where(Tool.lifecycle != "discovered"))
    }
    matcher = matching.Matcher(session, "")
    matcher.names = {tid: tool.name for tid, tool in known.items()}
    items = []
    for tool in tools:
        sightings = by_tool.get(tool.id, [])
        hint = matcher.suggest(tool.name)
        days = [s.last_seen for s in sightings if s.last_seen is not None]
        items.append(
            InboxItem(
                tool,
                sightings,
                max((s.users for s in sightings), default=0),
                sum(s.events for s in sightings),
                max(days) if days else None,
                known.get(hint[0]) if hint else None,
            )
        )
    return sorted(items, key=lambda i: (i.last_seen or date.min, i.tool.slug), reverse=True)


def _discovered(tool: Tool) -> None:
    if tool.lifecycle != "discovered":
        raise ValidationError(
            {"lifecycle": f"{tool.name} is {tool.lifecycle}, not discovered"}, record=tool.slug
        )


def register(session: Session, tool: Tool, *, actor: str, today: date) -> Tool:
    """Turn a discovered tool into a request for IT to review."""
    _discovered(tool)
    raw = records.tool_record(tool) | {"lifecycle": "requested", "requested_at": today}
    return entities.save_tool(session, raw, actor=actor, tool=tool)


def _aliases(session: Session, tool: Tool) -> list[ToolAlias]:
    return list(session.scalars(sa.select(ToolAlias).where(ToolAlias.tool_id == tool.id)))


def merge(session: Session, tool: Tool, into: Tool, *, actor: str) -> Tool:
    """Fold a discovered tool into a known one: move its sightings and ids, remember its names."""
    _discovered(tool)
    if into.id == tool.id:
        raise ValidationError({"into": "choose a different tool"}, record=tool.slug)
    names = [tool.name]
    for sighting in entities.tool_sightings(session, tool):
        names.append(sighting.observed_name)
        entities.save_sighting(
            session, records.sighting_record(sighting) | {"tool": into.slug}, actor=actor
        )
    for alias in _aliases(session, tool):
        before = alias_record(alias, tool.slug)
        alias.tool = into
        entities.record_change(
            session,
            actor=actor,
            action="update",
            object_type="alias",
            object_key=alias.key,
            before=before,
            after=alias_record(alias, into.slug),
        )
    session.flush()
    for name in names:
        add_alias(session, into, matching.normalise(name), actor=actor)
    entities.delete_tool(session, tool, actor=actor)
    return into


def _ignore_key(session: Session, source: str, value: str, label: str, actor: str) -> None:
    exists = session.scalar(
        sa.select(IgnoredApp).where(IgnoredApp.source == source, IgnoredApp.value == value)
    )
    if exists is not None or not value:
        return
    item = IgnoredApp(source=source, value=value, label=label[:500])
    session.add(item)
    entities.record_change(
        session,
        actor=actor,
        action="create",
        object_type="ignored_app",
        object_key=item.key,
        before=None,
        after={"source": source, "value": value, "label": item.label},
    )


def ignore(session: Session, tool: Tool, *, actor: str) -> None:
    """Forget a discovered tool and keep later imports from raising its apps again."""
    _discovered(tool)
    _ignore_key(session, "", matching.normalise(tool.name), tool.name, actor)
    for sighting in entities.tool_sightings(session, tool):
        _ignore_key(
            session, "", matching.normalise(sighting.observed_name), sighting.observed_name, actor
        )
    for alias in _aliases(session, tool):
        if alias.source:
            _ignore_key(session, alias.source, alias.value, tool.name, actor)
        entities.record_change(
            session,
            actor=actor,
            action="delete",
            object_type="alias",
            object_key=alias.key,
            before=alias_record(alias, tool.slug),
            after=None,
        )
        session.delete(alias)
    session.flush()
    entities.delete_tool(session, tool, actor=actor)


def tool_choices(session: Session) -> list[tuple[str, str]]:
    """Return (slug, name) of every tool a discovered one could be merged into."""
    rows: t.Iterable[tuple[str, str]] = session.execute(
        sa.select(Tool.slug, Tool.name).where(Tool.lifecycle != "discovered").order_by(Tool.name)
    ).all()
    return [(slug, name) for slug, name in rows]
