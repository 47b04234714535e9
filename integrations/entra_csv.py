"""Microsoft Entra ID sign-ins as CSV: the portal download (both header variants, the legacy
export, the service-principal file) and the Log Analytics / Sentinel "Export to CSV" of the
SigninLogs tables.

Columns are found by name, never by position: each layout names the same thing differently.
"""

from __future__ import annotations

import operator
import typing as t
from datetime import date

from integrations.base import BadRow
from integrations.base import CsvRows
from integrations.base import Item
from integrations.base import Observation
from integrations.base import Skipped
from integrations.base import check_name
from integrations.platform_apps import PlatformApps
from integrations.signins import FAILED
from integrations.signins import NON_INTERACTIVE
from integrations.signins import NOT_A_PERSON
from integrations.signins import entra_status_ok
from integrations.signins import signin_day

# Alternatives in order of preference, matched after normalisation (strip, collapse whitespace,
# casefold): the portal writes "Application ID " with a trailing space; Log Analytics suffixes
# datetime columns with " [UTC]".
APP_COLUMNS = ("Application", "AppDisplayName")
APP_ID_COLUMNS = ("Application ID", "AppId")
USER_COLUMNS = ("Username", "UserPrincipalName", "User ID", "UserId", "User")
DATE_COLUMNS = (
    "Date (UTC)",
    "CreatedDateTime [UTC]",
    "CreatedDateTime",
    "TimeGenerated [UTC]",
    "TimeGenerated",
)
CODE_COLUMNS = ("Sign-in error code", "ResultType")
STATUS_COLUMNS = ("Status",)
INTERACTIVE_COLUMNS = ("IsInteractive", "Is interactive")
# Log Analytics names the kind of sign-in twice: Category (as in Azure Monitor) and Type (the
# table). Either tells a person's sign-in from an application's.
KIND_COLUMNS = ("Category", "Type")
SERVICE_PRINCIPAL_COLUMNS = ("Service principal ID", "ServicePrincipalId")
MANAGED_IDENTITY_COLUMNS = ("Managed Identity type", "ManagedIdentityType")

NOT_A_PERSON_KINDS = frozenset(
    {
        "serviceprincipalsigninlogs",
        "managedidentitysigninlogs",
        "aadserviceprincipalsigninlogs",
        "aadmanagedidentitysigninlogs",
    }
)
NON_INTERACTIVE_KINDS = frozenset(
    {"noninteractiveusersigninlogs", "aadnoninteractiveusersigninlogs"}
)
NO_FLAG = ("false", "0", "no")  # an IsInteractive cell that says "not interactive"
NO_IDENTITY = ("", "none")  # a Managed Identity type cell of a person's sign-in


def parse_csv(stream: t.BinaryIO) -> t.Iterator[Item]:
    """Yield an observation per successful sign-in by a person; skip the rest with a reason."""
    rows = CsvRows(stream, label="Microsoft Entra sign-in", expect=(APP_COLUMNS, DATE_COLUMNS))
    i_app, i_date = rows.require(APP_COLUMNS, DATE_COLUMNS)
    i_id = rows.optional(*APP_ID_COLUMNS)
    i_user = rows.optional(*USER_COLUMNS)
    i_code = rows.optional(*CODE_COLUMNS)
    i_status = rows.optional(*STATUS_COLUMNS)
    i_inter = rows.optional(*INTERACTIVE_COLUMNS)
    i_kind = rows.optional(*KIND_COLUMNS)
    i_sp = rows.optional(*SERVICE_PRINCIPAL_COLUMNS)
    i_mi = rows.optional(*MANAGED_IDENTITY_COLUMNS)
    # The portal's service-principal download has a Service principal ID and no user at all.
    apps_only = i_sp is not None and i_user is None
    positions = (i_app, i_date, i_id, i_user, i_code, i_status, i_inter, i_kind, i_sp, i_mi)
    width = max(p for p in positions if p is not None) + 1
    platform_of = PlatformApps().platform
    # The hot loop of a million-row import: the cells that decide whether a row counts take a
    # handful of values per file, so each combination is judged once; dates and platforms are
    # memoised the same way.
    checks = [p for p in (i_kind, i_mi, i_code, i_status, i_inter) if p is not None]
    cells_of = operator.itemgetter(*checks) if checks else _no_cells
    judged: dict[t.Any, str | None] = {}
    days: dict[str, date] = {}
    platforms: dict[tuple[str, str], str | None] = {}
    for number, row in rows:
        if len(row) < width:
            yield BadRow(
                f"row {number}", f"has {len(row)} columns; the header has {len(rows.header)}"
            )
            continue
        user = row[i_user].strip() if i_user is not None else ""
        key = cells_of(row)
        if i_sp is not None:
            key = (key, not user and bool(row[i_sp].strip()))
        reason = judged.get(key, _UNJUDGED)
        if reason is _UNJUDGED:
            no_user = i_sp is not None and not user and bool(row[i_sp].strip())
            reason = _judge(row, apps_only or no_user, i_kind, i_mi, i_code, i_status, i_inter)
            if len(judged) < 10_000:  # bounded: a hostile file may make every row unique
                judged[key] = reason
        if reason is not None:
            yield Skipped(f"row {number}", reason)
            continue
        name = row[i_app].strip()
        if not name or len(name) > 500:
            yield BadRow(f"row {number}", f"{rows.names[i_app]}: {check_name(name)}")
            continue
        raw_date = row[i_date]
        day = days.get(raw_date[:10])
        if day is None:
            try:
                day = signin_day(raw_date)
            except ValueError:
                yield BadRow(
                    f"row {number}", f"{rows.names[i_date]}: {raw_date[:40]!r} is not a date"
                )
                continue
            if raw_date[:1].strip() and len(days) < 10_000:
                days[raw_date[:10]] = day  # the first ten characters fix the day in every layout
        app_id = row[i_id].strip() if i_id is not None else ""
        platform = platforms.get((name, app_id), _UNJUDGED)
        if platform is _UNJUDGED:
            platform = platforms[(name, app_id)] = platform_of(name, app_id or None)
        # Positional: keyword arguments make a NamedTuple noticeably slower to build.
        yield Observation(name, app_id or None, user or None, day, None, None, (), platform)


_UNJUDGED: t.Any = object()


def _no_cells(row: list[str]) -> tuple[()]:
    return ()


def _judge(
    row: list[str],
    not_a_person: bool,
    i_kind: int | None,
    i_mi: int | None,
    i_code: int | None,
    i_status: int | None,
    i_inter: int | None,
) -> str | None:
    """Return why a row does not count as use (first reason that applies), or None."""
    kind = row[i_kind].strip().casefold() if i_kind is not None else ""
    if (
        not_a_person
        or kind in NOT_A_PERSON_KINDS
        or (i_mi is not None and row[i_mi].strip().casefold() not in NO_IDENTITY)
    ):
        return NOT_A_PERSON
    if not entra_status_ok(
        row[i_status] if i_status is not None else "", row[i_code] if i_code is not None else ""
    ):
        return FAILED
    if (i_inter is not None and row[i_inter].strip().casefold() in NO_FLAG) or (
        kind in NON_INTERACTIVE_KINDS
    ):
        return NON_INTERACTIVE
    return None
