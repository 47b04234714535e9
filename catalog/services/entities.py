"""Create, update and delete people, tools, flows, dependencies and sightings.

Every function takes the Session, validates through `records`, checks the version the caller saw,
writes the change, records it in the change log, and flushes. The caller (view, CLI, API)
commits once, so a form save or a whole bundle import is all-or-nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import typing as t
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.models import utcnow
from catalog.services import policy
from catalog.services import records
from catalog.services.records import ValidationError

Raw = t.Mapping[str, t.Any]
# Tool slugs share URL space with fixed route words (`/tools/new`, `/review/request`,
# `/review/sla`), so no tool may take one. The web app adds every fixed segment of its URL map
# at start-up (`reserve_route_words`); this list covers the command line, which has no URL map.
RESERVED_SLUGS: set[str] = {
    "new",
    "edit",
    "delete",
    "request",
    "sla",
    "start",
    "signoff",
    "sanction",
    "reject",
    "triage",
    "commit",
    "cancel",
    "admin",
    "api",
    "static",
    "login",
    "logout",
    "account",
    "tokens",
    "audit",
    "review",
    "imports",
    "scorecard",
    "graph",
    "tools",
    "people",
    "flows",
    "dependencies",
    "snapshot",
    "accounts",
    "taxonomy",
    "settings",
    "openapi-json",
}


def reserve_route_words(words: t.Iterable[str]) -> None:
    """Reserve these URL segments as slugs (called with the app's URL map at start-up)."""
    RESERVED_SLUGS.update(w for w in (records.slugify(w) for w in words) if w)


class ConflictError(Exception):
    """The object changed since the caller read it; `current` is what it is now."""

    def __init__(self, object_type: str, key: str, current: dict[str, t.Any], version: int) -> None:
        self.object_type = object_type
        self.key = key
        self.current = current
        self.version = version
        super().__init__(
            f"{object_type} {key!r} changed since it was opened (now version {version})"
        )


# When the changes being recorded happened, if not now: a setup that loads a story with its past
# (the demo) dates each record along it, so the catalog of any earlier day can be rebuilt.
_recorded_at: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "recorded_at", default=None
)


@contextlib.contextmanager
def recorded_at(moment: datetime | None) -> t.Iterator[None]:
    """Date the change records written inside this block at `moment` (None: now)."""
    token = _recorded_at.set(moment)
    try:
        yield
    finally:
        _recorded_at.reset(token)


def record_change(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_key: str,
    before: dict[str, t.Any] | None,
    after: dict[str, t.Any] | None,
) -> None:
    """Add one change record to the session (same transaction as the change)."""
    session.add(
        ChangeRecord(
            at=_recorded_at.get() or utcnow(),
            actor=str(actor),
            action=action,
            object_type=object_type,
            object_key=object_key,
            before=before,
            after=after,
        )
    )


def person_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(sa.select(Person).where(Person.email == email.lower()))


def tool_by_slug(session: Session, slug: str) -> Tool | None:
    return session.scalar(sa.select(Tool).where(Tool.slug == slug))


def _check_version(
    obj: t.Any, expected: int | None, object_type: str, key: str, current: dict
) -> None:
    if expected is not None and expected != obj.version:
        raise ConflictError(object_type, key, current, obj.version)


def _assign(obj: t.Any, values: Raw) -> None:
    # Only touch what differs, so an unchanged save is no UPDATE and no version bump.
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _flush(session: Session, object_type: str, key: str) -> None:
    try:
        session.flush()
    except StaleDataError:
        # Another transaction updated the row between our load and our flush; the caller rolls
        # back and reloads to show the newer values.
        raise ConflictError(object_type, key, {}, -1) from None


def _finish(
    session: Session, *, actor: str, object_type: str, key: str, before: dict | None, after: dict
) -> None:
    if before == after:
        return
    record_change(
        session,
        actor=actor,
        action="create" if before is None else "update",
        object_type=object_type,
        object_key=key,
        before=before,
        after=after,
    )


# People ---------------------------------------------------------------------------------------


def save_person(
    session: Session,
    raw: Raw,
    *,
    actor: str,
    person: Person | None = None,
    expected_version: int | None = None,
) -> Person:
    """Create a person, or update `person`, from a record dict."""
    values = records.clean(records.PERSON_FIELDS, raw)
    before = records.person_record(person) if person is not None else None
    if person is not None:
        _check_version(person, expected_version, "person", person.email, before or {})
    clash = person_by_email(session, values["email"])
    if clash is not None and clash is not person:
        raise ValidationError({"email": f"{values['email']} is already registered"})
    if person is None:
        person = Person()
        session.add(person)
    _assign(person, values)
    _flush(session, "person", values["email"])
    after = records.person_record(person)
    _finish(
        session, actor=actor, object_type="person", key=person.email, before=before, after=after
    )
    return person


def owned_tools(session: Session, person: Person) -> list[Tool]:
    """Return the tools this person owns on either side."""
    return list(
        session.scalars(
            sa.select(Tool)
            .where(
                sa.or_(Tool.business_owner_id == person.id, Tool.technical_owner_id == person.id)
            )
            .order_by(Tool.slug)
        )
    )


def delete_person(
    session: Session, person: Person, *, actor: str, expected_version: int | None = None
) -> None:
    """Delete a person; the tools they owned lose that owner (each recorded)."""
    before = records.person_record(person)
    _check_version(person, expected_version, "person", person.email, before)
    for tool in owned_tools(session, person):
        tool_before = records.tool_record(tool)
        if tool.business_owner_id == person.id:
            tool.business_owner = None
        if tool.technical_owner_id == person.id:
            tool.technical_owner = None
        session.flush()
        _finish(
            session,
            actor=actor,
            object_type="tool",
            key=tool.slug,
            before=tool_before,
            after=records.tool_record(tool),
        )
    session.delete(person)
    _flush(session, "person", person.email)
    record_change(
        session,
        actor=actor,
        action="delete",
        object_type="person",
        object_key=before["email"],
        before=before,
        after=None,
    )


# Tools ----------------------------------------------------------------------------------------


def _resolve_owner(session: Session, email: str | None, field: str) -> Person | None:
    if email is None:
        return None
    person = person_by_email(session, email)
    if person is None:
        raise ValidationError({field: f"no person with e-mail {email} (register them first)"})
    return person


def save_tool(
    session: Session,
    raw: Raw,
    *,
    actor: str,
    tool: Tool | None = None,
    expected_version: int | None = None,
    decision: bool = False,
) -> Tool:
    """Register a tool, or update `tool`, from a record dict (slug derived from name if omitted).

    The governance rules (`policy`) apply: IT's fields changed by a marketer are queued as a
    proposal instead of saved, and lifecycle decisions go through the review (which passes
    `decision=True` for the transitions it has checked itself).
    """
    values = records.clean(records.TOOL_FIELDS, raw)
    actor = policy.actor_of(session, actor)
    before = records.tool_record(tool) if tool is not None else None
    if tool is not None:
        _check_version(tool, expected_version, "tool", tool.slug, before or {})
        if values["slug"] not in (None, tool.slug):
            raise ValidationError({"slug": "a tool's slug is stable and cannot be changed"})
        values["slug"] = tool.slug
    else:
        values["slug"] = values["slug"] or records.slugify(values["name"])
        if not values["slug"]:
            raise ValidationError({"slug": "cannot derive a slug from this name; give one"})
        if values["slug"] in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": f"{values['slug']!r} is reserved by the catalog's pages; choose another"}
            )
        existing = tool_by_slug(session, values["slug"])
        if existing is not None:
            raise ValidationError(
                {"slug": f"{values['slug']!r} is already used by the tool {existing.name!r}"}
            )
    after = {name: records.plain(value) for name, value in values.items()}
    proposed = policy.check_tool_write(session, actor, values["slug"], before, after)
    if proposed:
        assert before is not None  # a marketer's new tool with IT's fields is refused above
        values = records.clean(records.TOOL_FIELDS, after | {n: before[n] for n in proposed})
    if not decision:
        policy.check_lifecycle(session, actor, tool, values["slug"], values["lifecycle"])
    errors: dict[str, str] = {}
    owners: dict[str, Person | None] = {}
    for field in ("business_owner", "technical_owner"):
        try:
            owners[field] = _resolve_owner(session, values.pop(field), field)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    if tool is None:
        tool = Tool()
        session.add(tool)
    _assign(tool, values)
    if tool.business_owner is not owners["business_owner"]:
        tool.business_owner = owners["business_owner"]
    if tool.technical_owner is not owners["technical_owner"]:
        tool.technical_owner = owners["technical_owner"]
    _flush(session, "tool", tool.slug)
    after = records.tool_record(tool)
    _finish(session, actor=actor, object_type="tool", key=tool.slug, before=before, after=after)
    if before is None and actor.estate_reason and tool.lifecycle in policy.DECIDED_BY_REVIEW:
        policy.record_estate(session, actor, tool.slug, tool.lifecycle, actor.estate_reason)
    if before is not None:
        policy.void_signoffs(session, actor, tool, before, after)
    if proposed:
        policy.queue_proposal(session, actor, tool, "tool", tool.slug, "update", proposed, before)
    return tool


def tool_flows(session: Session, tool: Tool) -> list[DataFlow]:
    """Return the flows into and out of a tool."""
    return list(
        session.scalars(
            sa.select(DataFlow)
            .where(sa.or_(DataFlow.source_id == tool.id, DataFlow.target_id == tool.id))
            .order_by(DataFlow.id)
        )
    )


def tool_dependencies(session: Session, tool: Tool) -> list[Dependency]:
    """Return the dependencies of a tool and on it."""
    return list(
        session.scalars(
            sa.select(Dependency)
            .where(sa.or_(Dependency.tool_id == tool.id, Dependency.depends_on_id == tool.id))
            .order_by(Dependency.id)
        )
    )


def tool_sightings(session: Session, tool: Tool) -> list[Sighting]:
    return list(
        session.scalars(
            sa.select(Sighting).where(Sighting.tool_id == tool.id).order_by(Sighting.source)
        )
    )


def tool_aliases(session: Session, tool: Tool) -> list[ToolAlias]:
    """Return the other names and app ids under which discovery matches a tool."""
    return list(
        session.scalars(
            sa.select(ToolAlias).where(ToolAlias.tool_id == tool.id).order_by(ToolAlias.id)
        )
    )


def delete_tool(
    session: Session, tool: Tool, *, actor: str, expected_version: int | None = None
) -> None:
    """Delete a tool with its flows and dependencies; its sightings become unmatched."""
    actor = policy.actor_of(session, actor)
    policy.check_decider(actor, tool.slug, f"deleting {tool.name}")
    before = records.tool_record(tool)
    _check_version(tool, expected_version, "tool", tool.slug, before)
    for flow in tool_flows(session, tool):
        delete_flow(session, flow, actor=actor)
    for dep in tool_dependencies(session, tool):
        delete_dependency(session, dep, actor=actor)
    for sighting in tool_sightings(session, tool):
        s_before = records.sighting_record(sighting)
        sighting.tool = None
        session.flush()
        _finish(
            session,
            actor=actor,
            object_type="sighting",
            key=sighting.key,
            before=s_before,
            after=records.sighting_record(sighting),
        )
    for alias in tool_aliases(session, tool):
        # Names and app ids go with the tool (a database cascade); the log keeps them.
        record_change(
            session,
            actor=actor,
            action="delete",
            object_type="alias",
            object_key=alias.key,
            before={"tool": tool.slug, "source": alias.source, "value": alias.value},
            after=None,
        )
    session.delete(tool)
    _flush(session, "tool", before["slug"])
    record_change(
        session,
        actor=actor,
        action="delete",
        object_type="tool",
        object_key=before["slug"],
        before=before,
        after=None,
    )


# Flows and dependencies ---------------------------------------------------------------------


def _resolve_tools(session: Session, values: dict, ends: tuple[str, str]) -> dict[str, Tool]:
    errors: dict[str, str] = {}
    found: dict[str, Tool] = {}
    for end in ends:
        tool = tool_by_slug(session, values[end])
        if tool is None:
            errors[end] = f"no tool with slug {values[end]!r}"
        else:
            found[end] = tool
    if not errors and values[ends[0]] == values[ends[1]]:
        errors[ends[1]] = "must be a different tool"
    if errors:
        raise ValidationError(errors)
    return found


def flow_key(flow: DataFlow) -> str:
    return f"{flow.source.slug}->{flow.target.slug} ({flow.mechanism})"


def save_flow(
    session: Session,
    raw: Raw,
    *,
    actor: str,
    flow: DataFlow | None = None,
    expected_version: int | None = None,
) -> DataFlow:
    """Create a data flow, or update `flow`, from a record dict (IT's fields: see `policy`)."""
    values = records.clean(records.FLOW_FIELDS, raw)
    actor = policy.actor_of(session, actor)
    before = records.flow_record(flow) if flow is not None else None
    if flow is not None:
        _check_version(flow, expected_version, "flow", flow_key(flow), before or {})
    ends = _resolve_tools(session, values, ("source", "target"))
    owners = _owners(actor, ends["source"], ends["target"])
    if flow is not None:
        owners += _owners(actor, flow.source, flow.target)
    after_plain = {name: records.plain(value) for name, value in values.items()}
    label = f"{values['source']}->{values['target']} ({values['mechanism']})"
    proposed = policy.check_flow_write(session, actor, label, before, after_plain, owners)
    if proposed:
        assert before is not None
        values = records.clean(records.FLOW_FIELDS, after_plain | {n: before[n] for n in proposed})
        ends = _resolve_tools(session, values, ("source", "target"))
    clash = session.scalar(
        sa.select(DataFlow).where(
            DataFlow.source_id == ends["source"].id,
            DataFlow.target_id == ends["target"].id,
            DataFlow.mechanism == values["mechanism"],
        )
    )
    if clash is not None and clash is not flow:
        raise ValidationError(
            {
                "mechanism": f"a {values['mechanism']} flow from {values['source']} to "
                f"{values['target']} is already registered"
            }
        )
    if flow is None:
        flow = DataFlow()
        session.add(flow)
    values.pop("source"), values.pop("target")
    if flow.source is not ends["source"]:
        flow.source = ends["source"]
    if flow.target is not ends["target"]:
        flow.target = ends["target"]
    _assign(flow, values)
    _flush(session, "flow", "")
    after = records.flow_record(flow)
    _finish(
        session, actor=actor, object_type="flow", key=flow_key(flow), before=before, after=after
    )
    if proposed:
        policy.queue_proposal(
            session, actor, flow, "flow", flow_key(flow), "update", proposed, before or {}
        )
    return flow


def _owners(actor: policy.Actor, *tools: Tool) -> list[str | None]:
    """Return the business owners of `tools`, which only a marketer's rights depend on."""
    if actor.role in policy.DECIDERS:
        return []
    return [
        tool.business_owner.email if tool.business_owner is not None else None for tool in tools
    ]


def delete_flow(
    session: Session, flow: DataFlow, *, actor: str, expected_version: int | None = None
) -> None:
    """Delete a data flow; a marketer's delete of a flow IT manages waits for IT instead."""
    before = records.flow_record(flow)
    key = flow_key(flow)
    _check_version(flow, expected_version, "flow", key, before)
    actor = policy.actor_of(session, actor)
    owners = _owners(actor, flow.source, flow.target)
    if policy.flow_delete_is_its(actor, key, before, owners):
        policy.queue_proposal(session, actor, flow, "flow", key, "delete", {}, before)
        return
    session.delete(flow)
    _flush(session, "flow", key)
    record_change(
        session,
        actor=actor,
        action="delete",
        object_type="flow",
        object_key=key,
        before=before,
        after=None,
    )


def save_dependency(
    session: Session,
    raw: Raw,
    *,
    actor: str,
    dependency: Dependency | None = None,
    expected_version: int | None = None,
) -> Dependency:
    """Create a dependency, or update `dependency`, from a record dict."""
    values = records.clean(records.DEPENDENCY_FIELDS, raw)
    before = records.dependency_record(dependency) if dependency is not None else None
    if dependency is not None:
        _check_version(dependency, expected_version, "dependency", dependency.key, before or {})
    ends = _resolve_tools(session, values, ("tool", "depends_on"))
    actor = policy.actor_of(session, actor)
    policy.check_dependency_write(actor, values["tool"], _owners(actor, ends["tool"]))
    if dependency is not None:
        policy.check_dependency_write(actor, dependency.key, _owners(actor, dependency.tool))
    clash = session.scalar(
        sa.select(Dependency).where(
            Dependency.tool_id == ends["tool"].id, Dependency.depends_on_id == ends["depends_on"].id
        )
    )
    if clash is not None and clash is not dependency:
        raise ValidationError(
            {"depends_on": f"{values['tool']} already depends on {values['depends_on']}"}
        )
    if dependency is None:
        dependency = Dependency()
        session.add(dependency)
    values.pop("tool"), values.pop("depends_on")
    if dependency.tool is not ends["tool"]:
        dependency.tool = ends["tool"]
    if dependency.depends_on is not ends["depends_on"]:
        dependency.depends_on = ends["depends_on"]
    _assign(dependency, values)
    _flush(session, "dependency", "")
    after = records.dependency_record(dependency)
    _finish(
        session,
        actor=actor,
        object_type="dependency",
        key=dependency.key,
        before=before,
        after=after,
    )
    return dependency


def delete_dependency(
    session: Session, dependency: Dependency, *, actor: str, expected_version: int | None = None
) -> None:
    """Delete a dependency."""
    before = records.dependency_record(dependency)
    key = dependency.key
    _check_version(dependency, expected_version, "dependency", key, before)
    actor = policy.actor_of(session, actor)
    policy.check_dependency_write(actor, key, _owners(actor, dependency.tool))
    session.delete(dependency)
    _flush(session, "dependency", key)
    record_change(
        session,
        actor=actor,
        action="delete",
        object_type="dependency",
        object_key=key,
        before=before,
        after=None,
    )


# Sightings ------------------------------------------------------------------------------------


def save_sighting(session: Session, raw: Raw, *, actor: str) -> Sighting:
    """Create or replace the sighting keyed by (source, observed_name)."""
    values = records.clean(records.SIGHTING_FIELDS, raw)
    tool = None
    if values["tool"] is not None:
        tool = tool_by_slug(session, values["tool"])
        if tool is None:
            raise ValidationError({"tool": f"no tool with slug {values['tool']!r}"})
    sighting = session.scalar(
        sa.select(Sighting).where(
            Sighting.source == values["source"], Sighting.observed_name == values["observed_name"]
        )
    )
    before = records.sighting_record(sighting) if sighting is not None else None
    if sighting is None:
        sighting = Sighting()
        session.add(sighting)
    values.pop("tool")
    _assign(sighting, values)
    if sighting.tool is not tool:
        sighting.tool = tool
    session.flush()
    after = records.sighting_record(sighting)
    _finish(
        session, actor=actor, object_type="sighting", key=sighting.key, before=before, after=after
    )
    return sighting
