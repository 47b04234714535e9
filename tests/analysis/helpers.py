"""Tiny literal snapshots for the pure audit tests: no app, no database."""

from __future__ import annotations

import itertools
import typing as t
from datetime import date

from catalog.analysis.audit import AuditResult
from catalog.analysis.audit import run_audit
from catalog.analysis.snapshot import DependencyEdge
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import PersonRec
from catalog.analysis.snapshot import SightingRec
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.snapshot import ToolNode

AS_OF = date(2026, 11, 22)
PII = frozenset({"contact_pii"})
_versions = itertools.count(1)

MIA = PersonRec("mia@x.com", "Mia Marketing", "marketing")
IAN = PersonRec("ian@x.com", "Ian It", "it")


def tool(slug: str, **kw: t.Any) -> ToolNode:
    """Return a tool named after its slug, sanctioned and fully owned/controlled unless told."""
    base: dict[str, t.Any] = dict(
        name=slug.title(),
        lifecycle="sanctioned",
        business_owner=MIA.email,
        technical_owner=IAN.email,
        sso_enabled=True,
        dpa_signed=True,
        security_reviewed=True,
    )
    return ToolNode(slug, **(base | kw))


def flow(source: str, target: str, *classes: str, **kw: t.Any) -> FlowEdge:
    base: dict[str, t.Any] = dict(managed_by_it=True)
    return FlowEdge(source, target, frozenset(classes), **(base | kw))


def dep(tool_slug: str, depends_on: str) -> DependencyEdge:
    return DependencyEdge(tool_slug, depends_on, "data")


def seen(slug: str, last: date, first: date | None = None, **kw: t.Any) -> SightingRec:
    return SightingRec("okta", slug.upper(), slug, first_seen=first or last, last_seen=last, **kw)


def snap(
    tools: t.Iterable[ToolNode],
    flows: t.Iterable[FlowEdge] = (),
    deps: t.Iterable[DependencyEdge] = (),
    sightings: t.Iterable[SightingRec] = (),
    people: t.Iterable[PersonRec] = (MIA, IAN),
) -> Snapshot:
    """Return a snapshot of these records, each with a version of its own."""
    return Snapshot(
        people=tuple(people),
        tools=tuple(tools),
        flows=tuple(flows),
        dependencies=tuple(deps),
        sightings=tuple(sightings),
        version=f"test-{next(_versions)}",
    )


def audit(snapshot: Snapshot, as_of: date = AS_OF, **kw: t.Any) -> AuditResult:
    return run_audit(snapshot, as_of, **kw)


def rules_for(result: AuditResult, key: str) -> set[str]:
    """Return the rule ids of the findings whose subject key is `key`."""
    return {f.rule for f in result.findings if f.subject_key == key}


def finding(result: AuditResult, rule: str, key: str) -> t.Any:
    matches = [f for f in result.findings if f.rule == rule and f.subject_key == key]
    assert len(matches) == 1, (rule, key, result.findings)
    return matches[0]
