"""Blast radius, personal-data reach, risk factors and the scorecard (docs/governance.md)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import networkx as nx

from catalog.analysis.audit import to_json
from catalog.analysis.impact import blast_radius
from catalog.analysis.impact import blast_sizes
from catalog.analysis.impact import personal_data_reach
from catalog.analysis.risk import WEIGHTS
from catalog.analysis.snapshot import SightingRec
from tests.analysis.helpers import AS_OF
from tests.analysis.helpers import PII
from tests.analysis.helpers import audit
from tests.analysis.helpers import dep
from tests.analysis.helpers import flow
from tests.analysis.helpers import seen
from tests.analysis.helpers import snap
from tests.analysis.helpers import tool

CRM = tool("crm", system_of_record=True, data_classes=PII)


def test_blast_radius_follows_dependants_and_active_flows_transitively() -> None:
    s = snap(
        [tool("sso"), CRM, tool("esp"), tool("bi"), tool("old"), tool("cms")],
        flows=[
            flow("crm", "esp", "contact_pii"),
            flow("esp", "bi"),
            flow("crm", "old", active=False),
            flow("cms", "crm"),
        ],
        deps=[dep("crm", "sso")],
    )
    radius = blast_radius(s, "sso")
    assert radius.tools == ("bi", "crm", "esp")
    assert [f.key for f in radius.flows] == ["crm->esp", "esp->bi"]
    assert [f.key for f in blast_radius(s, "crm").flows] == ["cms->crm", "crm->esp", "esp->bi"]
    assert blast_radius(s, "bi").tools == ()


def test_personal_data_reach_skips_anonymized_and_non_personal_flows() -> None:
    s = snap(
        [CRM, tool("esp"), tool("bi"), tool("ads"), tool("cms")],
        flows=[
            flow("crm", "esp", "contact_pii"),
            flow("esp", "ads", "behavioral"),
            flow("crm", "bi", "contact_pii", anonymized=True),
            flow("crm", "cms", "content"),
        ],
    )
    assert personal_data_reach(s, "crm") == ("ads", "esp")
    assert personal_data_reach(s, "cms") == ()
    assert personal_data_reach(s, "unknown") == ()


def test_bounded_blast_sizes_match_exact_descendants_on_a_random_graph() -> None:
    rng = random.Random(7)
    slugs = [f"t{i}" for i in range(120)]
    flows = [flow(rng.choice(slugs), rng.choice(slugs)) for _ in range(130)]
    flows = [f for f in flows if f.source != f.target]
    deps = [dep(rng.choice(slugs), rng.choice(slugs)) for _ in range(30)]
    deps = [d for d in deps if d.tool != d.depends_on]
    s = snap([tool(x) for x in slugs], flows=flows, deps=deps)
    G = nx.DiGraph()
    G.add_nodes_from(slugs)
    G.add_edges_from((f.source, f.target) for f in flows)
    G.add_edges_from((d.depends_on, d.tool) for d in deps)
    for cap in (3, 10, 1000):
        sizes = blast_sizes(s, cap)
        assert sizes == {x: min(cap, len(nx.descendants(G, x))) for x in slugs}
        assert all(len(blast_radius(s, x).tools) == len(nx.descendants(G, x)) for x in slugs[:20])


def test_risk_factors_use_the_weights_and_sum_to_the_score() -> None:
    result = audit(
        snap(
            [
                CRM,
                tool(
                    "zap",
                    lifecycle="discovered",
                    business_owner=None,
                    technical_owner=None,
                    sso_enabled=False,
                    dpa_signed=False,
                    security_reviewed=False,
                ),
            ],
            flows=[flow("crm", "zap", "contact_pii", managed_by_it=False)],
            sightings=[seen("zap", AS_OF)],
        )
    )
    by_tool = {r.tool: r for r in result.risk}
    zap = by_tool["zap"]
    assert zap.factors == {
        "shadow": 25,
        "customer_data": 15,
        "unmanaged_personal_inflows": 5,
        "missing_owners": 10,
        "missing_controls": 15,
        "blast_radius": 0,
    }
    assert zap.score == 70 == sum(zap.factors.values())
    assert by_tool["crm"].factors["blast_radius"] == round(WEIGHTS["blast_radius"] / 20)
    assert [r.tool for r in result.risk] == ["zap", "crm"]
    assert sum(WEIGHTS.values()) == 100


def test_scorecard_figures() -> None:
    result = audit(
        snap(
            [
                replace(CRM, requested_at=date(2026, 1, 1), decided_at=date(2026, 1, 11)),
                tool(
                    "esp",
                    data_classes=PII,
                    technical_owner=None,
                    requested_at=date(2026, 2, 1),
                    decided_at=date(2026, 2, 21),
                ),
                tool("card", lifecycle="discovered", annual_cost=100.0),
                tool("wait", lifecycle="requested", requested_at=date(2026, 11, 1)),
            ],
            flows=[flow("esp", "crm", "contact_pii")],
            sightings=[
                seen("card", AS_OF, spend=50.5),
                SightingRec(
                    "expensify", "CARD EUR", "card", AS_OF, AS_OF, spend=20.0, currency="EUR"
                ),
            ],
        )
    )
    s = result.summary
    assert (s["tools"], s["in_use"], s["sanctioned"], s["shadow"]) == (4, 3, 2, 1)
    assert s["both_owners_share"] == round(2 / 3, 4)
    assert s["integration_coverage"] == 1.0
    assert s["silos"] == 0
    assert s["median_decision_days"] == 15.0
    assert s["overdue_requests"] == 1
    assert s["shadow_spend"] == {"EUR": 20.0, "USD": 150.5}


def test_to_json_has_exactly_the_spec_shape() -> None:
    result = audit(
        snap(
            [tool("esp", lifecycle="discovered", data_classes=PII)], sightings=[seen("esp", AS_OF)]
        )
    )
    doc = to_json(result)
    assert list(doc) == ["as_of", "summary", "shadow_it", "silos", "findings", "risk"]
    assert doc["as_of"] == "2026-11-22"
    assert doc["shadow_it"] == [
        {"tool": "esp", "reasons": ["SHADOW_DISCOVERED"], "severity": "critical"}
    ]
    assert doc["silos"] == [
        {
            "tools": ["esp"],
            "data_classes": ["contact_pii"],
            "feeders": [],
            "rogue": True,
            "severity": "critical",
        }
    ]
    assert {tuple(f) for f in doc["findings"]} == {("rule", "severity", "subject", "message")}
    assert {"type": "silo", "key": "esp"} in [f["subject"] for f in doc["findings"]]
    assert list(doc["risk"][0]) == ["tool", "score", "factors"]
