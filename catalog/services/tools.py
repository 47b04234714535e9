"""The tools register: registering, editing and deleting a tool under the governance rules."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.fields import TOOL_FIELDS
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.services import policy
from catalog.services import records
from catalog.services import relations
from catalog.services.records import ValidationError
from catalog.services.writes import Raw
from catalog.services.writes import Record
from catalog.services.writes import Register
from catalog.services.writes import deleted
from catalog.services.writes import opened
from catalog.services.writes import put
from catalog.services.writes import record_change
from catalog.services.writes import refuse_clash
from catalog.services.writes import resolve
from catalog.services.writes import rows
from catalog.services.writes import saved

# Tool slugs share URL space with fixed route words (`/tools/new`, `/review/request`,
# `/review/sla`), so no tool may take one. The web app adds every fixed segment of its URL map
# at start-up (`reserve_route_words`); this list covers the command line, which has no URL map.
RESERVED_SLUGS: set[str] = set(
    "new edit delete request sla start signoff sanction reject triage commit cancel admin api "
    "static login logout account tokens audit review imports scorecard graph tools people flows "
    "dependencies snapshot accounts taxonomy settings openapi-json".split()
)


def reserve_route_words(words: t.Iterable[str]) -> None:
    """Reserve these URL segments as slugs (called with the app's URL map at start-up)."""
    RESERVED_SLUGS.update(w for w in (records.slugify(w) for w in words) if w)


def new_slug(values: Record) -> str:
    """Return the slug a new tool takes (given, else derived from its name), or refuse it."""
    slug: str = values["slug"] or records.slugify(values["name"])
    if not slug:
        raise ValidationError({"slug": "cannot derive a slug from this name; give one"})
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            {"slug": f"{slug!r} is reserved by the catalog's pages; choose another"}
        )
    return slug


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
    values = records.clean(TOOLS.fields, raw)
    decider = policy.actor_of(session, actor)
    before = opened(TOOLS, tool, expected_version)
    if tool is not None:
        if values["slug"] not in (None, tool.slug):
            raise ValidationError({"slug": "a tool's slug is stable and cannot be changed"})
        values["slug"] = tool.slug
    else:
        values["slug"] = new_slug(values)
        refuse_clash(session, TOOLS, tool, values, {})
    after = {name: records.plain(value) for name, value in values.items()}
    proposed = policy.check_tool_write(session, decider, values["slug"], before, after)
    if proposed:
        assert before is not None  # a marketer's new tool with IT's fields is refused above
        values = records.clean(TOOLS.fields, after | {n: before[n] for n in proposed})
    if not decision:
        policy.check_lifecycle(session, decider, tool, values["slug"], values["lifecycle"])
    owners = resolve(session, TOOLS, values)
    tool = put(session, TOOLS, tool, values, owners, actor=decider, before=before)
    assert tool is not None
    if before is None and decider.estate_reason and tool.lifecycle in policy.DECIDED_BY_REVIEW:
        policy.record_estate(session, decider, tool.slug, tool.lifecycle, decider.estate_reason)
    if before is not None:
        policy.void_signoffs(session, decider, tool, before, TOOLS.record(tool))
    if proposed:
        assert before is not None
        policy.queue_proposal(
            session, decider, tool, TOOLS.object_type, tool.slug, "update", proposed, before
        )
    return tool


def tool_flows(session: Session, tool: Tool) -> list[DataFlow]:
    """Return the flows into and out of a tool."""
    where = sa.or_(DataFlow.source_id == tool.id, DataFlow.target_id == tool.id)
    return rows(session, DataFlow, where, DataFlow.id)


def tool_dependencies(session: Session, tool: Tool) -> list[Dependency]:
    """Return the dependencies of a tool and on it."""
    where = sa.or_(Dependency.tool_id == tool.id, Dependency.depends_on_id == tool.id)
    return rows(session, Dependency, where, Dependency.id)


def tool_sightings(session: Session, tool: Tool) -> list[Sighting]:
    return rows(session, Sighting, Sighting.tool_id == tool.id, Sighting.source)


def tool_aliases(session: Session, tool: Tool) -> list[ToolAlias]:
    """Return the other names and app ids under which discovery matches a tool."""
    return rows(session, ToolAlias, ToolAlias.tool_id == tool.id, ToolAlias.id)


def delete_tool(
    session: Session, tool: Tool, *, actor: str, expected_version: int | None = None
) -> None:
    """Delete a tool with its flows and dependencies; its sightings become unmatched."""
    decider = policy.actor_of(session, actor)
    policy.check_decider(decider, tool.slug, f"deleting {tool.name}")
    before = opened(TOOLS, tool, expected_version)
    assert before is not None
    for flow in tool_flows(session, tool):
        relations.delete_flow(session, flow, actor=decider)
    for dep in tool_dependencies(session, tool):
        relations.delete_dependency(session, dep, actor=decider)
    for sighting in tool_sightings(session, tool):
        sighting_before = relations.SIGHTINGS.record(sighting)
        sighting.tool = None
        saved(session, relations.SIGHTINGS, sighting, sighting_before, actor=decider)
    for alias in tool_aliases(session, tool):
        # Names and app ids go with the tool (a database cascade); the log keeps them.
        record_change(
            session,
            decider,
            "delete",
            "alias",
            alias.key,
            before={"tool": tool.slug, "source": alias.source, "value": alias.value},
        )
    deleted(session, TOOLS, tool, before, actor=decider)


TOOLS = Register(
    name="tools",
    object_type="tool",
    model=Tool,
    fields=TOOL_FIELDS,
    key_format="{slug}",
    save=save_tool,
    delete=delete_tool,
    lookup="slug",
    clash="{slug!r} is already used by the tool {existing.name!r}",
    label_fields=("slug", "name"),
)
