"""The import summary as the CLI prints it (and the web flashes it): every outcome counted by
reason, and why old evidence adds no tool in use."""

from __future__ import annotations

import typing as t
from collections import Counter

MAX_SHOWN = 20


def stale_line(stale: t.Mapping[str, str] | None) -> str | None:
    """Return the 90-day-window sentence for a summary's `stale` note, or None.

    It does not suggest `martech audit --as-of <that day>`: an audit of a past day shows the
    catalog as the change log recorded it on that day, which is before this import.
    """
    if not stale:
        return None
    return (
        f"The newest evidence in this import is from {stale['newest']}, older than the "
        f"{stale['days']}-day in-use window (from {stale['since']}): it adds no tool in use "
        "today, and `martech audit --as-of` shows past days as the catalog recorded them, "
        "before this import, so it counts as use in no audit. It is kept as evidence; import an "
        f"export that reaches into the last {stale['days']} days to count use."
    )


def format_summary(summary: t.Mapping[str, t.Any]) -> str:
    """Return the summary as the lines the CLI prints."""
    s = summary
    lines = [f"Read {s['rows']} records from {', '.join(s['files'])} ({', '.join(s['sources'])})."]
    if s["apps"]:
        lines.append(
            f"Apps: {s['apps']} seen, {s['matched']} matched to tools, "
            f"{len(s['new_tools'])} new discovered tools, {s['ignored']} ignored."
        )
        sc = s["sightings"]
        lines.append(
            f"Sightings: {sc['created']} created, {sc['updated']} updated, "
            f"{sc['unchanged']} unchanged."
        )
    if s["tools"]["created"] or s["tools"]["updated"] or s["tools"]["unchanged"]:
        tc, dc = s["tools"], s["dependencies"]
        lines.append(
            f"Tools: {tc['created']} created, {tc['updated']} updated, "
            f"{tc['unchanged']} unchanged. Dependencies: {dc['created']} created, "
            f"{dc['unchanged']} unchanged."
        )
    for name in s["new_tools"][:MAX_SHOWN]:
        lines.append(f"  new: {name}")
    for hint in s["suggestions"][:MAX_SHOWN]:
        lines.append(f"  possible match: {hint} (confirm or merge it in /imports/triage)")
    platform = s.get("platform_apps") or {}
    if platform:
        lines.append(
            f"Platform apps: {platform.get('attached', 0)} attached to their platform's tool, "
            f"{platform.get('skipped', 0)} skipped (platform not in the catalog)."
        )
    unclassified = s.get("unclassified") or {}
    if unclassified.get("lines"):
        lines.append(
            f"Unclassified spend: {unclassified['lines']} lines from "
            f"{unclassified['merchants']} merchants ({unclassified['added']} new) wait for a "
            "decision in /imports/spend."
        )
    decided = s.get("spend_decisions") or {}
    if decided:
        lines.append(
            f"Spend lines decided earlier: {decided.get('software', 0)} software, "
            f"{decided.get('not_software', 0)} not software."
        )
    if s["skipped"]:
        total = sum(s["skipped"].values())
        reasons = Counter(s["skipped"]).most_common()
        shown = ", ".join(f"{n} {r}" for r, n in reasons[:MAX_SHOWN])
        more = f", and {len(reasons) - MAX_SHOWN} more reasons" if len(reasons) > MAX_SHOWN else ""
        lines.append(f"Skipped {total} records: {shown}{more}.")
    for warning in s["warnings"][:MAX_SHOWN]:
        lines.append(f"  warning: {warning}")
    stale = stale_line(s.get("stale"))
    if stale:
        lines.append(stale)
    lines.append(f"{s['changes']} changes recorded.")
    if s.get("run"):
        lines.append(f"Import run {s['run']} (see /imports/runs/{s['run']}).")
    return "\n".join(lines)
