"""Google Workspace OAuth token audit (Reports API JSON): third-party apps users authorised."""

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
from integrations.platform_apps import PlatformApps
from integrations.signins import TOKEN_REVOKED


class GoogleWorkspaceImporter(Importer):
    name = "google_workspace"
    label = "Google Workspace OAuth token audit (Reports API JSON)"

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield one observation per `authorize` event; revokes and other events are skipped."""
        seen = False
        platform_of = PlatformApps().platform
        for number, (line, activity) in enumerate(iter_records(stream, ("items",)), start=1):
            where = f"record {number} (line {line})"
            if not isinstance(activity, dict) or "events" not in activity:
                if not seen:
                    raise ParseError(
                        "this is not a Google Workspace token audit export: "
                        "activities have no events",
                        where=where,
                    )
                yield BadRow(where, "not a Reports API activity (no events)")
                continue
            seen = True
            # The API sends a list of events; Elastic's fixtures flatten it to one object.
            events = activity["events"]
            for event in events if isinstance(events, list) else [events]:
                yield _observation(activity, event, where, platform_of)


def _params(event: dict[str, t.Any]) -> dict[str, t.Any]:
    values: dict[str, t.Any] = {}
    for param in event.get("parameters") or []:
        if not isinstance(param, dict) or "name" not in param:
            continue
        # Exactly one value slot is set per parameter; int64 slots may arrive as strings.
        for slot in (
            "value",
            "multiValue",
            "intValue",
            "multiIntValue",
            "boolValue",
            "messageValue",
            "multiMessageValue",
        ):
            if slot in param:
                values[str(param["name"])] = param[slot]
                break
    return values


def _observation(
    activity: dict[str, t.Any],
    event: t.Any,
    where: str,
    platform_of: t.Callable[[str | None, str | None], str | None],
) -> Item:
    if not isinstance(event, dict):
        return BadRow(where, "events: each event must be an object")
    if event.get("name") == "revoke":
        return Skipped(where, TOKEN_REVOKED)
    if event.get("name") != "authorize":
        return Skipped(where, f"token event {event.get('name')!s:.40}")
    params = _params(event)
    name = str(params.get("app_name") or "").strip()
    client_id = str(params.get("client_id") or "").strip() or None
    if not name and client_id:
        name = client_id
    if problem := check_name(name):
        return BadRow(where, f"app_name: {problem}")
    actor = activity.get("actor")
    if not isinstance(actor, dict):
        actor = {}
    user = actor.get("email") or actor.get("profileId")
    ident = activity.get("id")
    if not isinstance(ident, dict):
        ident = {}
    try:
        day = iso_day(str(ident.get("time") or ""))
    except ValueError:
        return BadRow(
            where, f"id.time: {str(ident.get('time'))[:40]!r} is not an ISO-8601 timestamp"
        )
    scope = params.get("scope")
    scopes = tuple(str(s) for s in scope[:50]) if isinstance(scope, list) else ()
    return Observation(
        name,
        client_id,
        str(user) if user else None,
        day,
        scopes=scopes,
        platform=platform_of(name, client_id),
    )
