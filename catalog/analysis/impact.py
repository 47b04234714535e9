"""Impact and reach: what breaks when a tool goes away, where its personal data goes.

Definitions: docs/governance.md#impact-and-reach.

All three read the catalog graph (`catalog.analysis.graph`), whose edges point the way a loss
travels. `blast_radius` and `personal_data_reach` answer for one tool with `nx.descendants`.
`blast_sizes` answers "how big is the blast radius" for every tool at once, bounded by a cap,
over the graph's condensation (one node per strongly connected component): exact sizes for all
tools would cost O(tools x edges), and the risk score only needs "small, or at least the cap".
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

import networkx as nx

from catalog.analysis.graph import catalog_graph
from catalog.analysis.graph import derived
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import Snapshot
from catalog.vocab import PERSONAL

__all__ = ["BlastRadius", "blast_radius", "personal_data_reach", "blast_sizes"]


@dataclass(frozen=True)
class BlastRadius:
    """The tools that break when a tool goes away (sorted slugs), and the flows that break."""

    tools: tuple[str, ...]
    flows: tuple[FlowEdge, ...]


def _flow_order(flow: FlowEdge) -> tuple[str, str, str]:
    return (flow.source, flow.target, flow.mechanism)


def blast_radius(snapshot: Snapshot, slug: str) -> BlastRadius:
    """Return the tools depending on `slug` or fed by it through active flows, transitively.

    The flows that break are the active flows out of the tool and out of every affected tool
    (their data stops), plus the active flows into the tool (their target is gone).

    Examples
    --------
    >>> from catalog.analysis.snapshot import DependencyEdge, ToolNode
    >>> snap = Snapshot(tools=(ToolNode("sso"), ToolNode("crm"), ToolNode("esp")),
    ...                 flows=(FlowEdge("crm", "esp"),),
    ...                 dependencies=(DependencyEdge("crm", "sso"),), version="doc-blast")
    >>> blast_radius(snap, "sso").tools
    ('crm', 'esp')
    """
    G = catalog_graph(snapshot)
    hit = nx.descendants(G, slug) if slug in G else set()
    flows = tuple(
        sorted(
            (
                f
                for f in snapshot.flows
                if f.active and (f.source == slug or f.target == slug or f.source in hit)
            ),
            key=_flow_order,
        )
    )
    return BlastRadius(tools=tuple(sorted(hit)), flows=flows)


def _personal_pairs(snapshot: Snapshot) -> frozenset[tuple[str, str]]:
    # The pairs with a non-anonymized active flow carrying a personal class: the edges
    # personal data travels along. Kept on the snapshot, as the graph is.
    return frozenset(
        (f.source, f.target)
        for f in snapshot.flows
        if f.active and not f.anonymized and not f.data_classes.isdisjoint(PERSONAL)
    )


def personal_data_reach(snapshot: Snapshot, slug: str) -> tuple[str, ...]:
    """Return the tools that personal data leaving `slug` reaches via non-anonymized active flows.

    Examples
    --------
    >>> from catalog.analysis.snapshot import ToolNode
    >>> pii = frozenset({"contact_pii"})
    >>> snap = Snapshot(tools=(ToolNode("crm"), ToolNode("esp"), ToolNode("bi")),
    ...                 flows=(FlowEdge("crm", "esp", pii),
    ...                        FlowEdge("esp", "bi", pii, anonymized=True)), version="doc-reach")
    >>> personal_data_reach(snap, "crm")
    ('esp',)
    """
    G = catalog_graph(snapshot)
    pairs = derived(snapshot, "personal_pairs", _personal_pairs)
    personal = nx.subgraph_view(G, filter_edge=lambda u, v: (u, v) in pairs)
    seen = nx.descendants(personal, slug) if slug in G else set()
    return tuple(sorted(seen))


def _capped_by_hub(G: nx.DiGraph, cap: int) -> set[str]:
    # A tool reaching `cap` or more tools caps every tool that reaches it: those reach the
    # same tools and the tool itself, less at most themselves. Probe the tool the most edges
    # point to: where the stack is one big tangle, as in most large catalogs, it reaches
    # far more than `cap` tools and nearly every tool reaches it, so two walks (descendants,
    # ancestors) settle nearly every tool and the condensation is left the few others.
    if len(G) <= cap:
        return set()
    hub = max(G.in_degree, key=itemgetter(1))[0]
    if len(nx.descendants(G, hub)) < cap:
        return set()
    capped: set[str] = nx.ancestors(G, hub)
    capped.add(hub)
    return capped


def _sizes(snapshot: Snapshot, cap: int) -> dict[str, int]:
    G = catalog_graph(snapshot)
    capped = _capped_by_hub(G, cap)
    sizes = dict.fromkeys(capped, cap)
    # The others reach no capped tool (or they would reach the hub), so their blast radius
    # lies among themselves: condense only them, unless they are most of the catalog (then a
    # filtered view would cost more than condensing every tool).
    rest = G.subgraph(n for n in G if n not in capped) if 2 * len(capped) > len(G) else G
    C = nx.condensation(rest)
    members = C.nodes.data("members")
    # closed[c]: the members of component c plus everything it reaches, or None once that
    # makes c's blast radius reach the cap (then every tool reaching c is capped too).
    closed: dict[int, frozenset[str] | None] = {}
    succ = C.succ
    # Reverse topological order: a component comes after every component it reaches.
    for c in reversed(list(nx.topological_sort(C))):
        own: set[str] = members[c]
        acc: set[str] | None = None  # None: capped
        if len(own) - 1 < cap:  # a tool's own component mates are in its blast radius
            acc = set(own)
            for d in succ[c]:
                below = closed[d]
                if below is None:
                    acc = None
                    break
                acc.update(below)
                if len(acc) - 1 >= cap:
                    acc = None
                    break
        closed[c] = None if acc is None else frozenset(acc)
        size = cap if acc is None else len(acc) - 1
        for m in own:
            sizes[m] = size
    return sizes


def blast_sizes(snapshot: Snapshot, cap: int) -> dict[str, int]:
    """Return, per tool, min(blast radius size, cap), for every tool in one pass.

    Examples
    --------
    >>> from catalog.analysis.snapshot import ToolNode
    >>> snap = Snapshot(tools=tuple(ToolNode(s) for s in "abcd"),
    ...                 flows=(FlowEdge("a", "b"), FlowEdge("b", "c"), FlowEdge("c", "b")),
    ...                 version="doc-sizes")
    >>> sorted(blast_sizes(snap, 10).items())
    [('a', 2), ('b', 1), ('c', 1), ('d', 0)]
    """
    return _sizes(snapshot, cap)
