"""What the sign-in importers share: the skip reasons and the timestamp layouts they meet.

Only a person's successful sign-in is evidence that a tool is in use. Everything else a sign-in
log holds is read and counted under one of these reasons, so the import summary says why it was
left out. The strings are stable: the summary and the import runs count by them.
"""

from __future__ import annotations

import json
from datetime import date

from integrations.base import iso_day
from integrations.base import us_day

#: The sign-in did not succeed (Entra error code not 0, status "Failure"; Okta outcome not
#: SUCCESS).
FAILED = "failed sign-in"
#: An application signing in as itself (Entra service principals and managed identities).
NOT_A_PERSON = "service principal or managed identity"
#: A client refreshing a token without the person in front of it (Entra isInteractive false).
NON_INTERACTIVE = "non-interactive sign-in"
#: Okta events whose actor is not a User (an API client, Okta itself).
NOT_A_USER = "not a user sign-in"
#: A Google OAuth token taken back: the opposite of use.
TOKEN_REVOKED = "token revoked"

_DAYS: dict[str, date] = {}


def signin_day(text: str) -> date:
    """Return the date of a sign-in timestamp in any layout the exports use.

    ISO-8601 (`2025-12-04T08:19:41Z`, offsets, 7 fraction digits), the legacy portal's
    `3/12/2025 7:22:01 AM` and Log Analytics' `9/19/2023, 1:42:37.848 PM` (month first, as the
    portal writes them). Raises ValueError for anything else.
    """
    value = text.strip()
    if value[4:5] == "-":
        return iso_day(value)
    head = value.split(",", 1)[0].split(" ", 1)[0]
    day = _DAYS.get(head)
    if day is None:
        day = us_day(head)
        if len(_DAYS) < 10_000:
            _DAYS[head] = day
    return day


def entra_status_ok(status: str, code: str) -> bool:
    """Return False when a CSV row's Status or error-code cell says the sign-in failed.

    Status reads "Success"/"Failure"/"Interrupted" in the portal download and is a JSON object
    (`{"errorCode":50140,...}`) in the Log Analytics export; the code column ("Sign-in error
    code", "ResultType") is "0" on success. An empty cell says nothing; a row with neither
    counts as a success (the minimal exports have no status at all).
    """
    code = code.strip()
    if code and code != "0":
        return False
    status = status.strip()
    if not status:
        return True
    if status[0] == "{":
        try:
            value = json.loads(status)
        except ValueError:
            return False
        return isinstance(value, dict) and str(value.get("errorCode", 0)).strip() == "0"
    return status.casefold() in ("success", "0")
