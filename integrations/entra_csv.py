"""Microsoft Entra ID sign-ins as CSV: the portal download (both header variants, the legacy
export, the service-principal file) and the Log Analytics / Sentinel "Export to CSV" of the
SigninLogs tables.

Columns are found by name, never by position: each layout names the same thing differently.
"""

from __future__ import annotations

import typing as t

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
    rows = CsvRows(
        stream, label="Microsoft Entra sign-in", expect=(APP_COLUMNS, DATE_COLUMNS)
    )
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
    platforms = PlatformApps()
    platform_of = platforms.platform
    for number, row in rows:
        if len(row) < width:
            yield BadRow(
                f"row {number}", f"has {len(row)} columns; the header has {len(rows.header)}"
            )
            continue
        user = row[i_user].strip() if i_user is not None else ""
        if (
            apps_only
            or (i_kind is not None and row[i_kind].strip().casefold() in NOT_A_PERSON_KINDS)
            or (i_mi is not None and row[i_mi].strip().casefold() not in NO_IDENTITY)
            or (i_sp is not None and not user and row[i_sp].strip())
        ):
            yield Skipped(f"row {number}", NOT_A_PERSON)
            continue
        if not entra_status_ok(
            row[i_status] if i_status is not None else "",
            row[i_code] if i_code is not None else "",
        ):
            yield Skipped(f"row {number}", FAILED)
            continue
        if (i_inter is not None and row[i_inter].strip().casefold() in NO_FLAG) or (
            i_kind is not None and row[i_kind].strip().casefold() in NON_INTERACTIVE_KINDS
        ):
            yield Skipped(f"row {number}", NON_INTERACTIVE)
            continue
        name = row[i_app].strip()
        if not name or len(name) > 500:
            yield BadRow(f"row {number}", f"{rows.names[i_app]}: {check_name(name)}")
            continue
        raw_date = row[i_date]
        try:
            day = signin_day(raw_date)
        except ValueError:
            yield BadRow(f"row {number}", f"{rows.names[i_date]}: {raw_date[:40]!r} is not a date")
            continue
        app_id = row[i_id].strip() if i_id is not None else ""
        yield Observation(
            name, app_id or None, user or None, day, platform=platform_of(name, app_id or None)
        )
