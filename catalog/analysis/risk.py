"""The per-tool risk score (SPEC 3.4): 0-100 from weighted factors, every weight in `WEIGHTS`.

Each factor is a fraction between 0 and 1 of how strongly it applies; its points are that
fraction times its weight, rounded. The weights sum to 100, so the score is the sum of the points.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.analysis.facts import Facts
from catalog.vocab import PERSONAL

__all__ = ["WEIGHTS", "BLAST_CAP", "INFLOW_CAP", "Risk", "score_tools"]

#: Points each factor is worth at full strength. Change weights here and nowhere else.
WEIGHTS: dict[str, int] = {
    # In use without IT's approval (full) -- the core of "going rogue".
    "shadow": 25,
    # Holds personal (customer) data: a breach or a silo there hurts customers.
    "customer_data": 15,
    # Personal data arriving by flows IT does not manage; full at INFLOW_CAP such flows.
    "unmanaged_personal_inflows": 15,
    # Business and technical owner: half each; an owner who has left counts as missing.
    "missing_owners": 10,
    # DPA, security review, SSO: a third each.
    "missing_controls": 15,
    # Tools that break or lose data when this one goes away; full at BLAST_CAP tools.
    "blast_radius": 20,
}
BLAST_CAP = 20
INFLOW_CAP = 3


@dataclass(frozen=True)
class Risk:
    """A tool's risk score and the points each factor contributed to it."""

    tool: str
    score: int
    factors: dict[str, int]


def _unmanaged_inflows(facts: Facts) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in facts.flows:
        if not f.managed_by_it and not f.anonymized and not f.data_classes.isdisjoint(PERSONAL):
            counts[f.target] = counts.get(f.target, 0) + 1
    return counts


def _strengths(facts: Facts, slug: str, blast: int, inflows: int) -> dict[str, float]:
    tool = facts.tools[slug]
    missing_owner = 0
    for email in (tool.business_owner, tool.technical_owner):
        person = facts.people.get(email.lower()) if email else None
        if person is None or not person.active:
            missing_owner += 1
    missing_controls = sum(
        not flag for flag in (tool.dpa_signed, tool.security_reviewed, tool.sso_enabled)
    )
    return {
        "shadow": 1.0 if slug in facts.shadow else 0.0,
        "customer_data": 1.0 if facts.holds_customer_data(slug) else 0.0,
        "unmanaged_personal_inflows": min(inflows, INFLOW_CAP) / INFLOW_CAP,
        "missing_owners": missing_owner / 2,
        "missing_controls": missing_controls / 3,
        "blast_radius": min(blast, BLAST_CAP) / BLAST_CAP,
    }


def score_tools(facts: Facts, blast: dict[str, int]) -> tuple[Risk, ...]:
    """Return every tool's risk, highest score first, ties by slug.

    :param blast: blast radius size per slug (capped at BLAST_CAP is enough).
    """
    risks = []
    inflows = _unmanaged_inflows(facts)
    for slug in facts.tools:
        strengths = _strengths(facts, slug, blast.get(slug, 0), inflows.get(slug, 0))
        points = {name: round(WEIGHTS[name] * strengths[name]) for name in WEIGHTS}
        risks.append(Risk(tool=slug, score=min(100, sum(points.values())), factors=points))
    risks.sort(key=lambda r: (-r.score, r.tool))
    return tuple(risks)
