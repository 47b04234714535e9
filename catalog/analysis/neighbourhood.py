"""Choose the part of the stack the graph viewer shows: the whole stack or a tool's neighbourhood.

Reading of `direction` (the page legend says the same to users):

- ``down``: where data goes from the focus (flow source -> target) and what breaks when the
  focus goes away (the tools that depend on it: depends_on -> tool).
- ``up``: where the focus gets its data (flow target -> source) and what it relies on
  (tool -> depends_on).
- ``both``: the union of ``up`` and ``down``; a tool's hop count is the shorter of the two.
  Siblings (another tool feeding the same target) are not neighbours: they are neither up nor
  down from the focus.

Hops are counted over active flows (an inactive flow moves no data) and dependencies; with a
data class chosen, only over the flows carrying it. Group, lifecycle and shadow filters are
applied after the walk: they hide tools, they never change anyone's hop count. The focused tool
always stays in view.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

import networkx as nx

from catalog.analysis.graph import catalog_graph
from catalog.analysis.snapshot import DependencyEdge
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.snapshot import ToolNode
from catalog.analysis.taxonomy import SHIPPED
from catalog.analysis.taxonomy import Taxonomy
from catalog.vocab import PERSONAL

DIRECTIONS = ("both", "down", "up")
MAX_DEPTH = 10


class ViewError(ValueError):
    """A view parameter that cannot be honoured; `field` names the query parameter."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class ViewParams:
    """What the user asked to see; every field is a query parameter of `/graph`."""

    focus: str | None = None
    depth: int = 2
    direction: str = "both"
    data_class: str | None = None
    group: str | None = None
    lifecycle: str | None = None
    shadow: bool = False  # only shadow tools
    silos: bool = False  # highlight unmanaged customer-data silos
    blast: str | None = None  # highlight this tool's blast radius

    def key(self) -> tuple[t.Any, ...]:
        """Return a hashable cache key for this view."""
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class Marks:
    """Governance facts the picture shows; computed over the whole catalog, not just the view."""

    shadow: frozenset[str] = frozenset()
    customer_data: frozenset[str] = frozenset()
    silos: tuple[frozenset[str], ...] = ()
    blast_origin: str | None = None
    blast_tools: frozenset[str] = frozenset()
    blast_flows: frozenset[tuple[str, str]] = frozenset()  # (source, target)


@dataclass(frozen=True)
class GraphView:
    """The tools and links one picture shows, sorted for deterministic output."""

    params: ViewParams
    tools: tuple[ToolNode, ...]
    flows: tuple[FlowEdge, ...]
    dependencies: tuple[DependencyEdge, ...]
    hops: dict[str, int] = field(default_factory=dict)  # distance from the focus, focus = 0
    taxonomy: Taxonomy = SHIPPED  # the snapshot's, which groups the tools

    def group_of(self, tool: ToolNode) -> str | None:
        """Return the taxonomy group key of a tool in this view (None: no known category)."""
        return self.taxonomy.group_of(tool.category)

    @property
    def edge_count(self) -> int:
        return len(self.flows) + len(self.dependencies)


def parse_params(
    args: t.Mapping[str, str],
    *,
    data_classes: t.Collection[str],
    groups: t.Collection[str],
    lifecycles: t.Collection[str],
) -> ViewParams:
    """Return the ViewParams in a query string; raise ViewError naming the bad parameter."""

    def choice(name: str, allowed: t.Collection[str]) -> str | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if value not in allowed:
            raise ViewError(name, f"unknown value {value[:60]!r}")
        return value

    raw_depth = (args.get("depth") or "2").strip()
    if not (raw_depth.isascii() and raw_depth.isdigit()) or not 0 <= int(raw_depth) <= MAX_DEPTH:
        raise ViewError("depth", f"must be a whole number from 0 to {MAX_DEPTH}")
    direction = (args.get("direction") or "both").strip()
    if direction not in DIRECTIONS:
        raise ViewError("direction", "must be up, down or both")
    return ViewParams(
        focus=(args.get("focus") or "").strip() or None,
        depth=int(raw_depth),
        direction=direction,
        data_class=choice("data_class", data_classes),
        group=choice("group", groups),
        lifecycle=choice("lifecycle", lifecycles),
        shadow=_flag(args.get("shadow")),
        silos=_flag(args.get("silos")),
        blast=(args.get("blast") or "").strip() or None,
    )


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "on", "yes"}


def _carries(flow: FlowEdge, data_class: str | None) -> bool:
    return data_class is None or data_class in flow.data_classes


def hops_from(snapshot: Snapshot, params: ViewParams, focus: str) -> dict[str, int]:
    """Return {slug: hops} for every tool at most `params.depth` hops from `focus`.

    Down follows the catalog graph's edges (flows, and dependencies from the tool depended on
    to its dependants), up follows them backwards; with a data class, only the active flows
    carrying it count.
    """
    G = catalog_graph(snapshot)
    if params.data_class is not None:
        wanted = params.data_class
        pairs = {
            (f.source, f.target) for f in snapshot.flows if f.active and wanted in f.data_classes
        }
        G = nx.subgraph_view(G, filter_edge=lambda u, v: (u, v) in pairs)
    hops: dict[str, int] = {}
    directions = ("down", "up") if params.direction == "both" else (params.direction,)
    for direction in directions:
        graph = G if direction == "down" else G.reverse(copy=False)
        found = nx.single_source_shortest_path_length(graph, focus, cutoff=params.depth)
        for slug, n in found.items():
            hops[slug] = min(n, hops.get(slug, n))
    return hops


def select_view(
    snapshot: Snapshot, params: ViewParams, *, shadow: frozenset[str] = frozenset()
) -> GraphView:
    """Return the tools and links `params` asks for; raise ViewError for an unknown focus."""
    by_slug = {tool.slug: tool for tool in snapshot.tools}
    hops: dict[str, int] = {}
    if params.focus is not None:
        if params.focus not in by_slug:
            raise ViewError("focus", f"no tool {params.focus[:80]!r}")
        hops = hops_from(snapshot, params, params.focus)
        chosen = set(hops)
    elif params.data_class is not None:
        # Whole stack for one class: where it lives and every flow that moves it.
        chosen = {tool.slug for tool in snapshot.tools if params.data_class in tool.data_classes}
        for flow in snapshot.flows:
            if _carries(flow, params.data_class):
                chosen.update((flow.source, flow.target))
    else:
        chosen = set(by_slug)

    taxonomy = snapshot.taxonomy

    def keep(tool: ToolNode) -> bool:
        if tool.slug == params.focus:
            return True
        if params.group is not None and taxonomy.group_of(tool.category) != params.group:
            return False
        if params.lifecycle is not None and tool.lifecycle != params.lifecycle:
            return False
        return not (params.shadow and tool.slug not in shadow)

    shown = {slug for slug in chosen if slug in by_slug and keep(by_slug[slug])}
    flows = sorted(
        (
            f
            for f in snapshot.flows
            if f.source in shown and f.target in shown and _carries(f, params.data_class)
        ),
        key=lambda f: (f.source, f.target, f.mechanism),
    )
    deps = sorted(
        (
            d
            for d in snapshot.dependencies
            if params.data_class is None and d.tool in shown and d.depends_on in shown
        ),
        key=lambda d: (d.tool, d.depends_on),
    )
    tools = sorted(
        (by_slug[s] for s in shown),
        key=lambda tl: (taxonomy.group_of(tl.category) or "~", tl.name, tl.slug),
    )
    return GraphView(
        params=params,
        tools=tuple(tools),
        flows=tuple(flows),
        dependencies=tuple(deps),
        hops={slug: n for slug, n in hops.items() if slug in shown},
        taxonomy=taxonomy,
    )


def customer_data_holders(snapshot: Snapshot) -> frozenset[str]:
    """Return the slugs of tools holding customer data (docs/governance.md#customer-data)."""
    holders = {tool.slug for tool in snapshot.tools if tool.data_classes & PERSONAL}
    holders.update(
        flow.target
        for flow in snapshot.flows
        if flow.active and not flow.anonymized and flow.data_classes & PERSONAL
    )
    return frozenset(holders)


def busiest(view: GraphView, limit: int = 12) -> list[str]:
    """Return the slugs with the most links in the view: good starting points to focus on."""
    degree: dict[str, int] = {tool.slug: 0 for tool in view.tools}
    for a, b in [(f.source, f.target) for f in view.flows] + [
        (d.tool, d.depends_on) for d in view.dependencies
    ]:
        degree[a] += 1
        degree[b] += 1
    ranked = sorted(degree.items(), key=lambda item: (-item[1], item[0]))
    return [slug for slug, n in ranked[:limit] if n > 0]
