"""The per-tool risk score (docs/governance.md#risk-score): 0-100, every weight in `WEIGHTS`.

Each factor is a fraction between 0 and 1 of how strongly it applies; its points are that
fraction times its weight, rounded. The weights sum to 100, so the score is the sum of the points.
"""

from __future__ import annotations

from operator import attrgetter
from typing import NamedTuple

from catalog.analysis.facts import Facts
from catalog.vocab import PERSONAL

__all__ = ["WEIGHTS", "FACTOR_LABELS", "BLAST_CAP", "INFLOW_CAP", "Risk", "score_tools"]

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
#: What each factor means, in the words pages show (the JSON keeps the keys).
FACTOR_LABELS: dict[str, str] = {
    "shadow": "Shadow IT",
    "customer_data": "Holds customer data",
    "unmanaged_personal_inflows": "Personal data arriving by unmanaged flows",
    "missing_owners": "Missing or departed owners",
    "missing_controls": "Missing DPA, security review or SSO",
    "blast_radius": "Tools that break without it",
}
BLAST_CAP = 20
INFLOW_CAP = 3


class Risk(NamedTuple):
    """A tool's risk score and the points each factor contributed to it (a named tuple: cheap)."""

    tool: str
    score: int
    factors: dict[str, int]


def _unmanaged_inflows(facts: Facts) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in facts.flows:
        if not f.managed_by_it and not f.anonymized and not f.data_classes.isdisjoint(PERSONAL):
            counts[f.target] = counts.get(f.target, 0) + 1
    return counts


def _points(name: str, steps: int) -> list[int]:
    # Every factor takes one of steps + 1 strengths (k / steps), so its points are looked up
    # per tool rather than computed: round(weight * strength) for each possible strength.
    return [round(WEIGHTS[name] * (k / steps)) for k in range(steps + 1)]


def score_tools(facts: Facts, blast: dict[str, int]) -> tuple[Risk, ...]:
    """Return every tool's risk, highest score first, ties by slug.

    :param blast: blast radius size per slug (capped at BLAST_CAP is enough).
    """
    shadow_pts, customer_pts = _points("shadow", 1), _points("customer_data", 1)
    # Counts at or over a cap read the table's last entry (index -1), the full weight.
    inflow_pts = _points("unmanaged_personal_inflows", INFLOW_CAP)
    owner_pts, control_pts = _points("missing_owners", 2), _points("missing_controls", 3)
    blast_pts = _points("blast_radius", BLAST_CAP)
    inflows = _unmanaged_inflows(facts)
    people, shadow, held = facts.people, facts.shadow, facts.personal_held
    absent: dict[str | None, int] = {None: 1, "": 1}  # email -> 1 when no current owner
    risks = []
    for slug, tool in facts.tools.items():
        missing_owner = 0
        for email in (tool.business_owner, tool.technical_owner):
            gone = absent.get(email)
            if gone is None:
                person = people.get(email.lower())  # type: ignore[union-attr]
                gone = absent[email] = int(person is None or not person.active)
            missing_owner += gone
        inflow = inflows.get(slug, 0)
        size = blast.get(slug, 0)
        points = {
            "shadow": shadow_pts[slug in shadow],
            "customer_data": customer_pts[bool(held.get(slug))],
            "unmanaged_personal_inflows": inflow_pts[inflow if inflow < INFLOW_CAP else -1],
            "missing_owners": owner_pts[missing_owner],
            "missing_controls": control_pts[
                (not tool.dpa_signed) + (not tool.security_reviewed) + (not tool.sso_enabled)
            ],
            "blast_radius": blast_pts[size if size < BLAST_CAP else -1],
        }
        score = sum(points.values())
        risks.append(Risk(slug, score if score < 100 else 100, points))
    # Ties by slug, then highest score first: the second sort is stable, so ties keep slug order.
    risks.sort(key=attrgetter("tool"))
    risks.sort(key=attrgetter("score"), reverse=True)
    return tuple(risks)
