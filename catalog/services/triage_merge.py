"""Merging a discovered tool into a known one, what the merge will move, and its undo.

A merge moves the discovered tool's sightings (with their spend), aliases, flows and dependencies
to the known tool, teaches matching its names, and removes the discovered tool. A flow or
dependency that would duplicate one the known tool already has, or point from the tool to itself,
cannot move: it is removed, listed on the confirmation page and restored by an undo. The
decision keeps the ids of everything moved and the values they had just after the merge, so an
undo can tell whether anything was touched since; then it refuses rather than guess.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.models import TriageDecision
from catalog.models import utcnow
from catalog.services import entities
from catalog.services import matching
from catalog.services import records
from catalog.services.discovery_write import add_alias
from catalog.services.discovery_write import record_alias
from catalog.services.records import ValidationError
from catalog.vocab import Lifecycle


@dataclass
class MergePlan:
    """What merging `tool` into `into` does, for the confirmation page."""

    tool: Tool
    into: Tool
    sightings: list[Sighting] = field(default_factory=list)
    aliases: list[ToolAlias] = field(default_factory=list)
    flows: list[DataFlow] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    dropped_flows: list[tuple[DataFlow, str]] = field(default_factory=list)  # flow, why
    dropped_dependencies: list[tuple[Dependency, str]] = field(default_factory=list)
    new_names: list[str] = field(default_factory=list)

    @property
    def spend(self) -> dict[str, float]:
        """Total sighting spend that moves, per currency."""
        total: dict[str, float] = {}
        for s in self.sightings:
            if s.spend is not None:
                total[s.currency] = total.get(s.currency, 0) + float(s.spend)
        return total


def _other(end: Tool, tool: Tool, into: Tool) -> Tool:
    return into if end.id == tool.id else end


def plan_merge(session: Session, tool: Tool, into: Tool) -> MergePlan:
    """Return what a merge of `tool` into `into` would move, add and remove."""
    if tool.lifecycle != Lifecycle.DISCOVERED:
        raise ValidationError(
            {"lifecycle": f"{tool.name} is {tool.lifecycle}, not discovered"}, record=tool.slug
        )
    if into.id == tool.id:
        raise ValidationError({"into": "choose a different tool"}, record=tool.slug)
    plan = MergePlan(tool, into)
    plan.sightings = entities.tool_sightings(session, tool)
    plan.aliases = list(session.scalars(sa.select(ToolAlias).where(ToolAlias.tool_id == tool.id)))
    existing_flows = {
        (f.source_id, f.target_id, f.mechanism) for f in entities.tool_flows(session, into)
    }
    for flow in entities.tool_flows(session, tool):
        source, target = _other(flow.source, tool, into), _other(flow.target, tool, into)
        if source.id == target.id:
            plan.dropped_flows.append((flow, f"would run from {into.name} to itself"))
        elif (source.id, target.id, flow.mechanism) in existing_flows:
            plan.dropped_flows.append((flow, f"{into.name} already has this flow"))
        else:
            existing_flows.add((source.id, target.id, flow.mechanism))
            plan.flows.append(flow)
    existing_deps = {
        (d.tool_id, d.depends_on_id) for d in entities.tool_dependencies(session, into)
    }
    for dep in entities.tool_dependencies(session, tool):
        a, b = _other(dep.tool, tool, into), _other(dep.depends_on, tool, into)
        if a.id == b.id:
            plan.dropped_dependencies.append((dep, f"would make {into.name} depend on itself"))
        elif (a.id, b.id) in existing_deps:
            plan.dropped_dependencies.append((dep, f"{into.name} already has this dependency"))
        else:
            existing_deps.add((a.id, b.id))
            plan.dependencies.append(dep)
    known = set(session.scalars(sa.select(ToolAlias.value).where(ToolAlias.source == "")))
    for name in [tool.name, *(s.observed_name for s in plan.sightings)]:
        key = matching.normalise(name)
        if key and key not in known and key not in plan.new_names:
            plan.new_names.append(key)
    return plan


def _moved(raw: dict[str, t.Any], slug: str, into: str, ends: tuple[str, str]) -> dict[str, t.Any]:
    return raw | {end: into for end in ends if raw[end] == slug}


def _move_alias(session: Session, alias: ToolAlias, slug: str, to: Tool, actor: str) -> None:
    alias.tool = to
    record_alias(session, alias, slug, to.slug, actor=actor)


def merge(session: Session, tool: Tool, into: Tool, *, actor: str) -> TriageDecision:
    """Fold a discovered tool into a known one; return the decision an undo works from."""
    plan = plan_merge(session, tool, into)
    slug, before = tool.slug, records.tool_record(tool)
    detail: dict[str, t.Any] = {
        "tool": before,
        "sightings": [],
        "aliases": [],
        "flows": [],
        "dependencies": [],
        "dropped_flows": [],
        "dropped_dependencies": [],
        "added_aliases": [],
    }
    for flow, _why in plan.dropped_flows:
        detail["dropped_flows"].append(records.flow_record(flow))
        entities.delete_flow(session, flow, actor=actor)
    for dep, _why in plan.dropped_dependencies:
        detail["dropped_dependencies"].append(records.dependency_record(dep))
        entities.delete_dependency(session, dep, actor=actor)
    for flow in plan.flows:
        old = records.flow_record(flow)
        entities.save_flow(
            session, _moved(old, slug, into.slug, ("source", "target")), actor=actor, flow=flow
        )
        detail["flows"].append([flow.id, old, records.flow_record(flow)])
    for dep in plan.dependencies:
        old = records.dependency_record(dep)
        entities.save_dependency(
            session,
            _moved(old, slug, into.slug, ("tool", "depends_on")),
            actor=actor,
            dependency=dep,
        )
        detail["dependencies"].append([dep.id, old, records.dependency_record(dep)])
    for sighting in plan.sightings:
        entities.save_sighting(
            session, records.sighting_record(sighting) | {"tool": into.slug}, actor=actor
        )
        detail["sightings"].append([sighting.id, records.sighting_record(sighting)])
    for alias in plan.aliases:
        _move_alias(session, alias, slug, into, actor)
        detail["aliases"].append(alias.id)
    session.flush()
    for name in plan.new_names:
        if add_alias(session, into, name, actor=actor):
            session.flush()
            detail["added_aliases"].append(
                session.scalar(
                    sa.select(ToolAlias.id).where(ToolAlias.source == "", ToolAlias.value == name)
                )
            )
    session.delete(tool)
    session.flush()
    entities.record_change(
        session, actor, "merge", "tool", slug, before=before, after={"merged_into": into.slug}
    )
    decision = TriageDecision(
        action="merge",
        tool_slug=slug,
        tool_name=before["name"],
        into_slug=into.slug,
        detail=detail,
        decided_by=actor,
    )
    session.add(decision)
    session.flush()
    return decision


def merges(session: Session, limit: int = 20) -> list[TriageDecision]:
    """Return the merges not undone, newest first."""
    return list(
        session.scalars(
            sa.select(TriageDecision)
            .where(TriageDecision.action == "merge", TriageDecision.undone_at.is_(None))
            .order_by(TriageDecision.decided_at.desc(), TriageDecision.id.desc())
            .limit(limit)
        )
    )


def _refuse(item: TriageDecision, what: str) -> t.NoReturn:
    raise ValidationError(
        {
            "undo": f"{what}; the merge of {item.tool_name} into {item.into_slug} cannot be undone "
            "automatically (nothing was changed)"
        },
        record=item.tool_slug,
    )


def _check_untouched(session: Session, item: TriageDecision, into: Tool) -> None:
    d = item.detail
    for sid, after in d["sightings"]:
        s = session.get(Sighting, sid)
        if s is None or records.sighting_record(s) != after:
            _refuse(item, f"the sighting {after['source']}:{after['observed_name']} changed since")
    for fid, _old, after in d["flows"]:
        f = session.get(DataFlow, fid)
        if f is None or records.flow_record(f) != after:
            _refuse(item, f"the flow {after['source']}->{after['target']} changed since")
    for did, _old, after in d["dependencies"]:
        dep = session.get(Dependency, did)
        if dep is None or records.dependency_record(dep) != after:
            _refuse(item, f"the dependency {after['tool']}->{after['depends_on']} changed since")
    for aid in d["aliases"]:
        alias = session.get(ToolAlias, aid)
        if alias is None or alias.tool_id != into.id:
            _refuse(item, "an alias it moved changed since")


def undo_merge(session: Session, item: TriageDecision, *, actor: str) -> Tool:
    """Re-create the merged tool and move back what the merge moved; return the tool."""
    if item.action != "merge" or item.undone_at is not None:
        raise ValidationError({"undo": "this merge was already undone"}, record=item.tool_slug)
    into = entities.tool_by_slug(session, item.into_slug)
    if into is None:
        _refuse(item, f"{item.into_slug} no longer exists")
    if entities.tool_by_slug(session, item.tool_slug) is not None:
        _refuse(item, f"another tool now uses the slug {item.tool_slug}")
    _check_untouched(session, item, into)
    d = item.detail
    tool = entities.save_tool(session, d["tool"], actor=actor)
    for _sid, after in d["sightings"]:
        entities.save_sighting(session, after | {"tool": tool.slug}, actor=actor)
    for aid in d["aliases"]:
        moved = session.get(ToolAlias, aid)
        if moved is not None:  # _check_untouched refused a merge whose aliases were deleted
            _move_alias(session, moved, into.slug, tool, actor)
    for aid in d["added_aliases"]:
        added = session.get(ToolAlias, aid) if aid is not None else None
        if added is not None and added.tool_id == into.id:
            record_alias(session, added, into.slug, None, actor=actor)
            session.delete(added)
    for fid, old, _after in d["flows"]:
        entities.save_flow(session, old, actor=actor, flow=session.get(DataFlow, fid))
    for did, old, _after in d["dependencies"]:
        entities.save_dependency(session, old, actor=actor, dependency=session.get(Dependency, did))
    for raw in d["dropped_flows"]:
        entities.save_flow(session, raw, actor=actor)
    for raw in d["dropped_dependencies"]:
        entities.save_dependency(session, raw, actor=actor)
    item.undone_by, item.undone_at = actor, utcnow()
    entities.record_change(
        session,
        actor,
        "unmerge",
        "tool",
        tool.slug,
        before={"merged_into": item.into_slug},
        after=records.tool_record(tool),
    )
    session.flush()
    return tool
