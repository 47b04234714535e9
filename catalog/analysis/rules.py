"""The audit findings (docs/governance.md#rules), one small generator per rule, reading `Facts`.

Each rule is declared once in `registry` (id, severity, subject, words); a generator here says
which rules it `emits` and builds their findings. Messages name tools by name and say what to
do, because the report is read by a CMO, not by the person who wrote the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from catalog.analysis.facts import Facts
from catalog.analysis.facts import SiloFacts
from catalog.analysis.graph import IntEdges
from catalog.analysis.graph import cut_vertices
from catalog.analysis.registry import DATA_SILO
from catalog.analysis.registry import FLOW_UNMANAGED_PERSONAL_DATA
from catalog.analysis.registry import NO_SYSTEM_OF_RECORD
from catalog.analysis.registry import OWNER_DEPARTED
from catalog.analysis.registry import OWNER_MISSING_BUSINESS
from catalog.analysis.registry import OWNER_MISSING_TECHNICAL
from catalog.analysis.registry import OWNER_WRONG_SIDE
from catalog.analysis.registry import PERSONAL_DATA_EXPOSURE
from catalog.analysis.registry import REDUNDANT_TOOLS
from catalog.analysis.registry import RENEWAL_AT_RISK
from catalog.analysis.registry import REVIEW_OVERDUE
from catalog.analysis.registry import RULES
from catalog.analysis.registry import SHADOW_DISCOVERED
from catalog.analysis.registry import SHADOW_REJECTED_IN_USE
from catalog.analysis.registry import SHADOW_RETIRED_IN_USE
from catalog.analysis.registry import SHADOW_UNAPPROVED
from catalog.analysis.registry import SINGLE_POINT_OF_FAILURE
from catalog.analysis.registry import USED_BEFORE_APPROVAL
from catalog.analysis.registry import emits
from catalog.analysis.snapshot import SightingRec
from catalog.taxonomy import CATEGORIES
from catalog.vocab import DATA_CLASS_LABELS
from catalog.vocab import PERSONAL
from catalog.vocab import SEVERITIES

__all__ = ["Finding", "SEVERITY_RANK", "shadow_severity", "silo_severity", "all_findings"]

SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
SERIOUS = frozenset(SEVERITIES[:2])  # critical and high: what puts a renewal at risk
RENEWAL_WINDOW_DAYS = 90
_MECHANISM_TEXT = {
    "ipaas": "an iPaaS",
    "api": "API",
    "reverse_etl": "reverse ETL",
    "tag": "a tag",
    "webhook": "a webhook",
}


class Finding(NamedTuple):
    """One rule firing on one subject.

    A named tuple rather than a frozen dataclass: a large catalog yields hundreds of thousands
    of findings, and a frozen dataclass costs about four times as much to build.
    """

    rule: str
    severity: str
    subject_type: str  # tool, flow, silo, category or catalog
    subject_key: str
    message: str

    def sort_key(self) -> tuple[int, str, str, str]:
        return (SEVERITY_RANK[self.severity], self.rule, self.subject_key, self.message)


def classes_text(classes: frozenset[str] | tuple[str, ...] | set[str]) -> str:
    """Return data classes as readable words: "contact PII and behavioral data"."""
    return _classes_text(frozenset(classes))


@lru_cache(maxsize=256)
def _classes_text(classes: frozenset[str]) -> str:
    # A catalog has a handful of distinct class sets; messages ask for them tens of thousands
    # of times on a large one.
    words = [
        DATA_CLASS_LABELS.get(c, c).replace("Contact PII", "contact").lower()
        for c in sorted(classes)
    ]
    if not words:
        return "no data"
    return (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]) + " data"


def names_text(names: list[str], conjunction: str = "and") -> str:
    """Join names as prose: "A", "A and B", "A, B and C"."""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def money_text(amounts: dict[str, float]) -> str:
    """Return amounts per currency as "USD 12,000 + EUR 500"."""
    return " + ".join(f"{cur} {amount:,.0f}" for cur, amount in sorted(amounts.items()))


def shadow_severity(facts: Facts, slug: str) -> str:
    """Return the severity of a shadow tool (docs/governance.md#shadow-it).

    A tool has one reason (its lifecycle's), so this is that rule's severity, escalated when
    the tool holds customer data.
    """
    reasons = facts.shadow[slug]
    worst = min((RULES[r] for r in reasons), key=lambda r: SEVERITY_RANK[r.severity])
    if worst.escalated and facts.holds_customer_data(slug):
        return worst.escalated
    return worst.severity


def silo_severity(silo: SiloFacts) -> str:
    """Return the severity of a silo (docs/governance.md#silos)."""
    return (DATA_SILO.escalated or DATA_SILO.severity) if silo.rogue else DATA_SILO.severity


_SHADOW_TEXT = {
    SHADOW_DISCOVERED.id: "is in use but was never registered; register it and have IT review it",
    SHADOW_UNAPPROVED.id: "is in use while its request still waits for IT's decision; decide on "
    "the request or pause its use",
    SHADOW_REJECTED_IN_USE.id: "was rejected by IT but is still in use; move its users to a "
    "sanctioned tool and cancel it",
    SHADOW_RETIRED_IN_USE.id: "was retired but is still in use; cut its remaining access and flows "
    "or bring it back through review",
}


@emits(SHADOW_DISCOVERED, SHADOW_UNAPPROVED, SHADOW_REJECTED_IN_USE, SHADOW_RETIRED_IN_USE)
def shadow_findings(facts: Facts) -> Iterator[Finding]:
    for slug, reasons in facts.shadow.items():
        held = facts.personal_held[slug]
        extra = f" It holds customer {_classes_text(held)}." if held else ""
        severity = shadow_severity(facts, slug)
        name = facts.names.get(slug, slug)
        for reason in reasons:
            yield Finding(reason, severity, "tool", slug, f"{name} {_SHADOW_TEXT[reason]}.{extra}")


@emits(DATA_SILO)
def silo_findings(facts: Facts) -> Iterator[Finding]:
    hubs = sorted(facts.name(s) for s in facts.sors)
    hub_text = names_text(hubs) if hubs else "any system of record (none exists)"
    for silo in facts.silos:
        names = [facts.name(s) for s in silo.tools]
        verb = "holds" if len(names) == 1 else "hold"
        message = (
            f"{names_text(names)} {verb} customer {classes_text(silo.data_classes)} that "
            f"never reaches {hub_text}; connect it through a managed integration or "
            f"retire it."
        )
        shadows = [facts.name(s) for s in silo.tools if s in facts.shadow]
        if shadows:
            message += f" Shadow IT inside: {names_text(shadows)}."
        if silo.unmanaged:
            flows = sorted(
                {f"{facts.name(f.source)} to {facts.name(f.target)}" for f in silo.unmanaged}
            )
            message += f" Unmanaged flows: {names_text(flows)}."
        yield Finding(DATA_SILO.id, silo_severity(silo), "silo", silo.key, message)


@emits(FLOW_UNMANAGED_PERSONAL_DATA)
def flow_findings(facts: Facts) -> Iterator[Finding]:
    # The subject key is source->target (docs/formats.md#audit-json) while a flow's own key adds
    # the mechanism, so every qualifying flow between one pair folds into one finding for that
    # pair.
    pairs: dict[tuple[str, str], tuple[frozenset[str], tuple[str, ...]]] = {}
    for flow in facts.flows:
        if flow.managed_by_it or flow.anonymized:
            continue
        carried = flow.data_classes & PERSONAL
        if not carried:
            continue
        pair = (flow.source, flow.target)
        seen = pairs.get(pair)
        pairs[pair] = (
            (carried, (flow.mechanism,))
            if seen is None
            else (seen[0] | carried, seen[1] + (flow.mechanism,))
        )
    names, shadow = facts.names, facts.shadow
    for (source, target_slug), (classes, mechanisms) in pairs.items():
        shadow_target = target_slug in shadow
        target = names.get(target_slug, target_slug)
        if len(mechanisms) == 1:
            ways, them = _MECHANISM_TEXT.get(mechanisms[0]) or mechanisms[0].replace("_", " "), ""
        else:
            ways = names_text(
                [_MECHANISM_TEXT.get(m) or m.replace("_", " ") for m in sorted(set(mechanisms))]
            )
            them = "s"
        message = (
            f"{names.get(source, source)} sends customer {_classes_text(classes)} to "
            f"{target} by {ways} without IT managing the flow{them}"
        )
        message += f" (and {target} is shadow IT)" if shadow_target else ""
        message += (
            "; have IT take them over as a managed integration or stop them."
            if them
            else "; have IT take it over as a managed integration or stop it."
        )
        yield Finding(
            FLOW_UNMANAGED_PERSONAL_DATA.id,
            (FLOW_UNMANAGED_PERSONAL_DATA.escalated if shadow_target else None)
            or FLOW_UNMANAGED_PERSONAL_DATA.severity,
            "flow",
            f"{source}->{target_slug}",
            message,
        )


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


@emits(PERSONAL_DATA_EXPOSURE)
def exposure_findings(facts: Facts) -> Iterator[Finding]:
    for slug in facts.in_use_sorted:
        held = facts.personal_held[slug]
        if not held:
            continue
        tool = facts.tools[slug]
        missing = [
            label
            for flag, label in (
                (tool.dpa_signed, "a signed DPA"),
                (tool.security_reviewed, "a security review"),
                (tool.sso_enabled, "SSO"),
            )
            if not flag
        ]
        if missing:
            yield Finding(
                PERSONAL_DATA_EXPOSURE.id,
                PERSONAL_DATA_EXPOSURE.severity,
                "tool",
                slug,
                f"{facts.names.get(slug, slug)} holds customer {_classes_text(held)} "
                f"without {names_text(missing, 'or')}; close the gap or move the data "
                f"out.",
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
        elif tool.requested_at is not None and tool.lifecycle in ("requested", "in_review"):
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
        label = CATEGORIES[category].name if category in CATEGORIES else category
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
def spof_findings(facts: Facts, ints: IntEdges) -> Iterator[Finding]:
    # Only in-use tools are nodes, so edges touching anything else drop out.
    position = ints.position
    keep = [False] * len(ints.slugs)
    for slug in facts.in_use:
        keep[position[slug]] = True
    cuts = cut_vertices(len(keep), chain(ints.flows, ints.dependencies), keep)
    for slug in sorted(ints.slugs[i] for i in cuts):
        yield Finding(
            SINGLE_POINT_OF_FAILURE.id,
            SINGLE_POINT_OF_FAILURE.severity,
            "tool",
            slug,
            f"{facts.name(slug)} is the only link between parts of the stack: losing "
            f"it cuts tools off from each other; plan a fallback before changing it.",
        )


@emits(NO_SYSTEM_OF_RECORD)
def catalog_findings(facts: Facts) -> Iterator[Finding]:
    # Whenever no sanctioned SoR exists, an empty catalog included (docs/governance.md#silos).
    if not facts.sors:
        yield Finding(
            NO_SYSTEM_OF_RECORD.id,
            NO_SYSTEM_OF_RECORD.severity,
            "catalog",
            "catalog",
            "No sanctioned system of record exists, so customer data has no governed "
            "hub; sanction a CRM, CDP or warehouse as the system of record.",
        )


def all_findings(facts: Facts, ints: IntEdges, sla_days: int) -> tuple[Finding, ...]:
    """Return every finding, sorted by severity, rule, subject key (then message)."""
    found = [
        *shadow_findings(facts),
        *silo_findings(facts),
        *flow_findings(facts),
        *owner_findings(facts),
        *exposure_findings(facts),
        *approval_findings(facts, sla_days),
        *redundancy_findings(facts),
        *spof_findings(facts, ints),
        *catalog_findings(facts),
    ]
    found.extend(renewal_findings(facts, found))
    return _sorted(found)


def _sorted(findings: list[Finding]) -> tuple[Finding, ...]:
    # Same order as sorting by Finding.sort_key, without a Python key call per finding: group
    # by (severity, rule), then sort each group with a C-level key. Each rule emits its
    # findings nearly in subject order already, so those sorts are close to linear.
    groups: dict[tuple[int, str], list[Finding]] = {}
    for finding in findings:
        key = (SEVERITY_RANK[finding.severity], finding.rule)
        group = groups.get(key)
        if group is None:
            groups[key] = [finding]
        else:
            group.append(finding)
    by_subject = attrgetter("subject_key", "message")
    ordered: list[Finding] = []
    for key in sorted(groups):
        ordered.extend(sorted(groups[key], key=by_subject))
    return tuple(ordered)
