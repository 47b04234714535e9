"""The catalog as one networkx graph per snapshot: tools are nodes, edges point the way data and
failure travel. Pure, no I/O.

An edge u -> v means "v is hit when u goes away": an active flow from u to v (v loses its data),
or a dependency "v depends on u" (drawn against the dependency's own arrow), or both. Its kind is
in two boolean attributes, each present only when true: `flow` (at least one active flow from u
to v) and `dependency` (v depends on u); read them with `.get(name, False)` or
`G.edges(data=name, default=False)`. Inactive flows are left out: they move no data. The records
themselves stay in the snapshot: copying them onto every edge (grouped by pair) nearly doubled
the build time, and only pages about one tool or one class need them.

Which networkx algorithm serves which question (docs/architecture.md#the-catalog-graph):
blast radius and personal-data reach (over a `nx.subgraph_view` of the personal flows) are
`nx.descendants`; "reaches a system of record" is `reach` backward over flow edges; silos are
`nx.weakly_connected_components` of a `nx.subgraph_view`; single points of failure are
`nx.articulation_points`; blast sizes are `nx.ancestors` of a hub plus `nx.condensation` of the
rest; the graph viewer's hops are `nx.single_source_shortest_path_length`.

The graph is built once per Snapshot object and kept on it (`Snapshot.derived`): the audit, the
graph viewer and the tool page share the build of whichever snapshot the services keep. Callers
must treat it as read-only.
"""

from __future__ import annotations

import typing as t
from collections.abc import Callable
from collections.abc import Iterable

import networkx as nx

from catalog.analysis.snapshot import Snapshot

__all__ = ["catalog_graph", "derived", "flow_view", "reach"]

T = t.TypeVar("T")


def derived(snapshot: Snapshot, key: str, build: Callable[[Snapshot], T]) -> T:
    """Return `build(snapshot)`, built once per snapshot and kept on it under `key`.

    Two threads may both build it the first time; either result is the same value.
    """
    found = snapshot.derived.get(key)
    if found is None:
        found = snapshot.derived.setdefault(key, build(snapshot))
    return t.cast(T, found)


def _build(snapshot: Snapshot) -> nx.DiGraph:
    # 2-tuples and one keyword attribute per call: networkx merges a pair's repeated flows
    # itself, so nothing is grouped in Python first.
    G = nx.DiGraph()
    G.add_nodes_from(tool.slug for tool in snapshot.tools)
    G.add_edges_from(((f.source, f.target) for f in snapshot.flows if f.active), flow=True)
    G.add_edges_from(((d.depends_on, d.tool) for d in snapshot.dependencies), dependency=True)
    return G


def catalog_graph(snapshot: Snapshot) -> nx.DiGraph:
    """Return the snapshot's graph (every tool a node; see the module docstring for edges).

    Examples
    --------
    >>> from catalog.analysis.snapshot import DependencyEdge, FlowEdge, ToolNode
    >>> snap = Snapshot(tools=(ToolNode("sso"), ToolNode("crm"), ToolNode("esp")),
    ...                 flows=(FlowEdge("crm", "esp", frozenset({"contact_pii"})),
    ...                        FlowEdge("esp", "crm", active=False)),
    ...                 dependencies=(DependencyEdge("crm", "sso", "identity"),))
    >>> G = catalog_graph(snap)
    >>> sorted(G.edges(data=True))
    [('crm', 'esp', {'flow': True}), ('sso', 'crm', {'dependency': True})]
    >>> catalog_graph(snap) is G
    True
    """
    return derived(snapshot, "graph", _build)


def flow_view(G: nx.DiGraph, nodes: Iterable[str] | None = None) -> nx.DiGraph:
    """Return a read-only view of `G` with only the edges that carry active flows.

    With `nodes`, only those nodes (and the flows between them) are in the view.
    """
    keep = None if nodes is None else frozenset(nodes)
    succ = G.succ
    return nx.subgraph_view(
        G,
        filter_node=nx.filters.no_filter if keep is None else keep.__contains__,
        filter_edge=lambda u, v: succ[u][v].get("flow", False),
    )


def reach(
    G: nx.DiGraph, sources: Iterable[str], *, backward: bool = False, attribute: str | None = None
) -> set[str]:
    """Return every node reachable from any of `sources` in one traversal (sources included).

    Follows edges forward, or backward (toward their source) with `backward`; with `attribute`,
    only edges whose attribute of that name is present and true. Sources that are not nodes are left
    out. One walk from all sources at once: the same answer as `nx.descendants` (or
    `nx.ancestors`) from a virtual node linked to every source, without copying the graph to
    add it.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "crm"), ("c", "d")])
    >>> sorted(reach(G, ["crm", "nowhere"], backward=True))
    ['a', 'b', 'crm']
    >>> G.add_edge("crm", "x", dependency=True); sorted(reach(G, ["crm"], attribute="flow"))
    ['crm']
    """
    # G.adjacency() yields each node's own neighbour dict: reading those directly spares a
    # view object per visited node, most of the walk's time on a large catalog.
    adjacency = dict((G.reverse(copy=False) if backward else G).adjacency())
    seen = {node for node in sources if node in adjacency}
    stack = list(seen)
    while stack:
        for nxt, attrs in adjacency[stack.pop()].items():
            if nxt not in seen and (attribute is None or attrs.get(attribute)):
                seen.add(nxt)
                stack.append(nxt)
    return seen
