"""The rules about ownership, process and the shape of the stack (docs/governance.md#rules):
owners, approvals, redundant tools, renewals, single points of failure.

Each rule is declared once in `catalog.analysis.registry`; a generator here says which rules it
`emits` and builds their findings from `Facts`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import networkx as nx

from catalog.analysis.facts import Facts
from catalog.analysis.registry import OWNER_DEPARTED
from catalog.analysis.registry import OWNER_MISSING_BUSINESS
from catalog.analysis.registry import OWNER_MISSING_TECHNICAL
from catalog.analysis.registry import OWNER_WRONG_SIDE
from catalog.analysis.registry import REDUNDANT_TOOLS
from catalog.analysis.registry import RENEWAL_AT_RISK
from catalog.analysis.registry import REVIEW_OVERDUE
from catalog.analysis.registry import SINGLE_POINT_OF_FAILURE
from catalog.analysis.registry import USED_BEFORE_APPROVAL
from catalog.analysis.registry import emits
from catalog.analysis.rules.base import SERIOUS
from catalog.analysis.rules.base import Finding
from catalog.analysis.rules.base import money_text
from catalog.analysis.rules.base import names_text
from catalog.analysis.snapshot import SightingRec
from catalog.vocab import OPEN_LIFECYCLES

RENEWAL_WINDOW_DAYS = 90


def _owner_notes(facts: Facts, email: str, side: str) -> tuple[str | None, str | None]:
    """Return what is wrong with one owner: (departed note, wrong-side note), None if nothing."""
    expected = "marketing" if side == "business" else "it"
    person = facts.people.get(email.lower())
    label = f"{person.name} <{email}>" if person and person.name else email
    departed = f"its {side} owner {label}" if person is not None and not person.active else None
    department = (person.department if person else "").strip()
    wrong = None
    if department.lower() != expected:
        where = f"in {department}" if department else "in no department"
        wrong = (
            f"its {side} owner {label} is {where}, not "
            f"{'marketing' if expected == 'marketing' else 'IT'}"
        )
    return departed, wrong


@emits(OWNER_MISSING_BUSINESS, OWNER_MISSING_TECHNICAL, OWNER_DEPARTED, OWNER_WRONG_SIDE)
def owner_findings(facts: Facts) -> Iterator[Finding]:
    # A few hundred people own thousands of tools: judge each (owner, side) once.
    notes: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for slug in facts.in_use_sorted:
        tool, name = facts.tools[slug], facts.names.get(slug, slug)
        departed, wrong = [], []
        for side, email in (("business", tool.business_owner), ("technical", tool.technical_owner)):
            if not email:
                rule = OWNER_MISSING_BUSINESS if side == "business" else OWNER_MISSING_TECHNICAL
                who = "marketing" if side == "business" else "IT"
                yield Finding(
                    rule.id,
                    rule.severity,
                    "tool",
                    slug,
                    f"{name} has no {side} owner; name the accountable {who}-side person.",
                )
                continue
            note = notes.get((email, side))
            if note is None:
                note = notes[(email, side)] = _owner_notes(facts, email, side)
            if note[0] is not None:
                departed.append(note[0])
            if note[1] is not None:
                wrong.append(note[1])
        if departed:
            yield Finding(
                OWNER_DEPARTED.id,
                OWNER_DEPARTED.severity,
                "tool",
                slug,
                f"{name}: {names_text(departed)} has left the company; hand the tool "
                f"to a current owner.",
            )
        if wrong:
            yield Finding(
                OWNER_WRONG_SIDE.id,
                OWNER_WRONG_SIDE.severity,
                "tool",
                slug,
                f"{name}: {names_text(wrong)}; ownership should be shared between "
                f"marketing and IT.",
            )


def _first_sighting(sightings: tuple[SightingRec, ...]) -> SightingRec | None:
    seen = [s for s in sightings if s.first_seen is not None]
    if len(seen) < 2:
        return seen[0] if seen else None
    return min(seen, key=lambda s: (s.first_seen, s.source, s.observed_name))


@emits(USED_BEFORE_APPROVAL, REVIEW_OVERDUE)
def approval_findings(facts: Facts, sla_days: int) -> Iterator[Finding]:
    sanctioned, sightings, as_of = facts.sanctioned, facts.sightings, facts.as_of
    for slug in sorted(facts.tools):
        tool = facts.tools[slug]
        if tool.decided_at is not None and slug in sanctioned and slug in sightings:
            first = _first_sighting(sightings[slug])
            if first is not None:
                assert first.first_seen is not None
                lead = (tool.decided_at - first.first_seen).days
                if lead > 0:
                    yield Finding(
                        USED_BEFORE_APPROVAL.id,
                        USED_BEFORE_APPROVAL.severity,
                        "tool",
                        slug,
                        f"{facts.name(slug)} was in use from {first.first_seen} "
                        f"({first.source}), {lead} days before IT approved it on "
                        f"{tool.decided_at}; bring requests to IT earlier.",
                    )
        elif tool.requested_at is not None and tool.lifecycle in OPEN_LIFECYCLES:
            waited = (as_of - tool.requested_at).days
            if waited > sla_days:
                yield Finding(
                    REVIEW_OVERDUE.id,
                    REVIEW_OVERDUE.severity,
                    "tool",
                    slug,
                    f"The request for {facts.name(slug)} has waited {waited} days "
                    f"for IT's decision (review SLA: {sla_days} days); decide on it "
                    f"before marketing goes ahead without IT.",
                )


@emits(REDUNDANT_TOOLS)
def redundancy_findings(facts: Facts) -> Iterator[Finding]:
    by_category: dict[str, list[str]] = {}
    for slug in facts.in_use_sorted:
        category = facts.tools[slug].category
        if category:
            by_category.setdefault(category, []).append(slug)
    for category, slugs in sorted(by_category.items()):
        if len(slugs) < 2:
            continue
        costs: dict[str, float] = {}
        for slug in slugs:
            tool = facts.tools[slug]
            if tool.annual_cost is not None:
                costs[tool.currency] = costs.get(tool.currency, 0.0) + tool.annual_cost
        label = facts.taxonomy.category_name(category)
        spend = f", costing {money_text(costs)} a year together" if costs else ""
        names = sorted(facts.name(s) for s in slugs)
        yield Finding(
            REDUNDANT_TOOLS.id,
            REDUNDANT_TOOLS.severity,
            "category",
            category,
            f"{len(slugs)} tools in use for {label}: {names_text(names)}{spend}; "
            f"consider consolidating onto one.",
        )


@emits(RENEWAL_AT_RISK)
def renewal_findings(facts: Facts, others: list[Finding]) -> Iterator[Finding]:
    serious: dict[str, set[str]] = {}
    for rule, severity, subject_type, slug, _ in others:
        if subject_type == "tool" and severity in SERIOUS:
            rules = serious.get(slug)
            if rules is None:
                serious[slug] = {rule}
            else:
                rules.add(rule)
    horizon = facts.as_of + timedelta(days=RENEWAL_WINDOW_DAYS)
    for slug, rules in sorted(serious.items()):
        renewal = facts.tools[slug].renewal_date
        if renewal is not None and facts.as_of <= renewal <= horizon:
            days = (renewal - facts.as_of).days
            yield Finding(
                RENEWAL_AT_RISK.id,
                RENEWAL_AT_RISK.severity,
                "tool",
                slug,
                f"{facts.name(slug)} renews on {renewal} (in {days} days) while it has "
                f"serious findings ({', '.join(sorted(rules))}); resolve them or "
                f"renegotiate before signing.",
            )


@emits(SINGLE_POINT_OF_FAILURE)
def spof_findings(facts: Facts) -> Iterator[Finding]:
    # The in-use tools and every flow or dependency between them, direction ignored: a tool
    # whose loss splits that graph is a single point of failure. Tools with no link are never
    # a cut vertex, so when every tool out of use has none, the catalog graph's undirected view
    # is that graph. Otherwise a plain nx.Graph of its edges less those tools: a view filtering
    # them out would cost more than the copy (the DFS reads each neighbour list several times).
    G = facts.graph
    out_of_use = [slug for slug in G if slug not in facts.in_use]
    if all(nx.is_isolate(G, slug) for slug in out_of_use):
        stack = G.to_undirected(as_view=True)
    else:
        stack = nx.Graph(G.edges)
        stack.remove_nodes_from(out_of_use)
    for slug in sorted(nx.articulation_points(stack)):
        yield Finding(
            SINGLE_POINT_OF_FAILURE.id,
            SINGLE_POINT_OF_FAILURE.severity,
            "tool",
            slug,
            f"{facts.name(slug)} is the only link between parts of the stack: losing "
            f"it cuts tools off from each other; plan a fallback before changing it.",
        )
