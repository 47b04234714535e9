"""What the audit page shows: the summary first, then shadow IT, silos and findings in pages.

At 10,000 tools an audit has some 46,000 findings and a thousand shadow tools: one page of all of
them is 10 MB of HTML nobody reads. The page leads with the summary, groups findings by severity
and rule with counts and the first few of each, and pages through the rest when a rule,
severity or tool is chosen; the CSV and JSON downloads still carry everything.
"""

from __future__ import annotations

import typing as t
from datetime import date

from sqlalchemy.orm import Session

from catalog.analysis.registry import RULES
from catalog.services.audit import snapshot_and_report
from catalog.services.paging import paged
from catalog.vocab import SEVERITIES
from catalog.vocab import Lifecycle

SHADOW_PER_PAGE = 50
SILOS_PER_PAGE = 24
FINDINGS_PER_PAGE = 100
PREVIEW = 3  # findings shown under each rule before "all N"


def _silo_advice(
    silo: dict[str, t.Any], names: dict[str, str], shadow: set[str], hubs: list[str]
) -> str:
    members = [names.get(s, s) for s in silo["tools"]]
    hub = " or ".join(hubs) if hubs else "a sanctioned system of record"
    steps = [
        f"Connect {', '.join(members)} to {hub} through an IT-managed integration, or "
        f"retire {'it' if len(members) == 1 else 'them'} and move the data there."
    ]
    rogue_tools = [names.get(s, s) for s in silo["tools"] if s in shadow]
    if rogue_tools:
        steps.append(f"Put {', '.join(rogue_tools)} through IT review first.")
    if silo["feeders"]:
        feeders = ", ".join(names.get(s, s) for s in silo["feeders"])
        steps.append(f"Have IT manage or stop the flows from {feeders}.")
    return " ".join(steps)


def audit_page(
    session: Session,
    as_of: date,
    *,
    sla_days: int = 10,
    rule: str = "",
    tool: str = "",
    severity: str = "",
    page: int = 1,
    shadow_page: int = 1,
    silo_page: int = 1,
) -> dict[str, t.Any]:
    """Return what the audit page shows: the report's summary and one page of each list."""
    snapshot, report = snapshot_and_report(session, as_of, sla_days=sla_days)
    tools = {tl.slug: tl for tl in snapshot.tools}
    names = {slug: tl.name or slug for slug, tl in tools.items()}
    if tool and tool not in tools:  # a name typed in the search box
        lowered = tool.casefold()
        tool = next((slug for slug, name in names.items() if name.casefold() == lowered), tool)
    people = {p.email.lower(): p for p in snapshot.people}

    def owner(email: str | None) -> dict[str, t.Any] | None:
        if not email:
            return None
        person = people.get(email.lower())
        return {
            "email": email,
            "name": person.name if person and person.name else email,
            "active": person.active if person else True,
        }

    shadow_page_rows = paged(report["shadow_it"], shadow_page, SHADOW_PER_PAGE)
    shown_slugs = {row["tool"] for row in shadow_page_rows.items}
    spend: dict[str, dict[str, float]] = {}
    for sighting in snapshot.sightings:
        seen_tool = sighting.tool
        if (
            seen_tool is not None
            and seen_tool in shown_slugs
            and sighting.spend
            and (sighting.first_seen is None or sighting.first_seen <= as_of)
        ):
            per = spend.setdefault(seen_tool, {})
            per[sighting.currency] = per.get(sighting.currency, 0.0) + sighting.spend
    shadow_rows = []
    for row in shadow_page_rows.items:
        tl = tools[row["tool"]]
        costs = dict(spend.get(row["tool"], {}))
        if tl.annual_cost:
            costs[tl.currency] = costs.get(tl.currency, 0.0) + tl.annual_cost
        shadow_rows.append(
            row
            | {
                "name": names[row["tool"]],
                "lifecycle": tl.lifecycle,
                "business_owner": owner(tl.business_owner),
                "technical_owner": owner(tl.technical_owner),
                "spend": {cur: round(v, 2) for cur, v in sorted(costs.items())},
            }
        )
    shadow_set = {row["tool"] for row in report["shadow_it"]}
    hubs = sorted(
        names[s.slug]
        for s in snapshot.tools
        if s.system_of_record and s.lifecycle in (Lifecycle.SANCTIONED, Lifecycle.DEPRECATED)
    )
    silo_rows = paged(report["silos"], silo_page, SILOS_PER_PAGE)
    silos = [
        silo
        | {
            "names": [names.get(s, s) for s in silo["tools"]],
            "feeder_names": [names.get(s, s) for s in silo["feeders"]],
            "advice": _silo_advice(silo, names, shadow_set, hubs),
        }
        for silo in silo_rows.items
    ]

    silos_of: dict[str, set[str]] = {}
    if tool:
        for silo in report["silos"]:
            if tool in silo["tools"]:
                silos_of.setdefault(tool, set()).add(",".join(silo["tools"]))

    def concerns(finding: dict[str, t.Any], slug: str) -> bool:
        kind, key = finding["subject"]["type"], finding["subject"]["key"]
        return (
            (kind == "tool" and key == slug)
            or (kind == "flow" and slug in key.split("->"))
            or (kind == "silo" and key in silos_of.get(slug, ()))
            or (kind == "category" and tools.get(slug) is not None and tools[slug].category == key)
        )

    shown = [
        f
        for f in report["findings"]
        if (not rule or f["rule"] == rule)
        and (not severity or f["severity"] == severity)
        and (not tool or concerns(f, tool))
    ]
    present = {f["rule"] for f in report["findings"]}
    filtered = bool(rule or tool or severity)
    counts: dict[tuple[str, str], int] = {}
    previews: dict[tuple[str, str], list[dict[str, t.Any]]] = {}
    for f in shown:
        key = (f["severity"], f["rule"])
        counts[key] = counts.get(key, 0) + 1
        if not filtered and counts[key] <= PREVIEW:
            previews.setdefault(key, []).append(f)
    findings_page = paged(shown, page, FINDINGS_PER_PAGE) if filtered else None
    groups = [
        (
            sev,
            [(r, n, previews.get((s, r), [])) for (s, r), n in sorted(counts.items()) if s == sev],
        )
        for sev in SEVERITIES
    ]
    return {
        "report": report,
        "names": names,
        "shadow_rows": shadow_rows,
        "shadow_paging": shadow_page_rows,
        "silos": silos,
        "silo_paging": silo_rows,
        "groups": groups,
        "findings_page": findings_page,
        "filtered": filtered,
        "shown": len(shown),
        "rules": [r for r in RULES if r in present],  # registry order, for the filter
        "rule": rule,
        "tool": tool,
        "tool_name": names.get(tool, tool),
        "severity": severity,
    }
