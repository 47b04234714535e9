"""Write a discovery import plan: tools, dependencies, discovered tools, aliases and sightings."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session

import integrations
from catalog.models import ChangeRecord
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.services import entities
from catalog.services import matching
from catalog.services import records
from catalog.services import spend_lines
from catalog.services.discovery_merge import merged_sighting
from catalog.services.discovery_types import ImportFailed
from catalog.services.discovery_types import Plan
from catalog.services.records import ValidationError
from catalog.vocab import Lifecycle


def alias_record(alias: ToolAlias, slug: str) -> dict[str, t.Any]:
    return {"tool": slug, "source": alias.source, "value": alias.value}


def add_alias(session: Session, tool: Tool, value: str, *, source: str = "", actor: str) -> bool:
    """Remember another name (or a source's app id) for a tool; return False if already known."""
    exists = session.scalar(
        sa.select(ToolAlias).where(ToolAlias.source == source, ToolAlias.value == value)
    )
    if exists is not None:
        return False
    _create_alias(session, tool, source, value, actor)
    return True


def record_alias(
    session: Session, alias: ToolAlias, before: str | None, after: str | None, *, actor: str
) -> None:
    """Record an alias created (`before` None), moved between two tools' slugs, or deleted."""
    entities.record_change(
        session,
        actor,
        "create" if before is None else "delete" if after is None else "update",
        "alias",
        alias.key,
        before=None if before is None else alias_record(alias, before),
        after=None if after is None else alias_record(alias, after),
    )


def _create_alias(session: Session, tool: Tool, source: str, value: str, actor: str) -> None:
    alias = ToolAlias(tool=tool, source=source, value=value)
    session.add(alias)
    record_alias(session, alias, None, tool.slug, actor=actor)


def _change_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord)) or 0


def apply_plan(
    session: Session,
    plan: Plan,
    *,
    actor: str,
    confirm: t.Mapping[str, str],
    run_id: int | None = None,
) -> dict[str, t.Any]:
    """Write the plan through the entity services (each change recorded); return the summary.

    Unclassified spend lines are kept for triage (`spend_lines.store_lines`), tagged with the
    import run `run_id` when there is one.
    """

    session.flush()
    changes = _change_count(session)
    try:
        for raw in plan.tools.creates:
            entities.save_tool(session, raw, actor=actor)
        for raw in plan.tools.updates:
            entities.save_tool(
                session, raw, actor=actor, tool=entities.tool_by_slug(session, raw["slug"])
            )
        for dep in plan.tools.dependencies:
            entities.save_dependency(session, dep, actor=actor)
        group_slugs, confirmed = _new_tools(session, plan, actor, confirm)
        matched = _sightings(session, plan, group_slugs, actor)
        lines = list(zip(plan.unclassified_sources, plan.unclassified, strict=True))
        added = spend_lines.store_lines(
            session, [*lines, *plan.decided_lines], run_id=run_id, actor=actor
        )
        _record_estate(session, plan, actor)
        session.flush()
    except ValidationError as exc:
        raise ImportFailed(str(exc)) from None
    return {
        "files": plan.files,
        "sources": plan.sources,
        "rows": plan.rows,
        "observations": plan.observations,
        "apps": len(plan.apps),
        "matched": matched,
        "ignored": sum(1 for a in plan.apps if a.how == "ignored"),
        "new_tools": [n.name for k, n in sorted(plan.new_tools.items()) if k not in confirmed],
        "confirmed": sorted(confirmed),
        "suggestions": [
            f"{n.name} ~ {n.suggestion[1]} ({n.suggestion[2]}%)"
            for k, n in sorted(plan.new_tools.items())
            if n.suggestion and k not in confirmed
        ],
        "skipped": dict(plan.skipped),
        "unclassified": {
            "lines": len(plan.unclassified),
            "merchants": len({spend_lines.merchant_key(u.merchant) for u in plan.unclassified}),
            "added": added,
        },
        "spend_decisions": dict(plan.spend_decisions),
        "platform_apps": dict(plan.platform_apps),
        "newest_evidence": (lambda d: d.isoformat() if d else None)(plan.newest_evidence()),
        "sightings": {
            "created": sum(1 for a in plan.apps if a.sighting == "create"),
            "updated": sum(1 for a in plan.apps if a.sighting == "update"),
            "unchanged": sum(1 for a in plan.apps if a.sighting == "unchanged"),
        },
        "tools": {
            "created": len(plan.tools.creates),
            "updated": len(plan.tools.updates),
            "unchanged": len(plan.tools.unchanged),
        },
        "dependencies": {
            "created": len(plan.tools.dependencies),
            "unchanged": plan.tools.dependencies_unchanged,
        },
        "warnings": plan.warnings,
        "changes": _change_count(session) - changes,
    }


def _record_estate(session: Session, plan: Plan, actor: str) -> None:
    """Record that an administrator registered an existing Backstage estate as decided."""
    if not plan.options.get("register_existing_estate") or not plan.tools.creates:
        return
    entities.record_change(
        session,
        actor,
        "create",
        "import_option",
        "register-existing-estate",
        after={
            "reason": str(plan.options.get("reason") or "").strip(),
            "files": plan.files,
            "tools": {
                r["slug"]: r.get("lifecycle", Lifecycle.REQUESTED) for r in plan.tools.creates
            },
        },
    )


def _new_tools(
    session: Session, plan: Plan, actor: str, confirm: t.Mapping[str, str]
) -> tuple[dict[str, str], set[str]]:
    group_slugs: dict[str, str] = {}
    confirmed: set[str] = set()
    labels = {name: cls.label for name, cls in integrations.IMPORTERS.items()}
    for key, new in sorted(plan.new_tools.items()):
        target_slug = confirm.get(key)
        if target_slug:
            target = entities.tool_by_slug(session, target_slug)
            if target is None:
                raise ImportFailed(f"cannot match {new.name} to {target_slug!r}: no such tool")
            # A person confirmed it: remember every name so later imports match on their own.
            for name in new.apps:
                add_alias(session, target, matching.normalise(name), actor=actor)
            group_slugs[key] = target.slug
            confirmed.add(key)
            continue
        sources = sorted({a.source for a in plan.apps if a.group == key})
        tool = entities.save_tool(
            session,
            {
                "name": new.name,
                "slug": new.slug,
                "lifecycle": Lifecycle.DISCOVERED,
                "description": "Seen in "
                + ", ".join(labels.get(s, s) for s in sources)
                + "; nobody registered it yet.",
            },
            actor=actor,
        )
        group_slugs[key] = tool.slug
    return group_slugs, confirmed


def _sightings(session: Session, plan: Plan, group_slugs: dict[str, str], actor: str) -> int:
    sources = {a.source for a in plan.apps}
    existing = {
        (s.source, s.observed_name): s
        for s in session.scalars(sa.select(Sighting).where(Sighting.source.in_(sources)))
    }
    tools = {tool.slug: tool for tool in session.scalars(sa.select(Tool))}
    known_ids: set[tuple[str, str]] = {
        (source, value)
        for source, value in session.execute(
            sa.select(ToolAlias.source, ToolAlias.value).where(ToolAlias.source.in_(sources))
        )
    }
    matched = 0
    for app in plan.apps:
        if app.how == "new":
            app.tool = group_slugs[app.group or ""]
        elif app.tool is not None:
            matched += 1
        old = existing.get((app.source, app.name))
        values = records.clean(records.SIGHTING_FIELDS, merged_sighting(old, app))
        before = records.sighting_record(old) if old is not None else None
        sighting = old or Sighting()
        if old is None:
            session.add(sighting)
        slug = values.pop("tool")
        tool = tools.get(slug) if slug else None
        for name, value in values.items():
            if getattr(sighting, name) != value:
                setattr(sighting, name, value)
        if sighting.tool is not tool:
            sighting.tool = tool
        after = records.sighting_record(sighting)
        if before != after:
            entities.record_change(
                session,
                actor,
                "create" if before is None else "update",
                "sighting",
                sighting.key,
                before=before,
                after=after,
            )
        # Remember the source's app id, so a renamed app still matches next time.
        if tool is not None and app.app_id and (app.source, app.app_id) not in known_ids:
            known_ids.add((app.source, app.app_id))
            _create_alias(session, tool, app.source, app.app_id[:500], actor)
    return matched
