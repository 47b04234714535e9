"""The registers that hang off tools: data flows, dependencies and discovery sightings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.fields import DEPENDENCY_FIELDS
from catalog.fields import FLOW_FIELDS
from catalog.fields import SIGHTING_FIELDS
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import policy
from catalog.services import records
from catalog.services.writes import Raw
from catalog.services.writes import Register
from catalog.services.writes import deleted
from catalog.services.writes import holder
from catalog.services.writes import opened
from catalog.services.writes import put
from catalog.services.writes import refuse_clash
from catalog.services.writes import resolve


def flow_key(flow: DataFlow) -> str:
    return FLOWS.key(FLOWS.record(flow))


def _owners(actor: policy.Actor, *tools: Tool) -> list[str | None]:
    """Return the business owners of `tools`, which only a marketer's rights depend on."""
    if actor.role in policy.DECIDERS:
        return []
    return [
        tool.business_owner.email if tool.business_owner is not None else None for tool in tools
    ]


def save_flow(
    session: Session,
    raw: Raw,
    *,
    actor: str,
    flow: DataFlow | None = None,
    expected_version: int | None = None,
) -> DataFlow:
    """Create a data flow, or update `flow`, from a record dict (IT's fields: see `policy`)."""
    values = records.clean(FLOWS.fields, raw)
    decider = policy.actor_of(session, actor)
    before = opened(FLOWS, flow, expected_version)
    ends = resolve(session, FLOWS, values)
    owners = _owners(decider, ends["source"], ends["target"])
    if flow is not None:
        owners += _owners(decider, flow.source, flow.target)
    after = {name: records.plain(value) for name, value in values.items()}
    proposed = policy.check_flow_write(session, decider, FLOWS.key(values), before, after, owners)
    if proposed:
        assert before is not None
        values = records.clean(FLOWS.fields, after | {n: before[n] for n in proposed})
        ends = resolve(session, FLOWS, values)
    refuse_clash(session, FLOWS, flow, values, ends)
    flow = put(session, FLOWS, flow, values, ends, actor=decider, before=before)
    assert flow is not None
    if proposed:
        assert before is not None
        policy.queue_proposal(
            session, decider, flow, FLOWS.object_type, flow_key(flow), "update", proposed, before
        )
    return flow


def delete_flow(
    session: Session, flow: DataFlow, *, actor: str, expected_version: int | None = None
) -> None:
    """Delete a data flow; a marketer's delete of a flow IT manages waits for IT instead."""
    before = opened(FLOWS, flow, expected_version)
    assert before is not None
    key = FLOWS.key(before)
    decider = policy.actor_of(session, actor)
    owners = _owners(decider, flow.source, flow.target)
    if policy.flow_delete_is_its(decider, key, before, owners):
        policy.queue_proposal(session, decider, flow, FLOWS.object_type, key, "delete", {}, before)
        return
    deleted(session, FLOWS, flow, before, actor=decider)


def save_dependency(
    session: Session,
    raw: Raw,
    *,
    actor: str,
    dependency: Dependency | None = None,
    expected_version: int | None = None,
) -> Dependency:
    """Create a dependency, or update `dependency`, from a record dict."""
    values = records.clean(DEPENDENCIES.fields, raw)
    before = opened(DEPENDENCIES, dependency, expected_version)
    ends = resolve(session, DEPENDENCIES, values)
    decider = policy.actor_of(session, actor)
    policy.check_dependency_write(decider, values["tool"], _owners(decider, ends["tool"]))
    if dependency is not None:
        policy.check_dependency_write(decider, dependency.key, _owners(decider, dependency.tool))
    refuse_clash(session, DEPENDENCIES, dependency, values, ends)
    saved_dependency: Dependency = put(
        session, DEPENDENCIES, dependency, values, ends, actor=decider, before=before
    )
    return saved_dependency


def delete_dependency(
    session: Session, dependency: Dependency, *, actor: str, expected_version: int | None = None
) -> None:
    """Delete a dependency."""
    before = opened(DEPENDENCIES, dependency, expected_version)
    assert before is not None
    decider = policy.actor_of(session, actor)
    policy.check_dependency_write(decider, dependency.key, _owners(decider, dependency.tool))
    deleted(session, DEPENDENCIES, dependency, before, actor=decider)


def save_sighting(session: Session, raw: Raw, *, actor: str) -> Sighting:
    """Create or replace the sighting keyed by (source, observed_name)."""
    values = records.clean(SIGHTINGS.fields, raw)
    tool = resolve(session, SIGHTINGS, values)
    sighting = holder(session, SIGHTINGS, values, tool)
    before = SIGHTINGS.record(sighting) if sighting is not None else None
    saved_sighting: Sighting = put(
        session, SIGHTINGS, sighting, values, tool, actor=actor, before=before
    )
    return saved_sighting


FLOWS = Register(
    name="flows",
    object_type="flow",
    model=DataFlow,
    fields=FLOW_FIELDS,
    key_format="{source}->{target} ({mechanism})",
    save=save_flow,
    delete=delete_flow,
    clash="a {mechanism} flow from {source} to {target} is already registered",
    distinct=("source", "target"),
)
DEPENDENCIES = Register(
    name="dependencies",
    object_type="dependency",
    model=Dependency,
    fields=DEPENDENCY_FIELDS,
    key_format="{tool}->{depends_on}",
    save=save_dependency,
    delete=delete_dependency,
    clash="{tool} already depends on {depends_on}",
    distinct=("tool", "depends_on"),
)
SIGHTINGS = Register(
    name="sightings",
    object_type="sighting",
    model=Sighting,
    fields=SIGHTING_FIELDS,
    key_format="{source}:{observed_name}",
    save=save_sighting,
    quoted=frozenset({"observed_name"}),
    api=False,
)
