"""The base facts every audit rule reads (docs/governance.md): in use, shadow, customer data, silos.

Computed once per (snapshot, as_of) by `derive_facts`; every rule, the risk score and the
scorecard then read the same `Facts`, so they never disagree about what is in use or stranded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import networkx as nx

from catalog.analysis.graph import catalog_graph
from catalog.analysis.graph import flow_view
from catalog.analysis.graph import reach
from catalog.analysis.registry import DATA_SILO
from catalog.analysis.registry import SHADOW_DISCOVERED
from catalog.analysis.registry import SHADOW_REJECTED_IN_USE
from catalog.analysis.registry import SHADOW_RETIRED_IN_USE
from catalog.analysis.registry import SHADOW_UNAPPROVED
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import PersonRec
from catalog.analysis.snapshot import SightingRec
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.snapshot import ToolNode
from catalog.analysis.taxonomy import Taxonomy
from catalog.vocab import PERSONAL
from catalog.vocab import SANCTIONED_LIFECYCLES
from catalog.vocab import Lifecycle

__all__ = ["RECENT_DAYS", "Facts", "Silo", "derive_facts", "in_use", "is_recent"]

#: A sighting at most this many days before as_of (and not after it) is recent evidence of use.
RECENT_DAYS = 90

SHADOW_REASON: dict[str, str] = {
    Lifecycle.DISCOVERED: SHADOW_DISCOVERED.id,
    Lifecycle.REQUESTED: SHADOW_UNAPPROVED.id,
    Lifecycle.IN_REVIEW: SHADOW_UNAPPROVED.id,
    Lifecycle.REJECTED: SHADOW_REJECTED_IN_USE.id,
    Lifecycle.RETIRED: SHADOW_RETIRED_IN_USE.id,
}


@dataclass(frozen=True)
class Silo:
    """Stranded tools whose customer data reaches no system of record (docs/governance.md#silos)."""

    tools: tuple[str, ...]
    data_classes: tuple[str, ...]
    feeders: tuple[str, ...]
    rogue: bool
    severity: str
    unmanaged: tuple[FlowEdge, ...]  # the unmanaged active flows into or inside the silo

    @property
    def key(self) -> str:
        return ",".join(self.tools)


@dataclass(frozen=True)
class Facts:
    as_of: date
    tools: dict[str, ToolNode]
    names: dict[str, str]  # slug -> display name (the slug when the tool has no name)
    people: dict[str, PersonRec]
    flows: tuple[FlowEdge, ...]  # active flows only
    sightings: dict[str, tuple[SightingRec, ...]]  # by tool slug, those seen on or before as_of
    in_use: frozenset[str]
    in_use_sorted: tuple[str, ...]
    sanctioned: frozenset[str]
    shadow: dict[str, tuple[str, ...]]  # slug -> reasons
    personal_held: dict[str, frozenset[str]]  # slug -> personal classes it holds (own + inbound)
    sors: frozenset[str]
    reaches_sor: frozenset[str]
    stranded: frozenset[str]
    silos: tuple[Silo, ...]
    graph: nx.DiGraph  # catalog_graph(snapshot): flows and dependencies
    taxonomy: Taxonomy

    def name(self, slug: str) -> str:
        """Return the display name of a tool (its slug when it has none)."""
        return self.names.get(slug, slug)

    def holds_customer_data(self, slug: str) -> bool:
        """Return True when the tool stores or receives personal (customer) data.

        See docs/governance.md#customer-data.
        """
        return bool(self.personal_held.get(slug))


def is_recent(sighting: SightingRec, as_of: date) -> bool:
    """Return True when the sighting's last_seen is on or before as_of and at most 90 days before.

    >>> is_recent(SightingRec("okta", "x", "x", last_seen=date(2026, 8, 24)), date(2026, 11, 22))
    True
    >>> is_recent(SightingRec("okta", "x", "x", last_seen=date(2026, 8, 23)), date(2026, 11, 22))
    False
    """
    seen = sighting.last_seen
    return seen is not None and as_of - timedelta(days=RECENT_DAYS) <= seen <= as_of


def _in_use(
    tools: dict[str, ToolNode],
    sightings: Iterable[SightingRec],
    active: Iterable[FlowEdge],
    as_of: date,
) -> set[str]:
    cutoff = as_of - timedelta(days=RECENT_DAYS)
    used = {slug for slug, tool in tools.items() if tool.lifecycle in SANCTIONED_LIFECYCLES}
    for sighting in sightings:
        seen = sighting.last_seen
        # is_recent(), inlined: this runs once per sighting of the whole catalog.
        if seen is not None and cutoff <= seen <= as_of and sighting.tool in tools:
            used.add(sighting.tool)
    for flow in active:
        used.add(flow.source)
        used.add(flow.target)
    return used & tools.keys()


def in_use(snapshot: Snapshot, as_of: date) -> frozenset[str]:
    """Return the slugs of the tools in use as of a date (docs/governance.md#in-use)."""
    tools = {tool.slug: tool for tool in snapshot.tools}
    return frozenset(
        _in_use(tools, snapshot.sightings, (f for f in snapshot.flows if f.active), as_of)
    )


def _silos(
    G: nx.DiGraph,
    flows: tuple[FlowEdge, ...],
    stranded: frozenset[str],
    shadow: Iterable[str],
    personal_held: dict[str, frozenset[str]],
) -> tuple[Silo, ...]:
    shadow_set = set(shadow)
    # The active flows into stranded tools, by target: the graph knows which pairs carry a
    # flow, the snapshot holds the records (managed or not).
    into: dict[str, list[FlowEdge]] = {}
    for flow in flows:
        if flow.target in stranded:
            into.setdefault(flow.target, []).append(flow)
    silos = []
    for members in nx.weakly_connected_components(flow_view(G, stranded)):
        feeders: set[str] = set()
        unmanaged: list[FlowEdge] = []
        for node in members:
            for flow in into.get(node, ()):
                if flow.source not in stranded:
                    feeders.add(flow.source)
                if not flow.managed_by_it:
                    unmanaged.append(flow)
        classes = set().union(*(personal_held[m] for m in members))
        # A rogue silo (shadow IT inside, or an unmanaged flow in) is raised at the escalated
        # severity (docs/governance.md#silos).
        rogue = bool(unmanaged) or not shadow_set.isdisjoint(members)
        severity = (DATA_SILO.escalated or DATA_SILO.severity) if rogue else DATA_SILO.severity
        silos.append(
            Silo(
                tools=tuple(sorted(members)),
                data_classes=tuple(sorted(classes)),
                feeders=tuple(sorted(feeders)),
                rogue=rogue,
                severity=severity,
                unmanaged=tuple(sorted(unmanaged, key=lambda f: (f.source, f.target, f.mechanism))),
            )
        )
    return tuple(sorted(silos, key=lambda s: s.tools))


def derive_facts(snapshot: Snapshot, as_of: date) -> Facts:
    """Compute the shared facts of the audit for one snapshot and date."""
    tools = {tool.slug: tool for tool in snapshot.tools}
    G = catalog_graph(snapshot)
    active = tuple(f for f in snapshot.flows if f.active)
    used = frozenset(_in_use(tools, snapshot.sightings, active, as_of))
    sanctioned = frozenset(s for s, t in tools.items() if t.lifecycle in SANCTIONED_LIFECYCLES)
    shadow: dict[str, tuple[str, ...]] = {
        slug: (SHADOW_REASON[tools[slug].lifecycle],)
        for slug in sorted(used - sanctioned)
        if tools[slug].lifecycle in SHADOW_REASON
    }

    personal_held = {slug: tool.data_classes & PERSONAL for slug, tool in tools.items()}
    for flow in active:
        if not flow.anonymized and not flow.data_classes.isdisjoint(PERSONAL):
            personal_held[flow.target] = personal_held[flow.target] | (flow.data_classes & PERSONAL)

    sors = frozenset(s for s in sanctioned if tools[s].system_of_record)
    # One reverse walk from every SoR at once: whatever it reaches has a path to a governed hub.
    reaches = frozenset(reach(G, sors, backward=True, attribute="flow"))
    stranded = frozenset(s for s in used if personal_held[s] and s not in sors and s not in reaches)
    by_tool: dict[str, list[SightingRec]] = {}
    for sighting in snapshot.sightings:
        if sighting.tool in tools and (sighting.first_seen is None or sighting.first_seen <= as_of):
            by_tool.setdefault(sighting.tool, []).append(sighting)
    return Facts(
        as_of=as_of,
        tools=tools,
        taxonomy=snapshot.taxonomy,
        names={slug: tool.name or slug for slug, tool in tools.items()},
        people={p.email.lower(): p for p in snapshot.people},
        flows=active,
        sightings={k: tuple(v) for k, v in by_tool.items()},
        in_use=used,
        in_use_sorted=tuple(sorted(used)),
        sanctioned=sanctioned,
        shadow=shadow,
        silos=_silos(G, active, stranded, shadow, personal_held),
        personal_held=personal_held,
        sors=sors,
        reaches_sor=reaches,
        stranded=stranded,
        graph=G,
    )
