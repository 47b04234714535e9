"""Layout of the graph: the compact whole-stack DOT, and every demo view through real `dot`."""

from __future__ import annotations

import re
import typing as t
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from catalog import taxonomy
from catalog import vocab
from catalog.analysis.neighbourhood import ViewParams
from catalog.analysis.neighbourhood import select_view
from catalog.analysis.render import COMPACT_TOOLS
from catalog.analysis.render import FOLD_ROWS
from catalog.analysis.render import to_dot
from catalog.analysis.snapshot import DependencyEdge
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.snapshot import ToolNode
from catalog.cli import main as cli_main
from catalog.extensions import db
from catalog.services import graph as graph_service
from catalog.services import graphviz_pool
from catalog.services.snapshot import load_snapshot
from tests.conftest import make_app


def url(slug: str) -> str:
    return f"/tools/{slug}"


def stack(sources: int, *, flows_each: int = 1) -> Snapshot:
    """Return `sources` CRM tools feeding one hub, each signing in through Okta."""
    tools = [ToolNode(f"s{i:02d}", f"Source {i:02d}", category="crm") for i in range(sources)]
    tools += [
        ToolNode("hub", "Hub", category="customer-data-platform"),
        ToolNode("okta", "Okta", category="identity-access"),
    ]
    flows = [
        FlowEdge(f"s{i:02d}", "hub", frozenset({"contact_pii"}), mechanism=f"m{k}")
        for i in range(sources)
        for k in range(flows_each)
    ]
    deps = [DependencyEdge(f"s{i:02d}", "okta", "identity") for i in range(sources)]
    deps.append(DependencyEdge("hub", "okta", "data"))
    return Snapshot(tools=tuple(tools), flows=tuple(flows), dependencies=tuple(deps))


def statements(source: str, pattern: str) -> list[str]:
    return re.findall(rf"^\s*{pattern}.*$", source, re.M)


def test_the_whole_stack_folds_sources_into_columns_and_frees_dependencies() -> None:
    view = select_view(stack(COMPACT_TOOLS), ViewParams())
    source = to_dot(view, node_url=url).source
    assert "newrank=true" in source and "nodesep=0.15" in source
    ids = {tool.slug: f"n{i}" for i, tool in enumerate(view.tools, start=1)}
    sources = [ids[f"s{i:02d}"] for i in range(COMPACT_TOOLS)]
    folds = statements(source, r"n\d+ -> n\d+ \[style=invis\]")
    # Source i sits left of source i + FOLD_ROWS: columns of FOLD_ROWS tools.
    assert [f.split()[0] + " " + f.split()[2] for f in folds] == [
        f"{a} {b}" for a, b in zip(sources, sources[FOLD_ROWS:], strict=False)
    ]
    identity = statements(source, rf"{sources[0]} -> {ids['okta']} ")
    assert len(identity) == 1
    assert "constraint=false" in identity[0] and 'color="#3b5bdb66"' in identity[0]
    assert "penwidth=0.8" in identity[0]
    data_dep = statements(source, rf"{ids['hub']} -> {ids['okta']} ")[0]
    assert "constraint=false" in data_dep and 'color="#3b5bdb"' in data_dep
    flow = statements(source, rf"{sources[0]} -> {ids['hub']} ")[0]
    assert "label=" in flow  # 41 links: data classes still written on the flows
    crowded = to_dot(
        select_view(stack(COMPACT_TOOLS, flows_each=3), ViewParams()), node_url=url
    ).source
    flow = statements(crowded, rf"{sources[0]} -> {ids['hub']} ")[0]
    assert "label=" not in flow and 'tooltip="s00 → hub: Contact PII' in flow


def test_small_views_keep_the_hierarchy_dependencies_included() -> None:
    view = select_view(stack(COMPACT_TOOLS - 3), ViewParams())
    source = to_dot(view, node_url=url).source
    assert "newrank" not in source and "invis" not in source
    assert "constraint=false" not in source  # what a tool relies on sits to its right
    assert "nodesep=0.25" in source and "label=identity" in source


def test_big_views_for_sfdp_are_not_folded() -> None:
    source = to_dot(select_view(stack(30), ViewParams()), node_url=url, engine="sfdp").source
    assert "newrank" not in source and "invis" not in source and "subgraph" not in source


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Snapshot]:
    app = make_app(Path(tmp_path_factory.mktemp("demo")))
    result = app.test_cli_runner().invoke(cli_main, ["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        snapshot = load_snapshot(db.session)
        db.engine.dispose()
    yield snapshot


def lay_out(
    snapshot: Snapshot, params: ViewParams, base: graph_service.Marks | None = None
) -> tuple[str, bytes | None, int]:
    """Return (what, SVG from one real dot run with the group boxes, groups in the view)."""
    marks = graph_service.marks_for(snapshot, params, date.today(), base)
    view = select_view(snapshot, params, shadow=marks.shadow)
    source = to_dot(view, node_url=url, marks=marks).source
    svg, _ = graph_service.layout(source, "svg", "dot", 60)
    groups = {taxonomy.group_of(tool.category) for tool in view.tools if tool.category}
    return repr(params), svg, len(groups)


def test_the_demo_whole_stack_is_landscape_with_its_groups(demo: Snapshot) -> None:
    _, svg, groups = lay_out(demo, ViewParams())
    assert svg is not None and groups == 6
    width, height = map(int, re.search(rb'width="(\d+)pt" height="(\d+)pt"', svg).groups())
    # Before the compact layout: 1905 x 2706 pt, unreadable when fitted to a window.
    assert width > height
    assert svg.count(b'class="cluster"') == 6


def test_every_demo_view_renders_with_its_group_boxes(demo: Snapshot) -> None:
    """No view of the demo may hit dot 2.43's "trouble in init_rank" (which drops the boxes)."""
    slugs = [tool.slug for tool in demo.tools]
    params = [ViewParams(), ViewParams(silos=True), ViewParams(shadow=True)]
    params += [ViewParams(data_class=key) for key in vocab.DATA_CLASSES]
    params += [ViewParams(group=key) for key in taxonomy.GROUPS]
    params += [ViewParams(lifecycle=key) for key in vocab.LIFECYCLES]
    params += [
        ViewParams(focus=slug, depth=depth, direction=direction)
        for slug in slugs
        for depth, direction in ((2, "both"), (3, "both"), (10, "both"), (2, "up"), (2, "down"))
    ]
    params += [ViewParams(blast=slug, silos=True) for slug in slugs[::5]]
    base = graph_service.catalog_marks(demo, date.today())
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: lay_out(demo, p, base), params))
    failed = [what for what, svg, _ in results if svg is None]
    assert failed == []
    boxless = [
        what
        for what, svg, groups in results
        if svg is not None and svg.count(b'class="cluster"') != groups
    ]
    assert boxless == []
    assert len(results) > 250


def test_the_dot_source_names_its_engine_so_a_download_lays_out_like_the_page() -> None:
    view = select_view(stack(3), ViewParams())
    assert " layout=sfdp " in to_dot(view, node_url=url, engine="sfdp").source
    source = to_dot(view, node_url=url).source
    assert " layout=dot " in source
    # The source lays out under any -K default (its own layout attribute takes precedence).
    svg, timed_out = graph_service.layout(source, "svg", "neato", 60)
    assert not timed_out and svg is not None and b"<svg" in svg


def test_a_spare_graphviz_process_that_died_is_replaced(demo: Snapshot) -> None:
    source = to_dot(select_view(demo, ViewParams(focus="segment")), node_url=url).source
    first = graphviz_pool.Graphviz("svg")
    assert first.run(source, 60)[0] is not None  # leaves a spare behind for the next view
    owner, spare = graphviz_pool._spares["svg"]
    spare.kill()
    spare.wait()
    svg, timed_out = graphviz_pool.Graphviz("svg").run(source, 60)
    assert not timed_out and svg is not None and b"segment" in svg
    assert graphviz_pool._spares["svg"][1].poll() is None  # a live spare again
