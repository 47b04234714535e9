"""Okta System Log (API JSON): `user.authentication.sso` events name the app signed in to."""

from __future__ import annotations

import typing as t

from integrations.base import BadRow
from integrations.base import Importer
from integrations.base import Item
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import check_name
from integrations.base import iso_day
from integrations.jsonstream import iter_records

SSO_EVENT = "user.authentication.sso"


class OktaImporter(Importer):
    name = "okta"
    label = "Okta System Log (API JSON)"

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield one observation per SSO event; other event types are skipped."""
        seen_event = False
        for number, (line, event) in enumerate(iter_records(stream), start=1):
            where = f"record {number} (line {line})"
            if not isinstance(event, dict) or "eventType" not in event:
                if not seen_event:
                    raise ParseError(
                        "this is not an Okta System Log export: records have no eventType",
                        where=where,
                    )
                yield BadRow(where, "not an Okta LogEvent (no eventType)")
                continue
            seen_event = True
            if event.get("eventType") != SSO_EVENT:
                yield Skipped(where, f"event type {event.get('eventType')!s:.60}")
                continue
            yield _observation(event, where)


def _observation(event: dict[str, t.Any], where: str) -> Item:
    # `target` is null for session events and a list otherwise (reference 1.1 pitfalls).
    targets = event.get("target") or []
    app = next((x for x in targets if isinstance(x, dict) and x.get("type") == "AppInstance"), None)
    if app is None:
        return Skipped(where, "SSO event without an AppInstance target")
    name = str(app.get("displayName") or app.get("alternateId") or "").strip()
    if problem := check_name(name):
        return BadRow(where, f"target.displayName: {problem}")
    actor = event.get("actor") if isinstance(event.get("actor"), dict) else {}
    user = actor.get("alternateId") or actor.get("id")
    try:
        day = iso_day(str(event.get("published") or ""))
    except ValueError:
        return BadRow(
            where, f"published: {str(event.get('published'))[:40]!r} is not an ISO-8601 timestamp"
        )
    app_id = app.get("id")
    return Observation(name, str(app_id) if app_id else None, str(user) if user else None, day)
