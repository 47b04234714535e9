"""Render the dependency graph: pick the view, lay it out with graphviz under a hard timeout, cache.

The python graphviz package has no timeout, and `dot` can run for minutes on a large stack
(reference notes 2.2: 1,000 nodes did not finish in 120 s; sfdp takes 0.3 s), so the layout runs
in a real subprocess that is killed on timeout, with `dot` for small views and `sfdp` above
`GRAPH_DOT_MAX_NODES`. Rendered output is cached by (catalog version, view, format, day).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import os
import subprocess
import threading
import time
import typing as t
from collections import OrderedDict
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
from catalog.services.snapshot import catalog_version
from catalog.services.snapshot import load_snapshot

log = logging.getLogger(__name__)

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
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


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


class RenderCache:
    """A bounded, thread-safe LRU of rendered views (by entry count and by total bytes)."""

    def __init__(self, max_entries: int = 64, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[t.Any, ...], Rendered] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._analysis: tuple[tuple[str, date], Snapshot, Marks] | None = None
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[t.Any, ...]) -> Rendered | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: tuple[t.Any, ...], item: Rendered) -> None:
        size = len(item.content or b"")
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.content or b"")
            self._items[key] = item
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.content or b"")

    def clear(self) -> None:
        """Drop every rendering (the catalog analysis stays: it is keyed by version)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def analysis(
        self, version: str, as_of: date, load: t.Callable[[], Snapshot]
    ) -> tuple[Snapshot, Marks]:
        """Return the snapshot and catalog marks of this version, computing them once.

        Only the latest version is kept: every view of an unchanged catalog shares one audit.
        """
        with self._lock:
            latest = self._analysis
        if latest is not None and latest[0] == (version, as_of):
            return latest[1], latest[2]
        snapshot = load()
        marks = catalog_marks(snapshot, as_of)
        if snapshot.version == version:  # a write between the two queries: don't keep it
            with self._lock:
                self._analysis = ((version, as_of), snapshot, marks)
        return snapshot, marks

    def __len__(self) -> int:
        return len(self._items)


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


# Per format: the idle process and the pid of the process that started it (a forked worker
# must not share its parent's spare).
_spares: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
_spares_lock = threading.Lock()


def _spawn(command: list[str]) -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError:
        log.exception("graphviz could not be started")
        return None


def _take_spare(fmt: str) -> subprocess.Popen[bytes] | None:
    with _spares_lock:
        owner, spare = _spares.pop(fmt, (0, None))
    if spare is None or owner != os.getpid() or spare.poll() is not None:
        return None
    return spare


def _refill(fmt: str) -> None:
    with _spares_lock:
        if fmt in _spares:
            return
        spare = _spawn(["dot", f"-T{fmt}"])
        if spare is not None:
            _spares[fmt] = (os.getpid(), spare)


class Graphviz:
    """One graphviz run, with its process started before the DOT source is ready.

    Starting `dot` (exec, libraries, plugin configuration) takes about 9 ms, as long as the
    whole page's own work for a small view. So one idle `dot -Tsvg` waits for the next page's
    source, and a new one is started once that page's layout is done (it exits on end of input
    when this process goes away). The engine comes from the source's `layout` attribute, so a
    spare need not know the view's size. Call `run` once, or `close` to discard the process.
    """

    def __init__(self, fmt: str, engine: str | None = None) -> None:
        self._fmt = fmt
        self._pooled = fmt == "svg" and engine is None
        spare = _take_spare(fmt) if self._pooled else None
        # -K is only the default: a `layout` attribute in the source takes precedence.
        self._process = spare or _spawn(["dot", f"-T{fmt}"] + ([f"-K{engine}"] if engine else []))

    def run(self, source: str, timeout: float) -> tuple[bytes | None, bool]:
        """Lay out `source`; return (output, timed_out). Output None means it failed."""
        process, self._process = self._process, None
        if process is None:
            return None, False
        try:
            stdout, stderr = process.communicate(source.encode("utf-8"), timeout=timeout)
            if self._pooled:
                _refill(self._fmt)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()  # reap it: no zombie, no open pipes
            return None, True
        except BaseException:
            process.kill()
            process.communicate()
            raise
        if process.returncode != 0:
            # Never shown to users: dot's messages can reveal server details (reference 1.3 a).
            log.warning("graphviz exited %s: %s", process.returncode, stderr[:2000])
            return None, False
        return stdout, False

    def close(self) -> None:
        """Stop the process if `run` never used it."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.communicate()


def layout(source: str, fmt: str, engine: str, timeout: float) -> tuple[bytes | None, bool]:
    """Run graphviz on DOT source; return (output, timed_out). Output None means it failed.

    `engine` lays out a source that names none (its own `layout` attribute wins).
    """
    return Graphviz(fmt, engine).run(source, timeout)


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
    cache: RenderCache,
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
    cached = cache.get(key)
    if cached is not None:
        return cached
    snapshot, base = cache.analysis(key[0], as_of, lambda: load_snapshot(session))
    if fmt not in LAID_OUT:
        result = render_snapshot(
            snapshot,
            params,
            fmt,
            node_url=node_url,
            timeout=timeout,
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
        source = cache.get(dot_key)
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
    timeout: float = 10.0,
    dot_max_nodes: int = 200,
    as_of: date | None = None,
    base: Marks | None = None,
) -> Rendered:
    """Select, mark and render one view of a snapshot (no cache)."""
    as_of = as_of or date.today()
    if params.blast and params.blast not in {tool.slug for tool in snapshot.tools}:
        raise ViewError("blast", f"no tool {params.blast[:80]!r}")
    marks = marks_for(snapshot, params, as_of, base)
    view = select_view(snapshot, params, shadow=marks.shadow)
    engine = engine_for(view, dot_max_nodes)
    if fmt == "csv":
        return Rendered(view, marks, fmt, engine, edge_csv(view).encode("utf-8"))
    source = to_dot(view, node_url=node_url, marks=marks, engine=engine).source
    dot = Rendered(view, marks, "dot", engine, source.encode("utf-8"))
    return dot if fmt == "dot" else lay_out(dot, fmt, timeout=timeout, node_url=node_url)


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


def defuse(cell: str) -> str:
    """Return a CSV cell that spreadsheets will not evaluate as a formula (ASVS 1.2.10)."""
    return "'" + cell if cell.startswith(_FORMULA_TRIGGERS) else cell


def edge_rows(view: GraphView) -> list[tuple[str, ...]]:
    """Return the view's links as table rows in CSV_HEADER order (flows, then dependencies)."""
    rows = [
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
