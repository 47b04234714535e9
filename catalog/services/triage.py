"""Triage of discovered tools: register one, merge it into a known tool, or ignore it.

Nothing here deletes evidence: an ignore hides a tool and can be undone; a merge (in
`triage_merge`) moves everything to the known tool and can be undone too.

Every action goes through the entity services and records its changes; the caller commits.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from rapidfuzz import fuzz
from rapidfuzz import process
from sqlalchemy.orm import Session

from catalog import vocab
from catalog.models import IgnoredApp
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.models import TriageDecision
from catalog.models import utcnow
from catalog.services import caches
from catalog.services import entities
from catalog.services import matching
from catalog.services import records
from catalog.services.records import ValidationError
from catalog.services.snapshot import catalog_version
from catalog.vocab import Lifecycle


@dataclass(frozen=True)
class InboxItem:
    tool: Tool
    sightings: list[Sighting]
    users: int
    events: int
    last_seen: date | None
    suggestion: Tool | None


def _waiting() -> sa.Select[int]:
    """The ids of the discovered tools waiting for a decision (not ignored)."""
    hidden = sa.select(TriageDecision.tool_id).where(
        TriageDecision.action == "ignore",
        TriageDecision.undone_at.is_(None),
        TriageDecision.tool_id.is_not(None),
    )
    return sa.select(Tool.id).where(Tool.lifecycle == Lifecycle.DISCOVERED, Tool.id.not_in(hidden))


def inbox_count(session: Session) -> int:
    """Return how many discovered tools wait for a decision (counted by the database)."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(_waiting().subquery())) or 0)


def inbox(session: Session, *, offset: int = 0, limit: int | None = None) -> list[InboxItem]:
    """Return the discovered tools, newest evidence first, each with a suggested known tool.

    `offset` and `limit` select one page: the order, sightings and suggestions are worked out
    by the database and for the tools on that page only, so a catalog with a thousand
    discovered tools costs what one page of them costs.
    """
    last_seen = sa.func.max(Sighting.last_seen)
    order = (
        _waiting()
        .add_columns(last_seen)
        .outerjoin(Sighting, Sighting.tool_id == Tool.id)
        .group_by(Tool.id, Tool.slug)
        .order_by(last_seen.desc().nulls_last(), Tool.slug.desc())
        .offset(offset)
        .limit(limit)
    )
    ids = [row[0] for row in session.execute(order)]
    tools = {tool.id: tool for tool in session.scalars(sa.select(Tool).where(Tool.id.in_(ids)))}
    by_tool: dict[int, list[Sighting]] = {}
    for s in session.scalars(
        sa.select(Sighting)
        .where(Sighting.tool_id.in_(ids))
        .order_by(Sighting.source, Sighting.observed_name)
    ):
        by_tool.setdefault(s.tool_id or 0, []).append(s)
    suggested = suggestions(session, [tools[i].name for i in ids])
    items = []
    for tool_id in ids:
        tool, sightings = tools[tool_id], by_tool.get(tool_id, [])
        days = [s.last_seen for s in sightings if s.last_seen is not None]
        items.append(
            InboxItem(
                tool,
                sightings,
                max((s.users for s in sightings), default=0),
                sum(s.events for s in sightings),
                max(days) if days else None,
                suggested.get(tool.name),
            )
        )
    return items


def _known_names(session: Session) -> dict[int, str]:
    """Return the normalised names of the known (not discovered) tools, per catalog version.

    Normalising 10,000 names costs about 50 ms; the catalog version changes with every
    recorded change, so the cache is never stale.
    """
    return caches.current().cached(
        "triage.known",
        catalog_version(session),
        None,
        lambda: {
            tool_id: matching.normalise(name)
            for tool_id, name in session.execute(
                sa.select(Tool.id, Tool.name).where(Tool.lifecycle != Lifecycle.DISCOVERED)
            )
        },
    )


def suggestions(session: Session, names: t.Iterable[str]) -> dict[str, Tool]:
    """Return the known tool most similar to each name (fuzzy; for a person to confirm)."""
    known = _known_names(session)
    hits: dict[str, int] = {}
    for name in names:
        best = process.extractOne(
            matching.normalise(name), known, scorer=fuzz.WRatio, score_cutoff=matching.FUZZY_CUTOFF
        )
        if best is not None:
            hits[name] = int(best[2])
    tools = {
        tool.id: tool
        for tool in session.scalars(sa.select(Tool).where(Tool.id.in_(set(hits.values()))))
    }
    return {name: tools[tool_id] for name, tool_id in hits.items() if tool_id in tools}


def _discovered(tool: Tool) -> None:
    if tool.lifecycle != Lifecycle.DISCOVERED:
        raise ValidationError(
            {"lifecycle": f"{tool.name} is {tool.lifecycle}, not discovered"}, record=tool.slug
        )


def register(session: Session, tool: Tool, *, actor: str, today: date) -> Tool:
    """Turn a discovered tool into a request for IT to review."""
    _discovered(tool)
    raw = records.tool_record(tool) | {"lifecycle": Lifecycle.REQUESTED, "requested_at": today}
    return entities.save_tool(session, raw, actor=actor, tool=tool)


def _aliases(session: Session, tool: Tool) -> list[ToolAlias]:
    return list(session.scalars(sa.select(ToolAlias).where(ToolAlias.tool_id == tool.id)))


def _ignore_key(
    session: Session, source: str, value: str, label: str, actor: str
) -> IgnoredApp | None:
    exists = session.scalar(
        sa.select(IgnoredApp).where(IgnoredApp.source == source, IgnoredApp.value == value)
    )
    if exists is not None or not value:
        return None
    item = IgnoredApp(source=source, value=value, label=label[:500])
    session.add(item)
    entities.record_change(
        session,
        actor,
        "create",
        "ignored_app",
        item.key,
        after={"source": source, "value": value, "label": item.label},
    )
    return item


def reason_needed(session: Session, tool: Tool) -> str | None:
    """Return why ignoring this tool needs a stated reason (personal data, flows), or None."""
    held = [c for c in tool.data_classes or () if c in vocab.PERSONAL]
    flows = entities.tool_flows(session, tool)
    parts = []
    if held:
        labels = [vocab.DATA_CLASS_LABELS.get(c, c) for c in held]
        parts.append("holds personal data (" + ", ".join(labels) + ")")
    if flows:
        parts.append(f"has {len(flows)} data flow{'' if len(flows) == 1 else 's'}")
    return f"{tool.name} " + " and ".join(parts) if parts else None


def active_ignore(session: Session, tool: Tool) -> TriageDecision | None:
    """Return the ignore decision that hides this tool from triage, if any."""
    return session.scalar(
        sa.select(TriageDecision).where(
            TriageDecision.action == "ignore",
            TriageDecision.tool_id == tool.id,
            TriageDecision.undone_at.is_(None),
        )
    )


def ignore(session: Session, tool: Tool, *, actor: str, reason: str = "") -> TriageDecision:
    """Hide a discovered tool from triage and keep later imports from raising its names again.

    The tool keeps everything it had (flows, sightings, spend, aliases), so the audit still sees
    it: an ignored app that receives customer data stays a finding. Sightings already matched to
    it keep being updated by later imports; new names of it are skipped.
    """
    _discovered(tool)
    if active_ignore(session, tool) is not None:
        raise ValidationError({"tool": f"{tool.name} is already ignored"}, record=tool.slug)
    reason = (reason or "").strip()
    needs = reason_needed(session, tool)
    if needs and not reason:
        raise ValidationError({"reason": f"{needs}; say why it is ignored"}, record=tool.slug)
    if len(reason) > 2000:
        raise ValidationError({"reason": "must be at most 2000 characters"}, record=tool.slug)
    added = [_ignore_key(session, "", matching.normalise(tool.name), tool.name, actor)]
    for sighting in entities.tool_sightings(session, tool):
        added.append(
            _ignore_key(
                session,
                "",
                matching.normalise(sighting.observed_name),
                sighting.observed_name,
                actor,
            )
        )
    for alias in _aliases(session, tool):
        if alias.source:
            added.append(_ignore_key(session, alias.source, alias.value, tool.name, actor))
    keys = [[item.source, item.value] for item in added if item is not None]
    decision = TriageDecision(
        action="ignore",
        tool=tool,
        tool_slug=tool.slug,
        tool_name=tool.name,
        reason=reason,
        detail={"ignored_apps": keys},
        decided_by=actor,
    )
    session.add(decision)
    entities.record_change(
        session,
        actor,
        "ignore",
        "tool",
        tool.slug,
        before={"ignored": False},
        after={"ignored": True, "reason": reason},
    )
    session.flush()
    return decision


def ignored_query() -> sa.Select[TriageDecision]:
    """The ignores in force, newest first (to page through)."""
    return (
        sa.select(TriageDecision)
        .where(TriageDecision.action == "ignore", TriageDecision.undone_at.is_(None))
        .order_by(TriageDecision.decided_at.desc(), TriageDecision.id.desc())
    )


def ignored(session: Session) -> list[TriageDecision]:
    """Return the ignores in force, newest first."""
    return list(session.scalars(ignored_query()))


def decision(session: Session, decision_id: int) -> TriageDecision | None:
    return session.get(TriageDecision, decision_id)


def _undone(item: TriageDecision, actor: str) -> None:
    if item.undone_at is not None:
        problem = f"this {item.action} of {item.tool_name} was already undone by {item.undone_by}"
        raise ValidationError({"decision": problem}, record=item.tool_slug)
    item.undone_by, item.undone_at = actor, utcnow()


def undo_ignore(session: Session, item: TriageDecision, *, actor: str) -> None:
    """Bring an ignored tool back to triage and let imports raise its names again."""
    if item.action != "ignore":
        raise ValidationError({"decision": "not an ignore"}, record=item.tool_slug)
    _undone(item, actor)
    for source, value in item.detail.get("ignored_apps", ()):
        row = session.scalar(
            sa.select(IgnoredApp).where(IgnoredApp.source == source, IgnoredApp.value == value)
        )
        if row is None:
            continue
        entities.record_change(
            session,
            actor,
            "delete",
            "ignored_app",
            row.key,
            before={"source": source, "value": value, "label": row.label},
        )
        session.delete(row)
    entities.record_change(
        session,
        actor,
        "unignore",
        "tool",
        item.tool_slug,
        before={"ignored": True, "reason": item.reason},
        after={"ignored": False},
    )
    session.flush()


def tool_choices(session: Session) -> list[tuple[str, str]]:
    """Return (slug, name) of every tool a discovered one could be merged into."""
    rows: t.Iterable[tuple[str, str]] = session.execute(
        sa.select(Tool.slug, Tool.name)
        .where(Tool.lifecycle != Lifecycle.DISCOVERED)
        .order_by(Tool.name)
    ).all()
    return [(slug, name) for slug, name in rows]
