"""The joint CMO-CIO scorecard (docs/governance.md#scorecard), from the audit's shared facts."""

from __future__ import annotations

from datetime import date
from statistics import median

from catalog.analysis.facts import Facts
from catalog.analysis.facts import derive_facts
from catalog.analysis.snapshot import Snapshot
from catalog.vocab import OPEN_LIFECYCLES

__all__ = ["summarize", "scorecard"]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summarize(facts: Facts, sla_days: int) -> dict[str, object]:
    """Return the scorecard figures; shares are fractions 0-1 (None when nothing to measure).

    Spend is per currency: amounts in different currencies are never added together.
    """
    used = facts.in_use
    with_both = sum(
        1 for s in used if facts.tools[s].business_owner and facts.tools[s].technical_owner
    )
    customer_tools = [s for s in used if facts.holds_customer_data(s)]
    covered = sum(1 for s in customer_tools if s not in facts.stranded)
    decision_days = [
        (t.decided_at - t.requested_at).days
        for t in facts.tools.values()
        if t.requested_at is not None
        and t.decided_at is not None
        and t.requested_at <= t.decided_at <= facts.as_of
    ]
    overdue = sum(
        1
        for t in facts.tools.values()
        if t.lifecycle in OPEN_LIFECYCLES
        and t.requested_at is not None
        and (facts.as_of - t.requested_at).days > sla_days
    )
    spend: dict[str, float] = {}
    for slug in facts.shadow:
        tool = facts.tools[slug]
        if tool.annual_cost:
            spend[tool.currency] = spend.get(tool.currency, 0.0) + tool.annual_cost
        for sighting in facts.sightings.get(slug, ()):
            if sighting.spend:
                spend[sighting.currency] = spend.get(sighting.currency, 0.0) + sighting.spend
    return {
        "tools": len(facts.tools),
        "in_use": len(used),
        "sanctioned": len(facts.sanctioned),
        "shadow": len(facts.shadow),
        "both_owners_share": _share(with_both, len(used)),
        "customer_data_tools": len(customer_tools),
        "integration_coverage": _share(covered, len(customer_tools)),
        "silos": len(facts.silos),
        "median_decision_days": float(median(decision_days)) if decision_days else None,
        "overdue_requests": overdue,
        "shadow_spend": {cur: round(amount, 2) for cur, amount in sorted(spend.items())},
    }


def scorecard(snapshot: Snapshot, as_of: date, *, sla_days: int = 10) -> dict[str, object]:
    """Return the scorecard figures of a snapshot as of a date."""
    return summarize(derive_facts(snapshot, as_of), sla_days)
