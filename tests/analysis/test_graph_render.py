"""DOT built from a view: surrogate ids, clusters, marks, hostile names through real `dot`."""

from __future__ import annotations

import re
import subprocess

import pytest

from catalog.analysis.neighbourhood import Marks
from catalog.analysis.neighbourhood import ViewParams
from catalog.analysis.neighbourhood import select_view
from catalog.analysis.render import to_dot
from catalog.analysis.snapshot import DependencyEdge
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.snapshot import ToolNode
from tests.svg_checks import HOSTILE as HOSTILE_TEXT
from tests.svg_checks import assert_safe_svg

HOSTILE = [*HOSTILE_TEXT, "x" * 5000]


def url(slug: str) -> str:
    return f"/tools/{slug}"


def dot_svg(source: str, engine: str = "dot") -> tuple[bytes, bytes]:
    done = subprocess.run(
        ["dot", "-Tsvg", f"-K{engine}"],
        input=source.encode(),
        capture_output=True,
        timeout=60,
        check=True,
    )
    return done.stdout, done.stderr


def attrs(source: str, stmt: str) -> str:
    """Return the attribute list of one node or edge statement in DOT source."""
    match = re.search(rf"^\s*{re.escape(stmt)} \[(.*)\]$", source, re.M)
    assert match, stmt
    return match.group(1)


def test_nodes_have_surrogate_ids_clusters_and_marks() -> None:
    snapshot = Snapshot(
        tools=(
            ToolNode(
                "crm",
                "Salesforce",
                category="crm",
                lifecycle="sanctioned",
                system_of_record=True,
                data_classes=frozenset({"contact_pii"}),
            ),
            ToolNode("esp", "Mailchimp", category="email-marketing", lifecycle="discovered"),
            ToolNode("okta", "Okta", category="identity-access", lifecycle="deprecated"),
            ToolNode("loose", "No category"),
        ),
        flows=(
            FlowEdge("crm", "esp", frozenset({"contact_pii", "consent"}), managed_by_it=False),
            FlowEdge("esp", "crm", frozenset({"behavioral"}), managed_by_it=True),
        ),
        dependencies=(DependencyEdge("crm", "okta", "identity"),),
    )
    view = select_view(snapshot, ViewParams())
    marks = Marks(shadow=frozenset({"esp"}), customer_data=frozenset({"crm", "esp"}))
    source = to_dot(view, node_url=url, marks=marks).source
    for name in ("Salesforce", "Mailchimp", "Okta"):
        assert not re.search(rf"^\s*{name}\b", source, re.M)  # names are labels, never ids
    ids = {tool.slug: f"n{i}" for i, tool in enumerate(view.tools, start=1)}
    crm = attrs(source, ids["crm"])
    assert "peripheries=2" in crm and 'URL="/tools/crm"' in crm
    assert 'label="Salesforce\\nsystem of record · ● customer data"' in crm
    assert 'fillcolor="#cdebd8"' in crm  # sanctioned
    assert 'tooltip="crm: sanctioned · system of record · ● customer data"' in crm
    assert 'fillcolor="#f8c9c4"' in attrs(source, ids["esp"])  # shadow
    assert 'fillcolor="#e3e6eb"' in attrs(source, ids["okta"])  # deprecated
    assert 'fillcolor="#fbe8b6"' in attrs(source, ids["loose"])  # requested
    assert source.count("subgraph cluster_") == 3  # Social, Content, Management; loose outside
    assert 'label="Social & Relationships"' in source
    unmanaged = attrs(source, f"{ids['crm']} -> {ids['esp']}")
    assert 'label="Consent, Contact PII"' in unmanaged
    assert "style=dashed" in unmanaged and 'color="#c92a2a"' in unmanaged
    managed = attrs(source, f"{ids['esp']} -> {ids['crm']}")
    assert "dashed" not in managed
    dependency = attrs(source, f"{ids['crm']} -> {ids['okta']}")
    assert "style=dotted" in dependency and "arrowhead=empty" in dependency
    assert "label=identity" in dependency
    assert "record" not in re.findall(r"shape=(\w+)", source)
    svg, _ = dot_svg(source)
    assert_safe_svg(svg)
    assert svg.count(b'xlink:href="/tools/') == 4


def test_silos_and_blast_radius_are_highlighted() -> None:
    snapshot = Snapshot(
        tools=(ToolNode("a"), ToolNode("b"), ToolNode("c"), ToolNode("d")),
        flows=(FlowEdge("a", "b"), FlowEdge("b", "c"), FlowEdge("c", "d")),
    )
    view = select_view(snapshot, ViewParams())
    source = to_dot(view, node_url=url, marks=Marks(silos=(frozenset({"c", "d"}),))).source
    assert 'color="#e8590c"' in attrs(source, "n3") and "penwidth=3" in attrs(source, "n3")
    assert 'color="#e8590c"' in attrs(source, "n3 -> n4")
    assert "#e8590c" not in attrs(source, "n1") + attrs(source, "n2 -> n3")
    marks = Marks(
        blast_origin="b",
        blast_tools=frozenset({"c", "d"}),
        blast_flows=frozenset({("b", "c"), ("c", "d")}),
    )
    source = to_dot(view, node_url=url, marks=marks).source
    assert 'color="#7b2cbf"' in attrs(source, "n2") and "penwidth=4" in attrs(source, "n2")
    assert 'color="#7b2cbf"' in attrs(source, "n4") and "penwidth=2.5" in attrs(source, "n4")
    assert 'fontcolor="#9aa3b2"' in attrs(source, "n1")  # outside the radius: greyed
    assert 'color="#c5cad3"' in attrs(source, "n1 -> n2")
    assert 'color="#7b2cbf"' in attrs(source, "n2 -> n3")


@pytest.mark.parametrize("engine", ["dot", "sfdp"])
def test_hostile_names_render_literally_with_real_graphviz(engine: str) -> None:
    tools = tuple(
        ToolNode(f"t{i}", name, category="crm", data_classes=frozenset({"contact_pii"}))
        for i, name in enumerate(HOSTILE)
    )
    flows = tuple(
        FlowEdge(f"t{i}", f"t{i + 1}", frozenset({"contact_pii"})) for i in range(len(HOSTILE) - 1)
    )
    view = select_view(Snapshot(tools=tools, flows=flows), ViewParams())
    source = to_dot(view, node_url=url, engine=engine).source
    svg, stderr = dot_svg(source, engine)
    assert b"syntax error" not in stderr and b"passwd" not in stderr
    root = assert_safe_svg(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    nodes = root.findall(".//svg:g[@class='node']", ns)
    assert len(nodes) == len(HOSTILE)  # nothing injected, nothing lost
    texts = [" ".join(t.text or "" for t in g.iterfind(".//svg:text", ns)) for g in nodes]
    assert any("<script>alert(1)</script>" in t for t in texts)
    assert any(r"a \N \G \L" in t for t in texts)  # escapes were not expanded
    assert any("ends with \\" in t for t in texts)
    assert any('Evil" color=red' in t for t in texts)
    assert any(t.startswith("<x> ] ; injected [label=<<b>pwn</b>>") for t in texts)
    assert any(t.startswith('<<TABLE><TR><TD><IMG SRC="/etc/passwd"') for t in texts)
    assert any(t.startswith("x" * 39 + "…") for t in texts)  # long names are shortened


def test_the_focused_tool_is_marked_for_the_page_to_centre_on() -> None:
    snapshot = Snapshot(
        tools=(ToolNode("a", name="A"), ToolNode("b", name="B")), flows=(FlowEdge("a", "b"),)
    )
    view = select_view(snapshot, ViewParams(focus="b", depth=1))
    source = to_dot(view, node_url=url).source
    b_id = "n2" if view.tools[1].slug == "b" else "n1"
    assert 'id="focus-node"' in attrs(source, b_id) and "#1d4ed8" in attrs(source, b_id)
    assert source.count("focus-node") == 1
    svg, _ = dot_svg(source)
    root = assert_safe_svg(svg)
    focused = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == "focus-node"]
    assert len(focused) == 1 and "focus" in (focused[0].get("class") or "")
