"""Microsoft Entra ID sign-in logs: the portal CSV (both header variants) and Graph JSON."""

from __future__ import annotations

import typing as t

from integrations.base import BadRow
from integrations.base import CsvRows
from integrations.base import Importer
from integrations.base import Item
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import check_name
from integrations.base import iso_day
from integrations.base import sniff_bytes
from integrations.base import us_day
from integrations.jsonstream import iter_records

# Header names after normalisation (strip, collapse whitespace, casefold): the portal writes
# "Application ID " with a trailing space in both variants (reference 1.3).
APP_COLUMNS = ("Application", "AppDisplayName")
APP_ID_COLUMNS = ("Application ID", "AppId")
USER_COLUMNS = ("Username", "UserPrincipalName", "User ID", "User", "Service principal name")
DATE_COLUMNS = ("Date (UTC)", "CreatedDateTime")


class EntraImporter(Importer):
    name = "entra"
    label = "Microsoft Entra ID sign-in logs (portal CSV or Graph JSON)"

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield one observation per sign-in, from CSV or JSON (chosen by the first character)."""
        head = sniff_bytes(stream, 256).lstrip()
        if head[:1] in ("{", "["):
            yield from _parse_json(stream)
        else:
            yield from _parse_csv(stream)


def _parse_csv(stream: t.BinaryIO) -> t.Iterator[Item]:
    rows = CsvRows(stream, label="Microsoft Entra sign-in")
    i_app = rows.optional(*APP_COLUMNS)
    i_date = rows.optional(*DATE_COLUMNS)
    if i_app is None or i_date is None:
        rows.require("Date (UTC)", "Application")  # raises, naming what is missing
    assert i_app is not None and i_date is not None
    i_id = rows.optional(*APP_ID_COLUMNS)
    i_user = rows.optional(*USER_COLUMNS)
    legacy = rows.header[i_date] == "createddatetime"  # dates like 3/12/2025 7:22:01 AM
    width = max(p for p in (i_app, i_date, i_id, i_user) if p is not None) + 1
    day_of = iso_day
    for number, row in rows:
        if len(row) < width:
            yield BadRow(
                f"row {number}", f"has {len(row)} columns; the header has {len(rows.header)}"
            )
            continue
        name = row[i_app].strip()
        if not name or len(name) > 500:
            yield BadRow(f"row {number}", f"Application: {check_name(name)}")
            continue
        raw_date = row[i_date]
        try:
            day = us_day(raw_date.split(" ")[0]) if legacy else day_of(raw_date)
        except ValueError:
            yield BadRow(f"row {number}", f"{rows.names[i_date]}: {raw_date[:40]!r} is not a date")
            continue
        app_id = row[i_id].strip() if i_id is not None else ""
        user = row[i_user].strip() if i_user is not None else ""
        yield Observation(name, app_id or None, user or None, day)


def _parse_json(stream: t.BinaryIO) -> t.Iterator[Item]:
    seen = False
    for number, (line, record) in enumerate(iter_records(stream, ("value", "records")), start=1):
        where = f"record {number} (line {line})"
        # Azure Monitor archives wrap the sign-in in `properties` (reference 1.3, other shapes).
        sign_in = record.get("properties") if isinstance(record, dict) else None
        if not isinstance(sign_in, dict):
            sign_in = record
        if not isinstance(sign_in, dict) or "appDisplayName" not in sign_in:
            if not seen:
                raise ParseError(
                    "this is not an Entra sign-in export: records have no appDisplayName",
                    where=where,
                )
            yield BadRow(where, "not a sign-in (no appDisplayName)")
            continue
        seen = True
        name = str(sign_in.get("appDisplayName") or "").strip()
        if problem := check_name(name):
            yield BadRow(where, f"appDisplayName: {problem}")
            continue
        stamp = sign_in.get("createdDateTime") or record.get("time")
        try:
            day = iso_day(str(stamp or ""))
        except ValueError:
            yield BadRow(
                where, f"createdDateTime: {str(stamp)[:40]!r} is not an ISO-8601 timestamp"
            )
            continue
        user = sign_in.get("userPrincipalName") or sign_in.get("userId")
        app_id = sign_in.get("appId")
        yield Observation(name, str(app_id) if app_id else None, str(user) if user else None, day)
