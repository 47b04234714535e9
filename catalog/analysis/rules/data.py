"""The rules about customer data and shadow IT (docs/governance.md#rules): shadow tools, silos,
unmanaged flows of personal data, safeguards, a missing system of record.

Each rule is declared once in `catalog.analysis.registry`; a generator here says which rules it
`emits` and builds their findings from `Facts`.
"""

from __future__ import annotations

from collections.abc import Iterator

from catalog.analysis.facts import Facts
from catalog.analysis.registry import DATA_SILO
from catalog.analysis.registry import FLOW_UNMANAGED_PERSONAL_DATA
from catalog.analysis.registry import NO_SYSTEM_OF_RECORD
from catalog.analysis.registry import PERSONAL_DATA_EXPOSURE
from catalog.analysis.registry import RULES
from catalog.analysis.registry import SHADOW_DISCOVERED
from catalog.analysis.registry import SHADOW_REJECTED_IN_USE
from catalog.analysis.registry import SHADOW_RETIRED_IN_USE
from catalog.analysis.registry import SHADOW_UNAPPROVED
from catalog.analysis.registry import emits
from catalog.analysis.rules.base import SEVERITY_RANK
from catalog.analysis.rules.base import Finding
from catalog.analysis.rules.base import classes_text
from catalog.analysis.rules.base import names_text
from catalog.vocab import PERSONAL
from catalog.vocab import Mechanism

__all__ = ["shadow_severity"]

_MECHANISM_TEXT: dict[str, str] = {
    Mechanism.IPAAS: "an iPaaS",
    Mechanism.API: "API",
    Mechanism.REVERSE_ETL: "reverse ETL",
    Mechanism.TAG: "a tag",
    Mechanism.WEBHOOK: "a webhook",
}


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
        extra = f" It holds customer {classes_text(held)}." if held else ""
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
        classes = classes_text(frozenset(silo.data_classes))
        message = (
            f"{names_text(names)} {verb} customer {classes} that "
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
        yield Finding(DATA_SILO.id, silo.severity, "silo", silo.key, message)


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
            f"{names.get(source, source)} sends customer {classes_text(classes)} to "
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
                f"{facts.names.get(slug, slug)} holds customer {classes_text(held)} "
                f"without {names_text(missing, 'or')}; close the gap or move the data "
                f"out.",
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
