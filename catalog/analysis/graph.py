"""The catalog as one networkx graph per snapshot: tools are nodes, edges point the way data and
failure travel. Pure, no I/O.

An edge u -> v means "v is hit when u goes away": an active flow from u to v (v loses its data),
or a dependency "v depends on u" (drawn against the dependency's own arrow), or both. Its two
attributes say which: `flows` (the active FlowEdge records from u to v, in snapshot order, () for
a dependency only) and `dependencies` (the DependencyEdge records "v depends on u", () for flows
only). Inactive flows are left out: they move no data.

Which networkx algorithm serves which question (docs/architecture.md#the-catalog-graph):
blast radius and personal-data reach (over a `nx.subgraph_view` of the personal flows) are
`nx.descendants`; "reaches a system of record" is `reach` backward over flow edges; silos are
`nx.weakly_connected_components` of a `nx.subgraph_view`; single points of failure are
`nx.articulation_points`; blast sizes walk `nx.condensation` in topological order; the graph
viewer's hops are `nx.single_source_shortest_path_length`.

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
    # Gather each pair's records in plain dicts first: one add_edges_from call is several
    # times cheaper than a networkx lookup and update per flow on large catalogs.
    edges: dict[tuple[str, str], dict[str, tuple[t.Any, ...]]] = {}
    for flow in snapshot.flows:
        if flow.active:
            attrs = edges.get((flow.source, flow.target))
            if attrs is None:
                edges[(flow.source, flow.target)] = {"flows": (flow,), "dependencies": ()}
            else:
                attrs["flows"] += (flow,)
    for dep in snapshot.dependencies:
        attrs = edges.get((dep.depends_on, dep.tool))
        if attrs is None:
            edges[(dep.depends_on, dep.tool)] = {"flows": (), "dependencies": (dep,)}
        else:
            attrs["dependencies"] += (dep,)
    G = nx.DiGraph()
    G.add_nodes_from(tool.slug for tool in snapshot.tools)
    G.add_edges_from((u, v, attrs) for (u, v), attrs in edges.items())
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
    >>> sorted(G.edges)
    [('crm', 'esp'), ('sso', 'crm')]
    >>> G["crm"]["esp"]["flows"][0].data_classes, G["sso"]["crm"]["dependencies"][0].kind
    (frozenset({'contact_pii'}), 'identity')
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
        filter_edge=lambda u, v: bool(succ[u][v]["flows"]),
    )


def reach(
    G: nx.DiGraph, sources: Iterable[str], *, backward: bool = False, attribute: str | None = None
) -> set[str]:
    """Return every node reachable from any of `sources` in one traversal (sources included).

    Follows edges forward, or backward (toward their source) with `backward`; with `attribute`,
    only edges whose attribute of that name is non-empty. Sources that are not nodes are left
    out. One walk from all sources at once: the same answer as `nx.descendants` (or
    `nx.ancestors`) from a virtual node linked to every source, without copying the graph to
    add it.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "crm"), ("c", "d")])
    >>> sorted(reach(G, ["crm", "nowhere"], backward=True))
    ['a', 'b', 'crm']
    >>> G.add_edge("crm", "x", flows=()); sorted(reach(G, ["crm"], attribute="flows"))
    ['crm']
    """
    # G.adjacency() yields each node's own neighbour dict: reading those directly spares a
    # view object per visited node, most of the walk's time on a large catalog.
    adjacency = dict((G.reverse(copy=False) if backward else G).adjacency())
    seen = {node for node in sources if node in adjacency}
    stack = list(seen)
    while stack:
        for nxt, attrs in adjacency[stack.pop()].items():
            if nxt not in seen and (attribute is None or attrs[attribute]):
                seen.add(nxt)
                stack.append(nxt)
    return seen
