"""Lay what people decided about findings over an audit report (pure: no Flask, no session).

A finding is known by its rule and subject key, so a decision survives every re-run of the audit.
A risk accepted until a date leaves the severity totals and moves to the report's
`accepted_risks` list until that date has passed; then it is an open finding again by itself.
"""

from __future__ import annotations

import typing as t
from collections import Counter
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class State:
    accepted_until: date | None = None
    accepted_by: str = ""
    accepted_reason: str = ""
    assignee: str = ""
    due: date | None = None
    ticket_url: str = ""

    def status(self, as_of: date) -> str:
        """`accepted` until the expiry date (inclusive), then `open` or `assigned` again."""
        if self.accepted_until is not None and as_of <= self.accepted_until:
            return "accepted"
        return "assigned" if self.assignee else "open"

    def as_json(self, as_of: date) -> dict[str, t.Any]:
        expired = self.accepted_until is not None and as_of > self.accepted_until
        return {
            "status": self.status(as_of),
            "assignee": self.assignee or None,
            "due": self.due.isoformat() if self.due else None,
            "ticket": self.ticket_url or None,
            "accepted_until": self.accepted_until.isoformat() if self.accepted_until else None,
            "accepted_by": self.accepted_by or None,
            "reason": self.accepted_reason or None,
            "acceptance_expired": expired,
        }


def apply_states(
    report: dict[str, t.Any], states: t.Mapping[tuple[str, str], State], as_of: date
) -> dict[str, t.Any]:
    """Return a copy of the report with each finding's state, accepted risks set apart.

    The report given is shared by a cache and is never changed.

    >>> report = {"summary": {"findings_by_severity": {"high": 1, "low": 1}}, "findings": [
    ...     {"rule": "R", "severity": "high", "subject": {"type": "tool", "key": "a"}},
    ...     {"rule": "R", "severity": "low", "subject": {"type": "tool", "key": "b"}}]}
    >>> out = apply_states(report, {("R", "a"): State(accepted_until=date(2027, 1, 1))},
    ...                    date(2026, 12, 1))
    >>> [f["subject"]["key"] for f in out["findings"]], out["summary"]["findings_by_severity"]
    (['b'], {'high': 0, 'low': 1})
    >>> [f["state"]["status"] for f in out["accepted_risks"]]
    ['accepted']
    >>> later = apply_states(report, {("R", "a"): State(accepted_until=date(2027, 1, 1))},
    ...                      date(2027, 1, 2))
    >>> len(later["findings"]), later["findings"][0]["state"]["acceptance_expired"]
    (2, True)
    """
    if not states:
        return report | {"accepted_risks": []}
    findings: list[dict[str, t.Any]] = []
    accepted: list[dict[str, t.Any]] = []
    for finding in report["findings"]:
        state = states.get((finding["rule"], finding["subject"]["key"]))
        if state is None:
            findings.append(finding)
            continue
        finding = finding | {"state": state.as_json(as_of)}
        (accepted if finding["state"]["status"] == "accepted" else findings).append(finding)
    counts = Counter(f["severity"] for f in findings)
    summary = dict(report["summary"])
    summary["findings_by_severity"] = {sev: counts[sev] for sev in summary["findings_by_severity"]}
    summary["accepted_risks"] = len(accepted)
    return report | {"summary": summary, "findings": findings, "accepted_risks": accepted}
