"""The catalog as graphs: active data flows and dependencies between tools. Pure, no I/O.

Graphs are cached per `snapshot.version`, so the audit, the graph viewer and the tool page share
one build per catalog change. Callers must treat the returned graphs as read-only.

The audit walks `flow_index` (plain dicts of flows by source and by target), not a networkx
graph: building an `nx.DiGraph` costs more than all the audit's traversals together on large
catalogs, and networkx is imported only when `build_graph` is asked for one.
"""

from __future__ import annotations

import typing as t
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from threading import Lock

from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import Snapshot
from catalog.vocab import PERSONAL

if t.TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "FlowIndex",
    "flow_index",
    "IntEdges",
    "int_edges",
    "cut_vertices",
    "build_graph",
    "build_dependency_graph",
    "impact_adjacency",
    "reachable",
    "reaching",
    "clear_cache",
]

_CACHE_SIZE = 4
_cache: dict[tuple[str, str], t.Any] = {}
_lock = Lock()
T = t.TypeVar("T")


def _cached(kind: str, snapshot: Snapshot, build: Callable[[Snapshot], T]) -> T:
    key = (kind, snapshot.version)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return t.cast(T, hit)
    value = build(snapshot)
    with _lock:
        # Keep only the newest few versions: older ones are never asked for again.
        while len(_cache) >= _CACHE_SIZE * 3:
            _cache.pop(next(iter(_cache)))
        _cache[key] = value
    return value


def clear_cache() -> None:
    """Forget every cached graph (benchmarks use this to measure cold runs)."""
    with _lock:
        _cache.clear()


@dataclass(frozen=True)
class FlowIndex:
    """The active flows by target (`inbound`) and by source (`outbound`), in snapshot order.

    Only tools with such flows have an entry; read with `.get(slug, ())`.
    """

    inbound: dict[str, list[FlowEdge]]
    outbound: dict[str, list[FlowEdge]]


def _flow_index(snapshot: Snapshot) -> FlowIndex:
    inbound: dict[str, list[FlowEdge]] = {}
    outbound: dict[str, list[FlowEdge]] = {}
    for flow in snapshot.flows:
        if not flow.active:
            continue
        into = inbound.get(flow.target)
        if into is None:
            inbound[flow.target] = [flow]
        else:
            into.append(flow)
        out = outbound.get(flow.source)
        if out is None:
            outbound[flow.source] = [flow]
        else:
            out.append(flow)
    return FlowIndex(inbound, outbound)


def flow_index(snapshot: Snapshot) -> FlowIndex:
    """Return the active flows of the snapshot indexed by target and by source (cached).

    Examples
    --------
    >>> snap = Snapshot(flows=(FlowEdge("crm", "esp"), FlowEdge("cdp", "esp"),
    ...                        FlowEdge("esp", "bi", active=False)), version="doc-index")
    >>> [f.source for f in flow_index(snap).inbound["esp"]]
    ['crm', 'cdp']
    >>> "bi" in flow_index(snap).inbound
    False
    """
    return _cached("index", snapshot, _flow_index)


@dataclass(frozen=True)
class IntEdges:
    """Active flows and dependencies as pairs of integer node ids, for the whole-catalog passes.

    `slugs[i]` names node i: the tools in snapshot order, then any slug an edge names that is no
    tool's. Built once per catalog version and shared by the cut-vertex and blast-size passes,
    which would otherwise each map 40,000 slugs to integers on a 10,000-tool catalog.
    """

    slugs: list[str]
    position: dict[str, int]
    flows: list[tuple[int, int]]  # (source, target) of every active flow
    dependencies: list[tuple[int, int]]  # (tool, depends_on)


def _int_edges(snapshot: Snapshot) -> IntEdges:
    slugs = [tool.slug for tool in snapshot.tools]
    position = {slug: i for i, slug in enumerate(slugs)}
    get = position.get

    def node(slug: str) -> int:
        i = get(slug)
        if i is None:
            i = position[slug] = len(slugs)
            slugs.append(slug)
        return i

    flows = []
    for flow in snapshot.flows:
        if flow.active:
            i, j = get(flow.source), get(flow.target)
            if i is None or j is None:  # a slug that is no tool's: only in hand-built snapshots
                i, j = node(flow.source), node(flow.target)
            flows.append((i, j))
    dependencies = []
    for dep in snapshot.dependencies:
        i, j = get(dep.tool), get(dep.depends_on)
        if i is None or j is None:
            i, j = node(dep.tool), node(dep.depends_on)
        dependencies.append((i, j))
    return IntEdges(slugs, position, flows, dependencies)


def int_edges(snapshot: Snapshot) -> IntEdges:
    """Return the snapshot's active flows and dependencies over integer node ids (cached)."""
    return _cached("ints", snapshot, _int_edges)


def _flow_graph(snapshot: Snapshot) -> nx.DiGraph:
    import networkx as nx

    # Aggregate parallel flows in plain dicts first: one add_edges_from call is several times
    # cheaper than a networkx lookup and update per flow on large catalogs.
    merged: dict[tuple[str, str], tuple[list[FlowEdge], set[str], set[str]]] = {}
    for flow in snapshot.flows:
        if not flow.active:
            continue
        entry = merged.get((flow.source, flow.target))
        if entry is None:
            entry = merged[(flow.source, flow.target)] = ([], set(), set())
        entry[0].append(flow)
        entry[1].update(flow.data_classes)
        if not flow.anonymized:
            entry[2].update(flow.data_classes & PERSONAL)
    G = nx.DiGraph()
    G.add_nodes_from(
        (
            tool.slug,
            {
                "name": tool.name or tool.slug,
                "lifecycle": tool.lifecycle,
                "category": tool.category,
            },
        )
        for tool in snapshot.tools
    )
    G.add_edges_from(
        (
            u,
            v,
            {
                "flows": tuple(flows),
                "data_classes": frozenset(classes),
                "personal": frozenset(personal),
            },
        )
        for (u, v), (flows, classes, personal) in merged.items()
    )
    return G


def build_graph(snapshot: Snapshot) -> nx.DiGraph:
    """Return the directed graph of tools (every tool a node) and their active flows.

    Parallel flows between the same two tools merge into one edge whose attributes are
    `flows` (the FlowEdge records), `data_classes` (union) and `personal` (the personal classes
    carried by its non-anonymized flows). Inactive flows are left out: they move no data.

    Examples
    --------
    >>> from catalog.analysis.snapshot import FlowEdge, ToolNode
    >>> snap = Snapshot(tools=(ToolNode("crm"), ToolNode("esp")),
    ...                 flows=(FlowEdge("crm", "esp", frozenset({"contact_pii"})),), version="doc")
    >>> sorted(build_graph(snap).edges)
    [('crm', 'esp')]
    """
    return _cached("flows", snapshot, _flow_graph)


def _dependency_graph(snapshot: Snapshot) -> nx.DiGraph:
    import networkx as nx

    G = nx.DiGraph()
    G.add_nodes_from(tool.slug for tool in snapshot.tools)
    for dep in snapshot.dependencies:
        G.add_edge(dep.tool, dep.depends_on, kind=dep.kind)
    return G


def build_dependency_graph(snapshot: Snapshot) -> nx.DiGraph:
    """Return the graph with an edge X -> Y for every "X depends on Y" (attribute `kind`)."""
    return _cached("deps", snapshot, _dependency_graph)


def _impact(snapshot: Snapshot) -> dict[str, tuple[str, ...]]:
    succ: dict[str, set[str]] = {tool.slug: set() for tool in snapshot.tools}
    for flow in snapshot.flows:
        if flow.active:
            succ.setdefault(flow.source, set()).add(flow.target)
    for dep in snapshot.dependencies:
        # Y going away breaks X when X depends on Y: impact runs against the dependency arrow.
        succ.setdefault(dep.depends_on, set()).add(dep.tool)
    return {node: tuple(sorted(targets)) for node, targets in succ.items()}


def impact_adjacency(snapshot: Snapshot) -> dict[str, tuple[str, ...]]:
    """Return, per tool, the tools hit directly when it goes away (flow targets, dependants)."""
    return _cached("impact", snapshot, _impact)


def reachable(succ: Mapping[str, Iterable[str]], sources: Iterable[str]) -> set[str]:
    """Return every node reachable from any of `sources` in one BFS (sources included).

    Examples
    --------
    >>> sorted(reachable({"a": ["b"], "b": ["c"], "c": [], "d": ["a"]}, ["a"]))
    ['a', 'b', 'c']
    """
    seen = set(sources)
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        for nxt in succ.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def reaching(G: nx.DiGraph, targets: Iterable[str]) -> set[str]:
    """Return every node of `G` with a directed path to any of `targets` (targets included).

    One multi-source BFS over the predecessors, not one search per node.

    Examples
    --------
    >>> import networkx as nx
    >>> sorted(reaching(nx.DiGraph([("a", "b"), ("b", "crm"), ("c", "d")]), ["crm"]))
    ['a', 'b', 'crm']
    """
    return reachable(G._pred, (node for node in targets if node in G))


def articulation_points(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> set[str]:
    """Return the cut vertices of the undirected graph given by `nodes` and `edges`.

    Same answer as `nx.articulation_points`, without building an `nx.Graph` first (half the
    audit's time on large catalogs). Edges with an end outside `nodes` are ignored.

    Examples
    --------
    >>> sorted(articulation_points("abcd", [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]))
    ['c']
    """
    names = list(dict.fromkeys(nodes))
    index = {name: i for i, name in enumerate(names)}
    pairs = []
    for u, v in edges:
        iu, iv = index.get(u), index.get(v)
        if iu is not None and iv is not None:
            pairs.append((iu, iv))
    return {names[i] for i in cut_vertices(len(names), pairs)}


def cut_vertices(
    n: int, edges: Iterable[tuple[int, int]], keep: list[bool] | None = None
) -> list[int]:
    """Return the cut vertices of an undirected graph on nodes 0..n-1, ascending.

    An iterative Hopcroft-Tarjan DFS over integer adjacency lists. With `keep`, only nodes i
    with keep[i] take part, and edges touching any other node are ignored.
    """
    adj: list[list[int]] = [[] for _ in range(n)]
    if keep is None:
        for u, v in edges:
            if u != v:
                adj[u].append(v)
                adj[v].append(u)
    else:
        for u, v in edges:
            if u != v and keep[u] and keep[v]:
                adj[u].append(v)
                adj[v].append(u)
    disc = [-1] * n
    low = [0] * n
    cut = [False] * n
    counter = 0
    for root in range(n):
        if disc[root] != -1 or not adj[root]:
            continue  # an isolated node is never a cut vertex
        disc[root] = low[root] = counter
        counter += 1
        root_children = 0
        # Each frame keeps an iterator over its neighbours, so resuming a frame is a C-level
        # `for` step rather than an index rebuild; the neighbour loop stays inside that `for`.
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            node, parent, neighbours = stack[-1]
            for nxt in neighbours:
                if disc[nxt] == -1:
                    disc[nxt] = low[nxt] = counter
                    counter += 1
                    if node == root:
                        root_children += 1
                    stack.append((nxt, node, iter(adj[nxt])))
                    break
                if nxt != parent and disc[nxt] < low[node]:
                    low[node] = disc[nxt]
            else:
                stack.pop()
                if parent != -1:
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                    if parent != root and low[node] >= disc[parent]:
                        cut[parent] = True
        if root_children > 1:
            cut[root] = True
    return [i for i in range(n) if cut[i]]
