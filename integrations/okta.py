"""Okta System Log: `user.authentication.sso` events name the app a person signed in to.

Read from the System Log API's JSON (an array or JSON lines), and from the flattened records of a
Log Analytics workspace (the Okta_CL table: `eventType_s`, `outcome_result_s`, `target_s` holding
the targets as a JSON string), as JSON or as its "Export to CSV".
"""

from __future__ import annotations

import json
import typing as t

from integrations.base import BadRow
from integrations.base import CsvRows
from integrations.base import Importer
from integrations.base import Item
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import check_name
from integrations.base import sniff_bytes
from integrations.jsonstream import iter_records
from integrations.platform_apps import PlatformApps
from integrations.signins import FAILED
from integrations.signins import NOT_A_USER
from integrations.signins import signin_day

SSO_EVENT = "user.authentication.sso"
# Flattened column -> LogEvent path. Log Analytics suffixes the type (_s string, _t datetime)
# and its CSV export adds " [UTC]" to datetime headers.
FLAT_COLUMNS: dict[str, tuple[str, ...]] = {
    "eventType": ("eventType_s",),
    "result": ("outcome_result_s",),
    "actor_alternateId": ("actor_alternateId_s",),
    "actor_id": ("actor_id_s",),
    "actor_type": ("actor_type_s",),
    "published": ("published_t [UTC]", "published_t", "TimeGenerated [UTC]", "TimeGenerated"),
    "target": ("target_s",),
}


class OktaImporter(Importer):
    name = "okta"
    label = "Okta System Log (API JSON, or Log Analytics records as JSON or CSV)"

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield one observation per successful SSO by a person; other events are skipped."""
        head = sniff_bytes(stream, 256).lstrip()
        if head[:1] in ("{", "[") or not head:
            yield from _parse_json(stream)
        else:
            yield from _parse_csv(stream)


def _parse_json(stream: t.BinaryIO) -> t.Iterator[Item]:
    seen_event = False
    platform_of = PlatformApps().platform
    for number, (line, event) in enumerate(iter_records(stream), start=1):
        where = f"record {number} (line {line})"
        if isinstance(event, dict) and "eventType" not in event and "eventType_s" in event:
            event = _unflatten(event)
        if not isinstance(event, dict) or "eventType" not in event:
            if not seen_event:
                raise ParseError(
                    "this is not an Okta System Log export: records have no eventType", where=where
                )
            yield BadRow(where, "not an Okta LogEvent (no eventType)")
            continue
        seen_event = True
        yield _item(event, where, platform_of)


def _parse_csv(stream: t.BinaryIO) -> t.Iterator[Item]:
    rows = CsvRows(stream, label="Okta System Log", expect=(FLAT_COLUMNS["eventType"],))
    positions = {field: rows.optional(*names) for field, names in FLAT_COLUMNS.items()}
    i_type = positions["eventType"]
    assert i_type is not None  # CsvRows found the header by it
    platform_of = PlatformApps().platform
    for number, row in rows:
        event_type = row[i_type] if i_type < len(row) else ""
        if event_type != SSO_EVENT:  # most of a System Log; no need to read its targets
            yield Skipped(f"row {number}", f"event type {event_type!s:.60}")
            continue
        flat = {field: row[p] for field, p in positions.items() if p is not None and p < len(row)}
        event = _unflatten_fields(flat)
        yield _item(event, f"row {number}", platform_of)


def _unflatten(record: dict[str, t.Any]) -> dict[str, t.Any]:
    flat = {}
    for field, names in FLAT_COLUMNS.items():
        for name in names:
            if name in record:
                flat[field] = record[name]
                break
    return _unflatten_fields(flat)


def _unflatten_fields(flat: dict[str, t.Any]) -> dict[str, t.Any]:
    """Rebuild the part of a LogEvent that discovery reads from its flattened fields."""
    target = flat.get("target")
    if isinstance(target, str):
        try:
            target = json.loads(target) if target.strip() else None
        except ValueError:
            target = ValueError  # reported by _item with the record's place
    return {
        "eventType": flat.get("eventType"),
        "outcome": {"result": flat.get("result")},
        "actor": {
            "alternateId": flat.get("actor_alternateId"),
            "id": flat.get("actor_id"),
            "type": flat.get("actor_type") or None,
        },
        "published": flat.get("published"),
        "target": target,
    }


def _item(event: dict[str, t.Any], where: str, platform_of: t.Callable[..., str | None]) -> Item:
    if event.get("eventType") != SSO_EVENT:
        return Skipped(where, f"event type {event.get('eventType')!s:.60}")
    outcome = event.get("outcome")
    result = outcome.get("result") if isinstance(outcome, dict) else None
    if result and str(result).upper() != "SUCCESS":
        return Skipped(where, FAILED)
    actor = event.get("actor")
    if not isinstance(actor, dict):
        actor = {}
    if actor.get("type") and actor["type"] != "User":
        return Skipped(where, NOT_A_USER)
    # `target` is null for session events and a list otherwise (reference 1.1 pitfalls).
    targets = event.get("target") or []
    if targets is ValueError:
        return BadRow(where, "target_s: not valid JSON")
    if not isinstance(targets, list):
        targets = []
    app = next((x for x in targets if isinstance(x, dict) and x.get("type") == "AppInstance"), None)
    if app is None:
        return Skipped(where, "SSO event without an AppInstance target")
    name = str(app.get("displayName") or app.get("alternateId") or "").strip()
    if problem := check_name(name):
        return BadRow(where, f"target.displayName: {problem}")
    user = actor.get("alternateId") or actor.get("id")
    try:
        day = signin_day(str(event.get("published") or ""))
    except ValueError:
        return BadRow(
            where, f"published: {str(event.get('published'))[:40]!r} is not an ISO-8601 timestamp"
        )
    app_id = str(app.get("id") or "").strip() or None
    return Observation(
        name, app_id, str(user) if user else None, day, platform=platform_of(name, app_id)
    )
