"""The whole stack at a glance: one node per taxonomy group, for catalogs too large to draw.

Above a few hundred tools a picture of every tool is a hairball that takes seconds to lay out
and megabytes to send. The overview folds the catalog's active flows into its taxonomy groups
(the quotient of the catalog graph by group): each group node is sized by its tools and says
how many are shadow IT and how many sit in customer-data silos; each edge is weighted by the
data flows between two groups.
A click on a group opens the graph of that group's tools. Pure: the group of each category is
passed in, so the taxonomy an administrator extended is the one used.
"""

from __future__ import annotations

import math
import typing as t
from collections import Counter
from dataclasses import dataclass

import graphviz

from catalog.analysis.neighbourhood import Marks
from catalog.analysis.render import BOX
from catalog.analysis.render import text
from catalog.analysis.snapshot import Snapshot

UNGROUPED = ""  # tools with no category


@dataclass(frozen=True)
class GroupNode:
    key: str
    name: str
    tools: int
    shadow: int
    in_silos: int


@dataclass(frozen=True)
class Overview:
    groups: tuple[GroupNode, ...]
    #: (source group, target group) -> active flows from a tool of one to a tool of the other.
    flows: dict[tuple[str, str], int]


def build(
    snapshot: Snapshot,
    marks: Marks,
    *,
    group_of: t.Callable[[str], str | None],
    group_names: t.Mapping[str, str],
) -> Overview:
    """Fold the catalog into its taxonomy groups.

    >>> from catalog.analysis.snapshot import FlowEdge, ToolNode
    >>> snap = Snapshot(tools=(ToolNode("a", category="crm"), ToolNode("b", category="email"),
    ...                        ToolNode("c", category="email")),
    ...                 flows=(FlowEdge("a", "b"), FlowEdge("a", "c"), FlowEdge("b", "c")))
    >>> view = build(snap, Marks(shadow=frozenset({"c"})),
    ...              group_of={"crm": "data", "email": "channels"}.get,
    ...              group_names={"data": "Data", "channels": "Channels"})
    >>> [(g.key, g.tools, g.shadow) for g in view.groups], view.flows
    ([('channels', 2, 1), ('data', 1, 0)], {('data', 'channels'): 2})
    """
    group = {
        tool.slug: (group_of(tool.category) if tool.category else None) or UNGROUPED
        for tool in snapshot.tools
    }
    in_silo = frozenset().union(*marks.silos) if marks.silos else frozenset()
    sizes: Counter[str] = Counter(group.values())
    shadow: Counter[str] = Counter(group[s] for s in marks.shadow if s in group)
    silos: Counter[str] = Counter(group[s] for s in in_silo if s in group)
    flows: Counter[tuple[str, str]] = Counter()
    # Each active flow counted once: the graph's edges merge a pair's flows, the records do not.
    for flow in snapshot.flows:
        if flow.active:
            a, b = group[flow.source], group[flow.target]
            if a != b:
                flows[(a, b)] += 1
    nodes = tuple(
        GroupNode(
            key,
            group_names.get(key, key) if key else "No category",
            sizes[key],
            shadow[key],
            silos[key],
        )
        for key in sorted(sizes, key=lambda k: (k == UNGROUPED, group_names.get(k, k)))
    )
    return Overview(nodes, dict(sorted(flows.items())))


def to_dot(view: Overview, *, group_url: t.Callable[[str], str]) -> str:
    """Return the overview as DOT: surrogate ids, escaped labels, only our own URLs."""
    dot = graphviz.Digraph(
        "overview",
        graph_attr={
            "layout": "dot",
            "rankdir": "LR",
            "bgcolor": "transparent",
            "nodesep": "0.35",
            "ranksep": "0.9",
            "fontname": "Helvetica",
        },
    )
    dot.attr("node", **BOX, fontsize="11", fillcolor="#eef2f8", color="#5b6b85")
    dot.attr("edge", color="#7d8799", fontname="Helvetica", fontsize="9", arrowsize="0.6")
    ids = {node.key: f"g{i}" for i, node in enumerate(view.groups, start=1)}
    biggest = max((node.tools for node in view.groups), default=1)
    for node in view.groups:
        parts = [node.name, f"{node.tools} tool{'s' if node.tools != 1 else ''}"]
        if node.shadow:
            parts.append(f"{node.shadow} shadow")
        if node.in_silos:
            parts.append(f"{node.in_silos} in silos")
        # Each part escaped on its own, joined by DOT's own line break (as render.py does);
        # nohtml: a group named "<b>" must never become an HTML-like label.
        label = graphviz.nohtml(r"\n".join(text(part, 60) for part in parts))
        scale = 0.8 + 1.6 * math.sqrt(node.tools / biggest)
        dot.node(
            ids[node.key],
            label=label,
            fontsize=f"{10 + 4 * scale:.0f}",
            width=f"{1.2 * scale:.2f}",
            height=f"{0.5 * scale:.2f}",
            fillcolor="#f8c9c4" if node.shadow else "#eef2f8",
            penwidth="2.5" if node.in_silos else "1",
            URL=graphviz.escape(group_url(node.key)),
            tooltip=text(f"Open the graph of {node.name}", 200),
            target="_top",
        )
    heaviest = max(view.flows.values(), default=1)
    for (a, b), n in view.flows.items():
        dot.edge(
            ids[a],
            ids[b],
            label=f"{n}",
            penwidth=f"{1 + 4 * n / heaviest:.1f}",
            tooltip=f"{n} flow{'s' if n != 1 else ''}",
        )
    return t.cast(str, dot.source)  # graphviz ships no type hints
