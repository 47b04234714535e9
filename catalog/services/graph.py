"""Render the dependency graph: pick the view, lay it out with graphviz under a hard timeout, cache.

The layout runs in a graphviz subprocess killed on timeout (catalog.services.graphviz_pool), with
`dot` for small views and `sfdp` above `GRAPH_DOT_MAX_NODES`. Rendered output is kept in the
app's "graph.render" cache region by (catalog version, view, format, day), and the snapshot and
its marks in the "snapshot" and "graph.marks" regions (catalog.services.caches).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import threading
import time
import typing as t
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from catalog.analysis.audit import run_audit
from catalog.analysis.impact import blast_radius
from catalog.analysis.neighbourhood import GraphView
from catalog.analysis.neighbourhood import Marks
from catalog.analysis.neighbourhood import ViewError
from catalog.analysis.neighbourhood import ViewParams
from catalog.analysis.neighbourhood import customer_data_holders
from catalog.analysis.neighbourhood import select_view
from catalog.analysis.render import to_dot
from catalog.analysis.snapshot import Snapshot
from catalog.services import caches
from catalog.services.csv_cells import defuse_cell as defuse
from catalog.services.graphviz_pool import Graphviz
from catalog.services.graphviz_pool import layout
from catalog.services.snapshot import catalog_version
from catalog.services.snapshot import current_snapshot

FORMATS = ("svg", "png", "dot", "csv")
LAID_OUT = frozenset({"svg", "png"})
CSV_HEADER = (
    "source",
    "target",
    "kind",
    "data_classes",
    "mechanism",
    "managed",
    "active",
    "dependency_kind",
)


@dataclass(frozen=True)
class Rendered:
    """One rendered view; `content` is None when the layout timed out or failed."""

    view: GraphView
    marks: Marks
    fmt: str
    engine: str
    content: bytes | None
    timed_out: bool = False
    failed: bool = False
    seconds: float = 0.0

    @property
    def cache_bytes(self) -> int:
        """What this rendering counts against the render region's byte budget."""
        return len(self.content or b"")


def render_region(store: caches.CatalogCaches | None = None) -> caches.Region:
    """Return the region of rendered views, bounded by entry count and by total bytes."""
    return (store or caches.current()).region("graph.render")


def analysis(session: Session, version: str, as_of: date) -> tuple[Snapshot, Marks]:
    """Return the snapshot and catalog marks of this version, computing them once.

    Every view of an unchanged catalog shares one snapshot and one audit.
    """
    snapshot = current_snapshot(session, version)
    if snapshot.version != version:  # a write between the two reads: don't keep the marks
        return snapshot, catalog_marks(snapshot, as_of)
    marks = caches.current().cached(
        "graph.marks", version, as_of, lambda: catalog_marks(snapshot, as_of)
    )
    return snapshot, marks


def catalog_marks(snapshot: Snapshot, as_of: date) -> Marks:
    """Return the marks that depend only on the catalog: shadow tools, customer data, silos."""
    result = run_audit(snapshot, as_of)
    return Marks(
        shadow=frozenset(s.tool for s in result.shadow),
        customer_data=customer_data_holders(snapshot),
        silos=tuple(frozenset(s.tools) for s in result.silos),
    )


def marks_for(
    snapshot: Snapshot, params: ViewParams, as_of: date, base: Marks | None = None
) -> Marks:
    """Return the governance marks the picture shows, from the audit's own rules."""
    base = base or catalog_marks(snapshot, as_of)
    blast = blast_radius(snapshot, params.blast) if params.blast else None
    return dataclasses.replace(
        base,
        silos=base.silos if params.silos else (),
        blast_origin=params.blast,
        blast_tools=frozenset(blast.tools) if blast else frozenset(),
        blast_flows=frozenset((f.source, f.target) for f in blast.flows) if blast else frozenset(),
    )


def engine_for(view: GraphView, dot_max_nodes: int) -> str:
    """Return `dot` for views it lays out quickly, `sfdp` for larger ones."""
    return "dot" if len(view.tools) <= dot_max_nodes else "sfdp"


def cache_key(
    session: Session,
    params: ViewParams,
    fmt: str,
    *,
    node_url: t.Callable[[str], str],
    as_of: date,
    version: str | None = None,
) -> tuple[t.Any, ...]:
    """Return the cache key of one rendering: it changes whenever the catalog changes."""
    # node_url is part of the key: the same view served under another prefix links elsewhere.
    version = version if version is not None else catalog_version(session)
    return (version, params.key(), fmt, as_of, node_url("x"))


def render(
    session: Session,
    params: ViewParams,
    fmt: str,
    *,
    node_url: t.Callable[[str], str],
    timeout: float = 10.0,
    dot_max_nodes: int = 200,
    as_of: date | None = None,
    version: str | None = None,
    meanwhile: t.Callable[[Rendered], None] | None = None,
) -> Rendered:
    """Return the view `params` asks for in `fmt`, from the cache when the catalog is unchanged.

    `version` is the catalog_version() the caller already read, if any (one query less).
    `meanwhile(dot)` runs on this thread while graphviz lays the view out (not on a cache hit).
    Raises ViewError (from select_view) for an unknown focus or blast tool.
    """
    as_of = as_of or date.today()
    key = cache_key(session, params, fmt, node_url=node_url, as_of=as_of, version=version)
    caches.current().check(key[0])
    cache = render_region()
    cached: Rendered | None = cache.get(key)
    if cached is not None:
        return cached
    snapshot, base = analysis(session, key[0], as_of)
    if fmt not in LAID_OUT:
        result = render_snapshot(
            snapshot,
            params,
            fmt,
            node_url=node_url,
            dot_max_nodes=dot_max_nodes,
            as_of=as_of,
            base=base,
        )
        cache.put(key, result)
        return result
    # The page, its SVG and PNG downloads and the DOT download all start from one DOT source.
    graphviz_run = Graphviz(fmt)  # loads while the DOT is written
    try:
        dot_key = (*key[:2], "dot", *key[3:])
        source: Rendered | None = cache.get(dot_key)
        if source is None:
            source = render_snapshot(
                snapshot,
                params,
                "dot",
                node_url=node_url,
                dot_max_nodes=dot_max_nodes,
                as_of=as_of,
                base=base,
            )
            cache.put(dot_key, source)
        result = lay_out(
            source,
            fmt,
            timeout=timeout,
            node_url=node_url,
            meanwhile=meanwhile,
            graphviz_run=graphviz_run,
        )
    finally:
        graphviz_run.close()
    cache.put(key, result)
    return result


def render_snapshot(
    snapshot: Snapshot,
    params: ViewParams,
    fmt: str,
    *,
    node_url: t.Callable[[str], str],
    dot_max_nodes: int,
    as_of: date,
    base: Marks | None,
) -> Rendered:
    """Select and mark one view of a snapshot and write it as csv or dot (no layout, no cache)."""
    if params.blast and params.blast not in {tool.slug for tool in snapshot.tools}:
        raise ViewError("blast", f"no tool {params.blast[:80]!r}")
    marks = marks_for(snapshot, params, as_of, base)
    view = select_view(snapshot, params, shadow=marks.shadow)
    engine = engine_for(view, dot_max_nodes)
    if fmt == "csv":
        return Rendered(view, marks, fmt, engine, edge_csv(view).encode("utf-8"))
    source = to_dot(view, node_url=node_url, marks=marks, engine=engine).source
    return Rendered(view, marks, "dot", engine, source.encode("utf-8"))


def lay_out(
    dot: Rendered,
    fmt: str,
    *,
    timeout: float,
    node_url: t.Callable[[str], str],
    meanwhile: t.Callable[[Rendered], None] | None = None,
    graphviz_run: Graphviz | None = None,
) -> Rendered:
    """Return the DOT rendering `dot` laid out by graphviz in `fmt` (svg or png).

    `graphviz_run` is a process already started for `fmt` (one is started if not).
    """
    started = time.perf_counter()
    source = (dot.content or b"").decode("utf-8")
    run = graphviz_run or Graphviz(fmt)
    if meanwhile is None:
        content, timed_out = run.run(source, timeout)
    else:
        # The page's own work (its template) overlaps the layout: waiting for dot is most of a
        # small view's time, and the wait releases the GIL.
        done: list[tuple[bytes | None, bool]] = []
        worker = threading.Thread(target=lambda: done.append(run.run(source, timeout)), daemon=True)
        worker.start()
        try:
            meanwhile(dot)
        finally:
            worker.join()
        content, timed_out = done[0] if done else (None, False)
    run.close()  # only if the worker never got to it
    if content is None and not timed_out and dot.engine == "dot":
        # dot 2.43 has cluster bugs ("trouble in init_rank"); the picture without the group
        # boxes is better than none.
        source = to_dot(
            dot.view, node_url=node_url, marks=dot.marks, engine=dot.engine, clusters=False
        ).source
        remaining = max(timeout - (time.perf_counter() - started), 0.1)
        content, timed_out = layout(source, fmt, dot.engine, remaining)
    return Rendered(
        dot.view,
        dot.marks,
        fmt,
        dot.engine,
        content,
        timed_out=timed_out,
        failed=content is None and not timed_out,
        seconds=time.perf_counter() - started,
    )


def edge_rows(view: GraphView) -> list[tuple[str, ...]]:
    """Return the view's links as table rows in CSV_HEADER order (flows, then dependencies)."""
    rows: list[tuple[str, ...]] = [
        (
            f.source,
            f.target,
            "flow",
            ";".join(sorted(f.data_classes)),
            f.mechanism,
            "yes" if f.managed_by_it else "no",
            "yes" if f.active else "no",
            "",
        )
        for f in view.flows
    ]
    rows += [
        (d.tool, d.depends_on, "dependency", "", "", "", "yes", d.kind) for d in view.dependencies
    ]
    return rows


def edge_csv(view: GraphView) -> str:
    """Return the view's edge list as CSV with formula triggers defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in edge_rows(view):
        writer.writerow([defuse(cell) for cell in row])
    return out.getvalue()


def inline_svg(content: bytes) -> str:
    """Return graphviz SVG ready to inline in HTML: no XML prolog, DOCTYPE or comments before it."""
    text = content.decode("utf-8")
    return text[text.index("<svg") :] if "<svg" in text else ""
