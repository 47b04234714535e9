"""Microsoft Entra ID sign-in logs: CSV (portal download, Log Analytics export; entra_csv.py) and
JSON (Graph `auditLogs/signIns`, the portal's JSON download, Azure Monitor diagnostic records).

Only a person's successful, interactive sign-in counts as use; failed, non-interactive and
application sign-ins are skipped with their reason (integrations/signins.py).
"""

from __future__ import annotations

import typing as t

from integrations.base import BadRow
from integrations.base import Importer
from integrations.base import Item
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import check_name
from integrations.base import sniff_bytes
from integrations.entra_csv import NON_INTERACTIVE_KINDS
from integrations.entra_csv import NOT_A_PERSON_KINDS
from integrations.entra_csv import parse_csv
from integrations.jsonstream import iter_records
from integrations.platform_apps import PlatformApps
from integrations.signins import FAILED
from integrations.signins import NON_INTERACTIVE
from integrations.signins import NOT_A_PERSON
from integrations.signins import signin_day

# Graph beta's signInEventTypes values that are not a person at the keyboard.
_APP_EVENT_TYPES = frozenset({"serviceprincipal", "managedidentity"})


class EntraImporter(Importer):
    name = "entra"
    label = "Microsoft Entra ID sign-in logs (CSV, Log Analytics CSV, Graph or Azure Monitor JSON)"

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield one observation per counted sign-in, from CSV or JSON (by the first character)."""
        head = sniff_bytes(stream, 256).lstrip()
        if head[:1] in ("{", "["):
            yield from _parse_json(stream)
        else:
            yield from parse_csv(stream)


def _camel(record: dict[str, t.Any]) -> dict[str, t.Any]:
    """Log Analytics spells the Graph fields in PascalCase (AppDisplayName); read both."""
    return {key[:1].lower() + key[1:]: value for key, value in record.items()}


def _is_sign_in(sign_in: dict[str, t.Any], category: str) -> bool:
    return "appDisplayName" in sign_in or "appId" in sign_in or category.endswith("signinlogs")


def _parse_json(stream: t.BinaryIO) -> t.Iterator[Item]:
    seen = False
    platform_of = PlatformApps().platform
    for number, (line, record) in enumerate(iter_records(stream, ("value", "records")), start=1):
        where = f"record {number} (line {line})"
        # Azure Monitor records wrap the sign-in in `properties`, with the kind of sign-in in
        # `category` and the error code in `resultType` beside it.
        outer = record if isinstance(record, dict) else {}
        sign_in = outer.get("properties")
        if not isinstance(sign_in, dict):
            sign_in = record
        if isinstance(sign_in, dict) and "AppDisplayName" in sign_in:
            sign_in = _camel(sign_in)
        category = str(outer.get("category") or outer.get("Category") or "").casefold()
        if not isinstance(sign_in, dict) or not _is_sign_in(sign_in, category):
            if not seen:
                raise ParseError(
                    "this is not an Entra sign-in export: records have no appDisplayName",
                    where=where,
                )
            yield BadRow(where, "not a sign-in (no appDisplayName)")
            continue
        seen = True
        reason = _reason(outer, sign_in, category)
        if reason is not None:
            yield Skipped(where, reason)
            continue
        name = str(sign_in.get("appDisplayName") or "").strip()
        if problem := check_name(name):
            yield BadRow(where, f"appDisplayName: {problem}")
            continue
        stamp = sign_in.get("createdDateTime") or outer.get("time")
        try:
            day = signin_day(str(stamp or ""))
        except ValueError:
            yield BadRow(
                where, f"createdDateTime: {str(stamp)[:40]!r} is not an ISO-8601 timestamp"
            )
            continue
        user = sign_in.get("userPrincipalName") or sign_in.get("userId")
        app_id = str(sign_in.get("appId") or "").strip() or None
        user = str(user) if user else None
        yield Observation(name, app_id, user, day, None, None, (), platform_of(name, app_id))


def _reason(outer: dict[str, t.Any], sign_in: dict[str, t.Any], category: str) -> str | None:
    """Return why a sign-in does not count as use, or None when it does."""
    kinds = sign_in.get("signInEventTypes")
    kinds = {str(k).casefold() for k in kinds} if isinstance(kinds, list) else set()
    identity = str(sign_in.get("managedIdentityType") or "none").casefold()
    if (
        category in NOT_A_PERSON_KINDS
        or kinds & _APP_EVENT_TYPES
        or identity != "none"
        or (
            sign_in.get("servicePrincipalId")
            and not sign_in.get("userPrincipalName")
            and not sign_in.get("userId")
        )
    ):
        return NOT_A_PERSON
    status = sign_in.get("status")
    code = status.get("errorCode") if isinstance(status, dict) else None
    if code is None:
        code = outer.get("resultType", sign_in.get("resultType"))
    if code is not None and str(code).strip() not in ("", "0"):
        return FAILED
    interactive = sign_in.get("isInteractive")
    if (
        interactive is False
        or str(interactive).casefold() == "false"
        or category in NON_INTERACTIVE_KINDS
        or ("noninteractiveuser" in kinds and "interactiveuser" not in kinds)
    ):
        return NON_INTERACTIVE
    return None
