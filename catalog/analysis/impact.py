"""Impact and reach: what breaks when a tool goes away, where its personal data goes.

Definitions: docs/governance.md#impact-and-reach.

`blast_radius` and `personal_data_reach` answer for one tool with one BFS. `blast_sizes` answers
"how big is the blast radius" for every tool at once, bounded by a cap: exact sizes for all tools
would cost O(tools x edges), and the risk score only needs to know "small, or at least the cap".
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from catalog.analysis.graph import build_graph
from catalog.analysis.graph import impact_adjacency
from catalog.analysis.graph import int_edges
from catalog.analysis.graph import reachable
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import Snapshot

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
    hit = reachable(impact_adjacency(snapshot), [slug])
    hit.discard(slug)
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
    G = build_graph(snapshot)
    if slug not in G:
        return ()
    # Walk only edges whose non-anonymized flows carry a personal class.
    seen = {slug}
    queue = deque([slug])
    while queue:
        for nxt, attrs in G._succ[queue.popleft()].items():
            if attrs["personal"] and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    seen.discard(slug)
    return tuple(sorted(seen))


def _tarjan_order(succ: list[list[int]]) -> list[list[int]]:
    """Return the strongly connected components, each after every component it reaches."""
    n = len(succ)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        # Frames hold an iterator over their successors: resuming one is a C-level `for` step.
        work = [(root, iter(succ[root]))]
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if index[nxt] == -1:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack[nxt] = True
                    work.append((nxt, iter(succ[nxt])))
                    break
                if on_stack[nxt] and index[nxt] < low[node]:
                    low[node] = index[nxt]
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                if low[node] == index[node]:
                    comp = []
                    while True:
                        member = stack.pop()
                        on_stack[member] = False
                        comp.append(member)
                        if member == node:
                            break
                    comps.append(comp)
    return comps


def _int_adjacency(snapshot: Snapshot) -> tuple[list[str], list[list[int]]]:
    # The edges of impact_adjacency as integer lists, without its per-tool sets and sorting
    # (sizes count what is reachable, whatever the order).
    ints = int_edges(snapshot)
    succ: list[list[int]] = [[] for _ in ints.slugs]
    for source, target in ints.flows:
        succ[source].append(target)
    # Y going away breaks X when X depends on Y: impact runs against the dependency arrow.
    for tool, depends_on in ints.dependencies:
        succ[depends_on].append(tool)
    return ints.slugs, succ


def _sizes(snapshot: Snapshot, cap: int) -> dict[str, int]:
    slugs, succ = _int_adjacency(snapshot)
    comp_of = [0] * len(slugs)
    # closed[c]: the members of component c plus everything it reaches, or None once that
    # makes c's blast radius reach the cap (then every tool reaching c is capped too).
    closed: list[frozenset[int] | None] = []
    sizes: dict[str, int] = {}
    for c, members in enumerate(_tarjan_order(succ)):
        for m in members:
            comp_of[m] = c
        own = len(members) - 1  # a tool's own component mates are in its blast radius
        acc: set[int] | None = None  # None: capped
        if own < cap:
            reached = acc = set(members)
            for m in members:
                for v in succ[m]:
                    d = comp_of[v]
                    if d == c:
                        continue
                    # Tarjan emits a component only after every component it reaches,
                    # so `closed[d]` already exists here.
                    below = closed[d]
                    if below is None:
                        acc = None
                        break
                    reached.update(below)
                    if len(reached) - 1 >= cap:
                        acc = None
                        break
                if acc is None:
                    break
        closed.append(None if acc is None else frozenset(acc))
        size = cap if acc is None else len(acc) - 1
        for m in members:
            sizes[slugs[m]] = size
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
