"""Which tools and links a graph view shows: exact depth, directions, filters (no app, no DB)."""

from __future__ import annotations

import pytest

from catalog.analysis.neighbourhood import ViewError
from catalog.analysis.neighbourhood import ViewParams
from catalog.analysis.neighbourhood import busiest
from catalog.analysis.neighbourhood import customer_data_holders
from catalog.analysis.neighbourhood import parse_params
from catalog.analysis.neighbourhood import select_view
from catalog.analysis.snapshot import DependencyEdge
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.snapshot import ToolNode


def snap(
    tools: str,
    flows: list[tuple[str, str]] = (),
    deps: list[tuple[str, str]] = (),
    **by_slug: dict[str, object],
) -> Snapshot:
    return Snapshot(
        tools=tuple(ToolNode(slug=s, name=s.upper(), **by_slug.get(s, {})) for s in tools.split()),
        flows=tuple(FlowEdge(a, b) for a, b in flows),
        dependencies=tuple(DependencyEdge(a, b) for a, b in deps),
    )


def shown(snapshot: Snapshot, **params: object) -> list[str]:
    return sorted(t.slug for t in select_view(snapshot, ViewParams(**params)).tools)


CHAIN = snap("a b c d e", [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")])
# a feeds b and c, both feed d; x also feeds c (a sibling of a, not up or down from it).
DIAMOND = snap("a b c d x", [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("x", "c")])


@pytest.mark.parametrize(
    ("focus", "depth", "direction", "expected"),
    [
        ("c", 0, "both", ["c"]),
        ("c", 1, "down", ["c", "d"]),
        ("c", 2, "down", ["c", "d", "e"]),
        ("c", 1, "up", ["b", "c"]),
        ("c", 2, "up", ["a", "b", "c"]),
        ("c", 1, "both", ["b", "c", "d"]),
        ("c", 2, "both", ["a", "b", "c", "d", "e"]),
        ("a", 3, "down", ["a", "b", "c", "d"]),
        ("a", 3, "up", ["a"]),
    ],
)
def test_chain_depth_is_exact(focus: str, depth: int, direction: str, expected: list[str]) -> None:
    assert shown(CHAIN, focus=focus, depth=depth, direction=direction) == expected


def test_chain_hops_and_only_links_among_shown_tools() -> None:
    view = select_view(CHAIN, ViewParams(focus="c", depth=1, direction="both"))
    assert view.hops == {"b": 1, "c": 0, "d": 1}
    assert [(f.source, f.target) for f in view.flows] == [("b", "c"), ("c", "d")]


def test_diamond_counts_shortest_hops_and_leaves_siblings_out() -> None:
    assert shown(DIAMOND, focus="a", depth=1, direction="down") == ["a", "b", "c"]
    view = select_view(DIAMOND, ViewParams(focus="a", depth=2, direction="down"))
    assert view.hops == {"a": 0, "b": 1, "c": 1, "d": 2}
    assert shown(DIAMOND, focus="d", depth=1, direction="up") == ["b", "c", "d"]
    assert shown(DIAMOND, focus="d", depth=2, direction="up") == ["a", "b", "c", "d", "x"]
    # x feeds c, a feeds c: siblings are neither up nor down from a.
    assert "x" not in shown(DIAMOND, focus="a", depth=5, direction="both")
    assert shown(DIAMOND, focus="b", depth=1, direction="both") == ["a", "b", "d"]


def test_focus_walks_dependencies_down_to_what_breaks_and_up_to_what_it_needs() -> None:
    # crm depends on okta; esp depends on crm. crm feeds bi.
    s = snap("okta crm esp bi", [("crm", "bi")], [("crm", "okta"), ("esp", "crm")])
    assert shown(s, focus="okta", depth=1, direction="down") == ["crm", "okta"]
    assert shown(s, focus="okta", depth=2, direction="down") == ["bi", "crm", "esp", "okta"]
    assert shown(s, focus="crm", depth=1, direction="up") == ["crm", "okta"]
    assert shown(s, focus="crm", depth=1, direction="down") == ["bi", "crm", "esp"]
    view = select_view(s, ViewParams(focus="okta", depth=1, direction="down"))
    assert [(d.tool, d.depends_on) for d in view.dependencies] == [("crm", "okta")]


def test_inactive_flows_are_not_walked_but_drawn_between_shown_tools() -> None:
    s = Snapshot(
        tools=(ToolNode("a"), ToolNode("b"), ToolNode("c")),
        flows=(FlowEdge("a", "b", active=False), FlowEdge("a", "c"), FlowEdge("c", "b")),
    )
    view = select_view(s, ViewParams(focus="a", depth=1, direction="down"))
    assert [t.slug for t in view.tools] == ["a", "c"]
    view = select_view(s, ViewParams(focus="a", depth=2, direction="down"))
    assert {(f.source, f.target, f.active) for f in view.flows} == {
        ("a", "b", False),
        ("a", "c", True),
        ("c", "b", True),
    }


def test_data_class_walks_only_flows_carrying_it_and_drops_dependencies() -> None:
    s = Snapshot(
        tools=tuple(ToolNode(x) for x in ("form", "crm", "esp", "bi", "okta", "vault")),
        flows=(
            FlowEdge("form", "crm", frozenset({"contact_pii"})),
            FlowEdge("crm", "esp", frozenset({"contact_pii", "consent"})),
            FlowEdge("crm", "bi", frozenset({"campaign_metrics"})),
        ),
        dependencies=(DependencyEdge("crm", "okta"),),
    )
    view = select_view(
        s, ViewParams(focus="form", depth=5, direction="down", data_class="contact_pii")
    )
    assert [t.slug for t in view.tools] == ["crm", "esp", "form"]
    assert view.dependencies == ()
    s2 = Snapshot(
        tools=s.tools + (ToolNode("lake", data_classes=frozenset({"consent"})),), flows=s.flows
    )
    assert shown(s2, data_class="consent") == ["crm", "esp", "lake"]


def test_filters_combine_and_keep_the_focus() -> None:
    crm = {"category": "crm", "lifecycle": "sanctioned"}
    s = snap(
        "hub crm1 crm2 esp1 esp2",
        [("hub", x) for x in ("crm1", "crm2", "esp1", "esp2")],
        hub={"category": "customer-data-platform", "lifecycle": "sanctioned"},
        crm1=crm,
        crm2={"category": "crm", "lifecycle": "discovered"},
        esp1={"category": "email-marketing", "lifecycle": "discovered"},
        esp2={"category": "email-marketing", "lifecycle": "sanctioned"},
    )
    assert shown(s, group="social-relationships") == ["crm1", "crm2"]
    assert shown(s, group="social-relationships", lifecycle="discovered") == ["crm2"]
    assert shown(s, lifecycle="discovered") == ["crm2", "esp1"]
    view = select_view(
        s, ViewParams(lifecycle="discovered", shadow=True), shadow=frozenset({"esp1", "hub"})
    )
    assert [t.slug for t in view.tools] == ["esp1"]
    assert shown(s, focus="hub", depth=1, group="content-experience") == ["esp1", "esp2", "hub"]
    # Filters hide tools; they never change hop counts (crm1 stays one hop away).
    view = select_view(s, ViewParams(focus="hub", depth=1, lifecycle="sanctioned"))
    assert view.hops == {"crm1": 1, "esp2": 1, "hub": 0}
    assert [(f.source, f.target) for f in view.flows] == [("hub", "crm1"), ("hub", "esp2")]


def test_unknown_focus_is_an_error_naming_it() -> None:
    with pytest.raises(ViewError) as info:
        select_view(CHAIN, ViewParams(focus="nope"))
    assert info.value.field == "focus"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"depth": "-1"}, "depth"),
        ({"depth": "x"}, "depth"),
        ({"depth": "11"}, "depth"),
        ({"depth": "1.5"}, "depth"),
        ({"direction": "sideways"}, "direction"),
        ({"data_class": "dna"}, "data_class"),
        ({"group": "crm"}, "group"),
        ({"lifecycle": "live"}, "lifecycle"),
    ],
)
def test_parse_params_rejects_bad_values_naming_the_parameter(
    args: dict[str, str], field: str
) -> None:
    with pytest.raises(ViewError) as info:
        parse_params(args, data_classes={"contact_pii"}, groups={"data"}, lifecycles={"sanctioned"})
    assert info.value.field == field


def test_parse_params_reads_every_control() -> None:
    params = parse_params(
        {
            "focus": "crm",
            "depth": "3",
            "direction": "up",
            "data_class": "contact_pii",
            "group": "data",
            "lifecycle": "sanctioned",
            "shadow": "1",
            "silos": "on",
            "blast": "okta",
        },
        data_classes={"contact_pii"},
        groups={"data"},
        lifecycles={"sanctioned"},
    )
    assert params == ViewParams(
        "crm", 3, "up", "contact_pii", "data", "sanctioned", True, True, "okta"
    )
    assert parse_params({}, data_classes=(), groups=(), lifecycles=()) == ViewParams()


def test_customer_data_holders_include_tools_fed_personal_data() -> None:
    s = Snapshot(
        tools=(
            ToolNode("crm", data_classes=frozenset({"contact_pii"})),
            ToolNode("esp"),
            ToolNode("bi"),
            ToolNode("old"),
            ToolNode("anon"),
        ),
        flows=(
            FlowEdge("crm", "esp", frozenset({"contact_pii"})),
            FlowEdge("crm", "bi", frozenset({"campaign_metrics"})),
            FlowEdge("crm", "old", frozenset({"contact_pii"}), active=False),
            FlowEdge("crm", "anon", frozenset({"behavioral"}), anonymized=True),
        ),
    )
    assert customer_data_holders(s) == {"crm", "esp"}


def test_busiest_ranks_by_links() -> None:
    view = select_view(DIAMOND, ViewParams())
    assert busiest(view, limit=2) == ["c", "a"]
