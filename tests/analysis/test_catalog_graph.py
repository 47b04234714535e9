"""The one networkx graph per snapshot, and the taxonomy each snapshot carries."""

from __future__ import annotations

import dataclasses

from catalog import taxonomy as live_taxonomy
from catalog.analysis.graph import catalog_graph
from catalog.analysis.impact import blast_radius
from catalog.analysis.neighbourhood import ViewParams
from catalog.analysis.neighbourhood import select_view
from catalog.analysis.render import to_dot
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.taxonomy import SHIPPED
from catalog.analysis.taxonomy import Category
from catalog.analysis.taxonomy import Taxonomy
from tests.analysis.helpers import audit
from tests.analysis.helpers import dep
from tests.analysis.helpers import finding
from tests.analysis.helpers import flow
from tests.analysis.helpers import rules_for
from tests.analysis.helpers import tool

CRM = tool("crm", system_of_record=True, category="crm")


def test_the_graph_is_built_once_per_snapshot_and_never_shared_between_two() -> None:
    chain = Snapshot(
        tools=(CRM, tool("esp"), tool("bi")),
        flows=(flow("crm", "esp"), flow("esp", "bi")),
        version="same",
    )
    assert catalog_graph(chain) is catalog_graph(chain)
    # Same version string, other flows: a cache keyed by version would answer for the first.
    star = dataclasses.replace(chain, flows=(flow("crm", "esp"), flow("crm", "bi")))
    assert catalog_graph(star) is not catalog_graph(chain)
    assert blast_radius(chain, "esp").tools == ("bi",)
    assert blast_radius(star, "esp").tools == ()
    assert "SINGLE_POINT_OF_FAILURE" in rules_for(audit(chain), "esp")
    assert "SINGLE_POINT_OF_FAILURE" in rules_for(audit(star), "crm")
    assert "SINGLE_POINT_OF_FAILURE" not in rules_for(audit(star), "esp")


def test_edges_point_the_way_impact_travels() -> None:
    snapshot = Snapshot(
        tools=(CRM, tool("esp"), tool("sso")),
        flows=(flow("crm", "esp"), flow("esp", "crm", active=False)),
        dependencies=(dep("crm", "sso"),),
    )
    G = catalog_graph(snapshot)
    assert sorted(G.edges) == [("crm", "esp"), ("sso", "crm")]  # inactive flow left out
    assert G["crm"]["esp"] == {"flow": True}
    assert G["sso"]["crm"] == {"dependency": True}


def test_an_edge_carries_both_kinds_once_however_many_records() -> None:
    snapshot = Snapshot(
        tools=(CRM, tool("esp")),
        flows=(flow("crm", "esp"), flow("crm", "esp", mechanism="webhook")),
        dependencies=(dep("esp", "crm"),),
    )
    assert list(catalog_graph(snapshot).edges(data=True)) == [
        ("crm", "esp", {"flow": True, "dependency": True})
    ]


# An administrator's addition, carried by the snapshot: the live registry is never consulted.
WIDGETS = Taxonomy(
    {**SHIPPED.groups, "gadgets": "Gadgets & Gizmos"},
    [*SHIPPED.categories.values(), Category("widgets", "Widget making", "gadgets", "Gadgets")],
)


def test_the_analysis_reads_the_taxonomy_the_snapshot_carries() -> None:
    snapshot = Snapshot(
        tools=(CRM, tool("w1", category="widgets"), tool("w2", category="widgets")),
        taxonomy=WIDGETS,
    )
    assert "widgets" not in live_taxonomy.CATEGORIES
    message = finding(audit(snapshot), "REDUNDANT_TOOLS", "widgets").message
    assert "2 tools in use for Widget making: W1 and W2" in message
    view = select_view(snapshot, ViewParams(group="gadgets"))
    assert [t.slug for t in view.tools] == ["w1", "w2"]
    assert 'label="Gadgets & Gizmos"' in to_dot(view, node_url=str).source
    # Without it, the same catalog reads the shipped taxonomy: the key is all it knows.
    shipped = dataclasses.replace(snapshot, taxonomy=SHIPPED)
    assert (
        "2 tools in use for widgets:"
        in finding(audit(shipped), "REDUNDANT_TOOLS", "widgets").message
    )
    assert select_view(shipped, ViewParams(group="gadgets")).tools == ()


def test_taxonomies_are_equal_by_content() -> None:
    assert Taxonomy(SHIPPED.groups, SHIPPED.categories.values()) == SHIPPED
    assert hash(Taxonomy(SHIPPED.groups, SHIPPED.categories.values())) == hash(SHIPPED)
    assert WIDGETS != SHIPPED
