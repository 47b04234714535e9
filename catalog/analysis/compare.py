"""What changed between two audits: shadow tools, silos, findings and shadow spend (pure)."""

from __future__ import annotations

import typing as t


def _finding_key(f: t.Mapping[str, t.Any]) -> tuple[str, str]:
    return f["rule"], f["subject"]["key"]


def compare(before: t.Mapping[str, t.Any], after: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Return what appeared and went away between two audit documents (as `to_json` gives).

    Findings are matched by rule and subject key, silos by their tools, shadow tools by slug.

    >>> a = {"as_of": "2026-01-01", "summary": {"shadow_spend": {"USD": 10.0}},
    ...      "shadow_it": [{"tool": "x"}], "silos": [],
    ...      "findings": [{"rule": "R", "subject": {"key": "x"}, "severity": "high"}]}
    >>> b = {"as_of": "2026-02-01", "summary": {"shadow_spend": {}},
    ...      "shadow_it": [{"tool": "y"}], "silos": [{"tools": ["y"]}], "findings": []}
    >>> c = compare(a, b)
    >>> c["shadow"]["appeared"], c["shadow"]["went_away"], len(c["findings"]["closed"])
    (['y'], ['x'], 1)
    """
    shadow_then = {row["tool"] for row in before["shadow_it"]}
    shadow_now = {row["tool"] for row in after["shadow_it"]}
    silos_then = {tuple(s["tools"]): s for s in before["silos"]}
    silos_now = {tuple(s["tools"]): s for s in after["silos"]}
    found_then = {_finding_key(f): f for f in before["findings"]}
    found_now = {_finding_key(f): f for f in after["findings"]}
    return {
        "from": before["as_of"],
        "to": after["as_of"],
        "shadow": {
            "appeared": sorted(shadow_now - shadow_then),
            "went_away": sorted(shadow_then - shadow_now),
            "then": len(shadow_then),
            "now": len(shadow_now),
        },
        "silos": {
            "formed": [silos_now[k] for k in sorted(silos_now.keys() - silos_then.keys())],
            "dissolved": [silos_then[k] for k in sorted(silos_then.keys() - silos_now.keys())],
            "then": len(silos_then),
            "now": len(silos_now),
        },
        "findings": {
            "opened": [found_now[k] for k in sorted(found_now.keys() - found_then.keys())],
            "closed": [found_then[k] for k in sorted(found_then.keys() - found_now.keys())],
            "then": len(found_then),
            "now": len(found_now),
        },
        "shadow_spend": {
            "then": dict(before["summary"].get("shadow_spend", {})),
            "now": dict(after["summary"].get("shadow_spend", {})),
        },
    }
