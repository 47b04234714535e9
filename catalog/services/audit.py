"""The audit report for the CLI, the web page and the API: load once, compute, cache, render."""

from __future__ import annotations

import csv
import io
import json
import typing as t
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from catalog.analysis.audit import AuditResult
from catalog.analysis.audit import run_audit
from catalog.analysis.audit import to_json
from catalog.analysis.finding_states import apply_states
from catalog.analysis.gcpause import collector_paused
from catalog.analysis.impact import blast_radius
from catalog.analysis.impact import personal_data_reach
from catalog.analysis.registry import rule
from catalog.analysis.risk import BLAST_CAP
from catalog.analysis.risk import FACTOR_LABELS
from catalog.analysis.risk import WEIGHTS
from catalog.analysis.snapshot import Snapshot
from catalog.services import caches
from catalog.services import findings
from catalog.services import history
from catalog.services.csv_cells import defuse_cell
from catalog.services.snapshot import catalog_version
from catalog.services.snapshot import current_snapshot
from catalog.vocab import SEVERITIES

__all__ = [
    "audit_report",
    "audit_result",
    "render_text",
    "render_csv",
    "render_json",
    "tool_governance",
    "CSV_HEADER",
]

CSV_HEADER = (
    "rule",
    "severity",
    "subject_type",
    "subject_key",
    "message",
    "status",
    "assignee",
    "due",
    "accepted_until",
    "ticket",
)


@dataclass(frozen=True)
class _Entry:
    snapshot: Snapshot
    result: AuditResult
    report: dict[str, t.Any]


def _entry(session: Session, as_of: date, sla_days: int) -> _Entry:
    version = catalog_version(session)
    return caches.current().cached(
        "audit", version, (as_of, sla_days), lambda: _compute(session, version, as_of, sla_days)
    )


def _compute(session: Session, version: str, as_of: date, sla_days: int) -> _Entry:
    # One pause of the cyclic collector over the whole burst of allocation (see gcpause).
    with collector_paused():
        # A past day's audit runs over that day's catalog, rebuilt from the change log.
        snapshot = (
            history.snapshot_as_of(session, as_of, version=version)
            if history.is_past(as_of)
            else current_snapshot(session, version)
        )
        result = run_audit(snapshot, as_of, sla_days=sla_days)
        # Decisions about findings (accepted risks, assignments) change the catalog version
        # too, as every write records a change, so they are part of the cached entry.
        report = apply_states(to_json(result), findings.load_states(session), as_of)
        return _Entry(snapshot, result, report)


def audit_report(session: Session, as_of: date, *, sla_days: int = 10) -> dict[str, t.Any]:
    """Return the audit JSON (docs/formats.md#audit-json); cached per version, read-only."""
    return _entry(session, as_of, sla_days).report


def audit_result(session: Session, as_of: date, *, sla_days: int = 10) -> AuditResult:
    """Return the audit as frozen records (shares the cache with `audit_report`)."""
    return _entry(session, as_of, sla_days).result


def _pct(value: t.Any) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def render_text(report: dict[str, t.Any]) -> str:
    """Return the report as plain text for a terminal."""
    s = report["summary"]
    spend = ", ".join(f"{cur} {amount:,.2f}" for cur, amount in s["shadow_spend"].items())
    median = s["median_decision_days"]
    lines = [
        f"Martech audit as of {report['as_of']}",
        "",
        f"Tools: {s['tools']}  in use: {s['in_use']}  sanctioned: {s['sanctioned']}  "
        f"shadow IT: {s['shadow']}",
        f"In-use tools with both owners: {_pct(s['both_owners_share'])}   "
        f"integration coverage: {_pct(s['integration_coverage'])}   silos: {s['silos']}",
        f"Median days request -> decision: {'n/a' if median is None else f'{median:g}'}   "
        f"overdue requests: {s['overdue_requests']}   shadow spend: {spend or 'none'}",
        "Findings: " + ", ".join(f"{s['findings_by_severity'][sev]} {sev}" for sev in SEVERITIES),
        "",
        f"Shadow IT ({len(report['shadow_it'])})",
    ]
    lines += [
        f"  [{x['severity']}] {x['tool']}: "
        + "; ".join(f"{rule(r).title} ({r})" for r in x["reasons"])
        for x in report["shadow_it"]
    ] or ["  none"]
    lines += ["", f"Customer-data silos ({len(report['silos'])})"]
    for silo in report["silos"]:
        rogue = "rogue, " if silo["rogue"] else ""
        lines.append(
            f"  [{silo['severity']}] {', '.join(silo['tools'])} ({rogue}"
            f"{', '.join(silo['data_classes'])}; fed by "
            f"{', '.join(silo['feeders']) or 'nothing'})"
        )
    if not report["silos"]:
        lines.append("  none")
    for severity in SEVERITIES:
        group = [f for f in report["findings"] if f["severity"] == severity]
        if group:
            lines += ["", f"{severity.upper()} ({len(group)})"]
            lines += [
                f"  {rule(f['rule']).title} ({f['rule']}) "
                f"[{f['subject']['type']} {f['subject']['key']}]\n"
                f"    {f['message']}"
                for f in group
            ]
    accepted = report.get("accepted_risks") or []
    if accepted:
        lines += ["", f"Accepted risks ({len(accepted)})"]
        lines += [
            f"  {f['rule']} [{f['subject']['type']} {f['subject']['key']}] until "
            f"{f['state']['accepted_until']} by {f['state']['accepted_by']}: "
            f"{f['state']['reason']}"
            for f in accepted
        ]
    top = [r for r in report["risk"] if r["score"] > 0][:10]
    if top:
        lines += ["", "Highest risk"]
        lines += [f"  {r['score']:>3}  {r['tool']}" for r in top]
    return "\n".join(lines) + "\n"


def _item_encoder() -> t.Callable[[t.Any], str]:
    # JSONEncoder.encode builds a fresh C encoder for every call; for 46,000 small items that
    # setup costs as much as the encoding, so build the C encoder once (same output: the
    # arguments are what JSONEncoder(ensure_ascii=False) passes). Pure Python fallback when
    # the interpreter lacks the C accelerator.
    plain = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return plain.encode
    encoder = make(
        None, plain.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True
    )
    return lambda value: "".join(encoder(value, 0))


def render_json(report: dict[str, t.Any]) -> str:
    """Return the report as JSON text with one line per list item (shadow tool, finding, ...).

    Readable and line-diffable like `indent=2`, at a fifth of the cost of the pure-Python
    encoder that `indent` forces (0.07 s instead of 0.3-0.5 s for the 33,000 findings of 10,000
    tools): each item goes through the C encoder on its own line.
    """
    encode = _item_encoder()
    parts = []
    for key, value in report.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(map(encode, value))
            parts.append(f"  {encode(key)}: [\n    {items}\n  ]")
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            parts.append(f"  {encode(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def render_csv(report: dict[str, t.Any]) -> str:
    """Return one CSV row per finding, with formula-like cells defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for f in (*report["findings"], *report.get("accepted_risks", ())):
        state = f.get("state") or {}
        row = (
            f["rule"],
            f["severity"],
            f["subject"]["type"],
            f["subject"]["key"],
            f["message"],
            state.get("status", "open"),
            state.get("assignee") or "",
            state.get("due") or "",
            state.get("accepted_until") or "",
            state.get("ticket") or "",
        )
        writer.writerow([defuse_cell(cell) for cell in row])
    return out.getvalue()


def tool_governance(
    session: Session, slug: str, as_of: date, *, sla_days: int = 10
) -> dict[str, t.Any]:
    """Return what the audit says about one tool, for its page (empty findings if unknown).

    Cached per catalog version like the audit it comes from (read-only): on a 10,000-tool
    catalog one tool's share of the findings, its blast radius and its reach take 0.3-0.5 s
    to work out, and a tool page is opened again and again between two changes.
    """
    version = catalog_version(session)
    return caches.current().cached(
        "audit.tool",
        version,
        (as_of, sla_days, slug),
        lambda: _tool_governance(_entry(session, as_of, sla_days), slug, as_of),
    )


def _tool_governance(entry: _Entry, slug: str, as_of: date) -> dict[str, t.Any]:
    snapshot, result = entry.snapshot, entry.result
    names = {tool.slug: tool.name or tool.slug for tool in snapshot.tools}
    category = next((tool.category for tool in snapshot.tools if tool.slug == slug), None)
    silo_keys = {s.key for s in result.silos if slug in s.tools}

    def concerns(f: dict[str, t.Any]) -> bool:
        kind, key = f["subject"]["type"], f["subject"]["key"]
        return (
            (kind == "tool" and key == slug)
            or (kind == "flow" and slug in key.split("->"))
            or (kind == "silo" and key in silo_keys)
            or (kind == "category" and key == category)
        )

    findings = [f for f in entry.report["findings"] if concerns(f)]
    accepted = [f for f in entry.report.get("accepted_risks", ()) if concerns(f)]
    risk = next((r for r in entry.report["risk"] if r["tool"] == slug), None)
    radius = blast_radius(snapshot, slug)
    shadow = next((s for s in entry.report["shadow_it"] if s["tool"] == slug), None)
    return {
        "tool": slug,
        "as_of": as_of.isoformat(),
        "shadow": shadow,
        "findings": findings,
        "accepted_risks": accepted,
        "risk": risk,
        "weights": dict(WEIGHTS),
        "factor_labels": dict(FACTOR_LABELS),
        "blast_cap": BLAST_CAP,
        "blast_radius": {
            "tools": [{"slug": s, "name": names.get(s, s)} for s in radius.tools],
            "flows": [
                {
                    "source": f.source,
                    "target": f.target,
                    "mechanism": f.mechanism,
                    "data_classes": sorted(f.data_classes),
                }
                for f in radius.flows
            ],
        },
        "personal_data_reach": [
            {"slug": s, "name": names.get(s, s)} for s in personal_data_reach(snapshot, slug)
        ],
    }


def snapshot_and_report(
    session: Session, as_of: date, *, sla_days: int = 10
) -> tuple[Snapshot, dict[str, t.Any]]:
    """Return the audited snapshot and its report (cached together; do not mutate)."""
    entry = _entry(session, as_of, sla_days)
    return entry.snapshot, entry.report
