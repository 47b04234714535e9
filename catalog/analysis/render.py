"""Turn a GraphView into DOT source with the graphviz package (no binary needed to build it).

Safety rules (reference notes 1.3 a/b): node ids are surrogates (n1, n2, ...), never names; every
piece of catalog text goes through `graphviz.escape()` (no HTML-like labels, no escString
expansion); the only URLs are the ones `node_url` builds; boxes are `shape=box style=rounded`,
never record shapes, whose label syntax user text could break.
"""

from __future__ import annotations

import contextlib
import functools
import re
import typing as t

import graphviz

from catalog.analysis.neighbourhood import GraphView
from catalog.analysis.neighbourhood import Marks
from catalog.analysis.snapshot import ToolNode
from catalog.vocab import DATA_CLASS_LABELS
from catalog.vocab import Lifecycle

LABEL_CHARS = 40
TOOLTIP_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

# Fill colours by governance state; the page legend shows the same swatches (graph.css).
FILL = {"shadow": "#f8c9c4", "sanctioned": "#cdebd8", "phasing_out": "#e3e6eb", "other": "#fbe8b6"}
STATE_LABEL = {
    "shadow": "shadow IT",
    "sanctioned": "sanctioned",
    "phasing_out": "deprecated or retired",
    "other": "requested, in review, rejected or dormant",
}
SILO_COLOUR = "#e8590c"
BLAST_COLOUR = "#7b2cbf"
FOCUS_COLOUR = "#1d4ed8"
DIM = "#c5cad3"
#: How every box is drawn: rounded and filled, never a record shape (see above); the group
#: overview draws its boxes the same way.
BOX = {"shape": "box", "style": "rounded,filled", "fontname": "Helvetica"}
DEP_LABEL_MAX_LINKS = 40  # above this, repeated "identity" labels bury the flows
FLOW_LABEL_MAX_LINKS = 60  # above this, data-class labels crowd the picture: tooltips only
# Whole-stack layout (views of at least COMPACT_TOOLS tools): most tools are sources of data, so
# dot would stack them all in its first column, a picture twenty screens tall. Each group's
# source tools are folded into columns of FOLD_ROWS by invisible edges, and newrank lets those
# columns sit side by side across groups: the demo stack becomes landscape.
COMPACT_TOOLS = 20
FOLD_ROWS = 3


# graphviz.quoting.quote without its per-call positional-argument check, which cost a third of
# building a 200-tool picture; the quoting itself (and its DotSyntaxWarning) is the package's.
# Most values repeat (colours, styles): remembered by value AND type (typed=True), so a plain
# "<b>" and nohtml("<b>"), which quote differently, never share an entry.
_quote = functools.lru_cache(maxsize=4096, typed=True)(
    getattr(graphviz.quoting.quote, "__wrapped__", graphviz.quoting.quote)
)


def _a_list(label: str | None, attrs: t.Mapping[str, str]) -> str:
    parts = [f"label={_quote(label)}"] if label is not None else []
    parts += [f"{key}={_quote(value)}" for key, value in sorted(attrs.items())]
    return " ".join(parts)


class _Body:
    """DOT statements, written exactly as graphviz.Digraph writes them but several times faster."""

    def __init__(self, indent: str = "\t", lines: list[str] | None = None) -> None:
        self.indent = indent
        self.lines: list[str] = [] if lines is None else lines

    def attr(self, kw: str | None = None, **attrs: str) -> None:
        listed = _a_list(None, attrs)
        self.lines.append(f"{self.indent}{kw} [{listed}]\n" if kw else f"{self.indent}{listed}\n")

    def node(self, name: str, **attrs: str) -> None:
        self.lines.append(f"{self.indent}{name} [{_a_list(attrs.pop('label', None), attrs)}]\n")

    def edge(self, tail: str, head: str, **attrs: str) -> None:
        listed = _a_list(attrs.pop("label", None), attrs)
        self.lines.append(f"{self.indent}{tail} -> {head} [{listed}]\n")

    @contextlib.contextmanager
    def subgraph(self, name: str) -> t.Iterator[_Body]:
        self.lines.append(f"{self.indent}subgraph {name} {{\n")
        yield _Body(self.indent + "\t", self.lines)
        self.lines.append(f"{self.indent}}}\n")


def text(value: str, limit: int) -> str:
    """Return catalog text made safe for any DOT string attribute: one line, short, escaped."""
    value = _CONTROL.sub(" ", value).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return t.cast(str, graphviz.escape(value))  # graphviz ships no type hints


def state(tool: ToolNode, marks: Marks) -> str:
    """Return the governance state that picks the tool's fill colour."""
    if tool.slug in marks.shadow:
        return "shadow"
    if tool.lifecycle == Lifecycle.SANCTIONED:
        return "sanctioned"
    if tool.lifecycle in (Lifecycle.DEPRECATED, Lifecycle.RETIRED):
        return "phasing_out"
    return "other"


def to_dot(
    view: GraphView,
    *,
    node_url: t.Callable[[str], str],
    marks: Marks | None = None,
    engine: str = "dot",
    clusters: bool = True,
) -> graphviz.Digraph:
    """Return the DOT graph of `view`, nodes clustered by taxonomy group and linked via node_url."""
    marks = marks or Marks()
    # Node ids are our own surrogates (n1, n2, ...) and attribute names our literals: only
    # values are quoted, by the graphviz package's own rules.
    graph = _Body()
    compact = engine == "dot" and len(view.tools) >= COMPACT_TOOLS
    # The engine is named in the source itself, so the DOT download lays out as the page did
    # (sfdp for big views) and a graphviz process can start before the view's size is known.
    graph.attr(
        layout=engine,
        rankdir="LR",
        fontname="Helvetica",
        fontsize="11",
        nodesep="0.15" if compact else "0.25",
        ranksep="0.5" if compact else "0.6",
        bgcolor="transparent",
        tooltip=" ",
    )
    if compact:
        graph.attr(newrank="true")
    if engine != "dot":
        # Force-directed engines for big views: scaling apart overlapping boxes costs 0.9 s at
        # 1,000 tools where prism costs 3 s (benchmarks/graph.py); edges stay straight.
        graph.attr(overlap="scale", splines="false", outputorder="edgesfirst")
    graph.attr("node", **BOX, fontsize="10", color="#4a5568", penwidth="1", margin="0.12,0.06")
    graph.attr("edge", fontname="Helvetica", fontsize="8", color="#4a5568", arrowsize="0.7")

    ids = {tool.slug: f"n{i}" for i, tool in enumerate(view.tools, start=1)}
    silo_of = {slug: i for i, silo in enumerate(marks.silos) for slug in silo}
    blasting = marks.blast_origin is not None
    groups: dict[str | None, list[ToolNode]] = {}
    for tool in view.tools:
        groups.setdefault(view.group_of(tool), []).append(tool)

    for index, (group, members) in enumerate(groups.items(), start=1):
        if group is None or engine != "dot" or not clusters:
            target = graph
            _nodes(target, members, ids, marks, silo_of, blasting, node_url, view.params.focus)
            continue
        with graph.subgraph(f"cluster_{index}") as cluster:
            cluster.attr(
                label=text(view.taxonomy.groups.get(group, group), LABEL_CHARS),
                style="rounded,filled",
                fillcolor="#f4f6fa",
                color="#d3d9e4",
                fontcolor="#5b6475",
                labeljust="l",
            )
            _nodes(cluster, members, ids, marks, silo_of, blasting, node_url, view.params.focus)

    if compact:
        _fold_sources(graph, groups, ids, view)

    for flow in view.flows:
        classes = ", ".join(DATA_CLASS_LABELS.get(c, c) for c in sorted(flow.data_classes))
        attrs = {
            "tooltip": text(
                f"{flow.source} → {flow.target}: {classes or 'no data classes'} "
                f"({flow.mechanism}, {'managed by IT' if flow.managed_by_it else 'unmanaged'}"
                f"{', inactive' if not flow.active else ''})",
                TOOLTIP_CHARS,
            )
        }
        if engine == "dot" and view.edge_count <= FLOW_LABEL_MAX_LINKS:
            # sfdp spends most of its time placing edge labels; on big views they would be
            # unreadable anyway, so there the classes are in the tooltip only.
            attrs["label"] = text(classes, 60)
        if not flow.managed_by_it:
            attrs.update(style="dashed", color="#c92a2a", fontcolor="#c92a2a")
        if not flow.active:
            attrs.update(style="dotted", color="#9aa3b2", fontcolor="#9aa3b2")
        if flow.source in silo_of and silo_of.get(flow.target) == silo_of[flow.source]:
            attrs.update(penwidth="2.5", color=SILO_COLOUR)
        if blasting:
            if (flow.source, flow.target) in marks.blast_flows:
                attrs.update(penwidth="2.5", color=BLAST_COLOUR, fontcolor=BLAST_COLOUR)
            else:
                attrs.update(color=DIM, fontcolor=DIM)
        graph.edge(ids[flow.source], ids[flow.target], **attrs)

    for dep in view.dependencies:
        attrs = {
            "style": "dotted",
            "color": "#3b5bdb",
            "arrowhead": "empty",
            "fontcolor": "#3b5bdb",
            "penwidth": "1.3",
            "tooltip": text(f"{dep.tool} depends on {dep.depends_on} ({dep.kind})", TOOLTIP_CHARS),
        }
        if view.edge_count <= DEP_LABEL_MAX_LINKS:
            attrs["label"] = text(dep.kind, 20)
        if compact:
            # A dependency does not move data: it should not pull its tools into columns.
            # Safe with newrank only: with the classic ranking, constraint=false next to
            # clusters makes dot 2.43 fail ("trouble in init_rank") on focused demo views.
            attrs["constraint"] = "false"
            if dep.kind == "identity":
                # Everyone signs in through the identity provider: thin, pale lines, so the
                # two dozen of them stay visible without burying the data flows.
                attrs.update(color="#3b5bdb66", penwidth="0.8")
        if blasting:
            if dep.tool in marks.blast_tools and (
                dep.depends_on in marks.blast_tools or dep.depends_on == marks.blast_origin
            ):
                attrs.update(color=BLAST_COLOUR, fontcolor=BLAST_COLOUR, penwidth="2")
            else:
                attrs.update(color=DIM, fontcolor=DIM)
        graph.edge(ids[dep.tool], ids[dep.depends_on], **attrs)
    return graphviz.Digraph("catalog", engine=engine, body=graph.lines)


def _fold_sources(
    graph: _Body, groups: dict[str | None, list[ToolNode]], ids: dict[str, str], view: GraphView
) -> None:
    """Spread each group's source tools (no flow into them) over columns of FOLD_ROWS."""
    fed = {flow.target for flow in view.flows}
    for members in groups.values():
        sources = [ids[tool.slug] for tool in members if tool.slug not in fed]
        for before, after in zip(sources, sources[FOLD_ROWS:], strict=False):
            graph.edge(before, after, style="invis")


def _nodes(
    graph: _Body,
    tools: list[ToolNode],
    ids: dict[str, str],
    marks: Marks,
    silo_of: dict[str, int],
    blasting: bool,
    node_url: t.Callable[[str], str],
    focus: str | None = None,
) -> None:
    for tool in tools:
        tags = []
        if tool.system_of_record:
            tags.append("system of record")
        if tool.slug in marks.customer_data:
            tags.append("● customer data")
        label = text(tool.name or tool.slug, LABEL_CHARS)
        if tags:
            label += r"\n" + " · ".join(tags)
        current = state(tool, marks)
        # The slug, not the name: the name is the label already, and tooltips stay plain text.
        tooltip = " · ".join(
            [f"{tool.slug}: {tool.lifecycle.replace('_', ' ')}"]
            + (["shadow IT"] if current == "shadow" else [])
            + tags
        )
        attrs = {
            # nohtml: a name such as "<b>" must never become an HTML-like label.
            "label": graphviz.nohtml(label),
            "tooltip": text(tooltip, TOOLTIP_CHARS),
            "fillcolor": FILL[current],
            "URL": graphviz.escape(node_url(tool.slug)),
            "target": "_top",
        }
        if tool.system_of_record:
            attrs.update(peripheries="2", penwidth="1.6")
        if tool.slug in silo_of:
            attrs.update(color=SILO_COLOUR, penwidth="3")
        if tool.slug == focus:
            # The tool the view is about: a heavy blue border, and an id the page's script
            # centres the picture on.
            attrs.update(color=FOCUS_COLOUR, penwidth="4", id="focus-node", **{"class": "focus"})
        if blasting:
            if tool.slug == marks.blast_origin:
                attrs.update(color=BLAST_COLOUR, penwidth="4")
            elif tool.slug in marks.blast_tools:
                attrs.update(color=BLAST_COLOUR, penwidth="2.5")
            else:
                attrs.update(fillcolor="#f4f5f7", fontcolor="#9aa3b2", color=DIM)
        graph.node(ids[tool.slug], **attrs)
