"""The audit findings (docs/governance.md#rules), one small generator per rule, reading `Facts`.

Each rule is declared once in `catalog.analysis.registry` (id, severity, subject, words); a
generator in `data` (customer data and shadow IT) or `stack` (owners, process, the stack's
shape) says which rules it `emits` and builds their findings.
"""

from __future__ import annotations

from operator import attrgetter

from catalog.analysis.facts import Facts
from catalog.analysis.rules import data
from catalog.analysis.rules import stack
from catalog.analysis.rules.base import SEVERITY_RANK
from catalog.analysis.rules.base import Finding
from catalog.analysis.rules.data import shadow_severity

__all__ = ["Finding", "SEVERITY_RANK", "shadow_severity", "all_findings"]


def all_findings(facts: Facts, sla_days: int) -> tuple[Finding, ...]:
    """Return every finding, sorted by severity, rule, subject key (then message)."""
    found = [
        *data.shadow_findings(facts),
        *data.silo_findings(facts),
        *data.flow_findings(facts),
        *stack.owner_findings(facts),
        *data.exposure_findings(facts),
        *stack.approval_findings(facts, sla_days),
        *stack.redundancy_findings(facts),
        *stack.spof_findings(facts),
        *data.catalog_findings(facts),
    ]
    found.extend(stack.renewal_findings(facts, found))
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
