"""The rogue-tool audit (docs/governance.md): shadow IT, silos, findings, risk, as of a date.

`run_audit(snapshot, as_of)` is the one entry point; `to_json(result)` gives the audit JSON
(docs/formats.md#audit-json).
Pure: the snapshot is the only input, so the same snapshot and date always give the same report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from catalog.analysis.facts import Facts
from catalog.analysis.facts import Silo
from catalog.analysis.facts import derive_facts
from catalog.analysis.facts import in_use
from catalog.analysis.facts import is_recent
from catalog.analysis.gcpause import collector_paused
from catalog.analysis.impact import blast_sizes
from catalog.analysis.risk import BLAST_CAP
from catalog.analysis.risk import Risk
from catalog.analysis.risk import score_tools
from catalog.analysis.rules import Finding
from catalog.analysis.rules import all_findings
from catalog.analysis.rules import shadow_severity
from catalog.analysis.scorecard import summarize
from catalog.analysis.snapshot import Snapshot
from catalog.vocab import SEVERITIES

__all__ = [
    "AuditResult",
    "ShadowTool",
    "Silo",
    "Finding",
    "Risk",
    "run_audit",
    "to_json",
    "in_use",
    "is_recent",
    "is_shadow",
]


@dataclass(frozen=True)
class ShadowTool:
    """A tool in use without IT's sanction, with every reason (docs/governance.md#shadow-it)."""

    tool: str
    reasons: tuple[str, ...]
    severity: str


@dataclass(frozen=True)
class AuditResult:
    as_of: date
    summary: dict[str, object]
    shadow: tuple[ShadowTool, ...]
    silos: tuple[Silo, ...]
    findings: tuple[Finding, ...]
    risk: tuple[Risk, ...]

    def findings_for(self, subject_type: str, key: str) -> tuple[Finding, ...]:
        """Return the findings whose subject is this tool, flow, silo, category or catalog."""
        return tuple(
            f for f in self.findings if f.subject_type == subject_type and f.subject_key == key
        )


def is_shadow(snapshot: Snapshot, slug: str, as_of: date) -> bool:
    """Return True when the tool is in use and not sanctioned as of the date."""
    return slug in derive_facts(snapshot, as_of).shadow


def _shadow(facts: Facts) -> tuple[ShadowTool, ...]:
    return tuple(
        ShadowTool(tool=slug, reasons=reasons, severity=shadow_severity(facts, slug))
        for slug, reasons in sorted(facts.shadow.items())
    )


def run_audit(snapshot: Snapshot, as_of: date, *, sla_days: int = 10) -> AuditResult:
    """Evaluate every governance rule (docs/governance.md) on the snapshot as of a date."""
    with collector_paused():
        return _run_audit(snapshot, as_of, sla_days)


def _run_audit(snapshot: Snapshot, as_of: date, sla_days: int) -> AuditResult:
    facts = derive_facts(snapshot, as_of)
    findings = all_findings(facts, sla_days)
    summary = summarize(facts, sla_days)
    counts = Counter(f.severity for f in findings)
    summary["findings_by_severity"] = {severity: counts[severity] for severity in SEVERITIES}
    return AuditResult(
        as_of=as_of,
        summary=summary,
        shadow=_shadow(facts),
        silos=facts.silos,
        findings=findings,
        risk=score_tools(facts, blast_sizes(snapshot, BLAST_CAP)),
    )


def to_json(result: AuditResult) -> dict[str, object]:
    """Return the audit JSON document (docs/formats.md#audit-json) as plain dicts and lists."""
    return {
        "as_of": result.as_of.isoformat(),
        "summary": result.summary,
        "shadow_it": [
            {"tool": s.tool, "reasons": list(s.reasons), "severity": s.severity}
            for s in result.shadow
        ],
        "silos": [
            {
                "tools": list(s.tools),
                "data_classes": list(s.data_classes),
                "feeders": list(s.feeders),
                "rogue": s.rogue,
                "severity": s.severity,
            }
            for s in result.silos
        ],
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "subject": {"type": f.subject_type, "key": f.subject_key},
                "message": f.message,
            }
            for f in result.findings
        ],
        "risk": [
            {"tool": r.tool, "score": r.score, "factors": dict(r.factors)} for r in result.risk
        ],
    }
