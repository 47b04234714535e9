"""`auto`: tell which source an export comes from by its header row or its JSON markers.

Exports open with a BOM, empty rows or a preamble (a title, an account number): up to
MAX_PREAMBLE rows are passed over and the first row that looks like a known header decides.
When nothing fits, the message lists what was looked for, so the user can choose the source.
"""

from __future__ import annotations

import csv
import re
import typing as t

from integrations.base import MAX_PREAMBLE
from integrations.base import ParseError
from integrations.base import norm_header

# JSON: a marker (a regular expression over the case-folded first 64 KB) decides, first match
# wins (okta before entra: an Okta event may name an Entra app, never the reverse).
JSON_MARKERS: tuple[tuple[str, str, str], ...] = (
    (r'"eventtype"\s*:', "okta", 'Okta System Log ("eventType")'),
    (r'"eventtype_s"\s*:', "okta", 'Okta records in Log Analytics ("eventType_s")'),
    (r'"appdisplayname"\s*:', "entra", 'Entra sign-ins ("appDisplayName")'),
    (r'"category"\s*:\s*"\w*signinlogs"', "entra", 'Azure Monitor sign-in records ("category")'),
    (r"auditlogs/signins", "entra", "Graph auditLogs/signIns"),
    (r"admin#reports#activit", "google_workspace", 'Google Reports API ("admin#reports#...")'),
    (r'"applicationname"\s*:', "google_workspace", 'Google token audit ("applicationName")'),
)

# A header rule: every group must be present; a group is one column or alternatives.
Rule = tuple[str, tuple[tuple[str, ...], ...], str]
_DATE = (
    "Date (UTC)",
    "CreatedDateTime",
    "CreatedDateTime [UTC]",
    "TimeGenerated [UTC]",
    "TimeGenerated",
)
CSV_RULES: tuple[Rule, ...] = (
    (
        "entra",
        (("Application", "AppDisplayName"), _DATE),
        "Entra sign-ins: Date (UTC) + Application (portal), or AppDisplayName + CreatedDateTime/"
        "TimeGenerated [UTC] (Log Analytics)",
    ),
    ("okta", (("eventType_s",),), "Okta records in Log Analytics: eventType_s"),
    (
        "expensify",
        (("Timestamp",), ("Merchant",), ("Amount",)),
        "Expensify: Timestamp, Merchant, Amount",
    ),
    ("card_csv", (("merchant_name",),), "Ramp/generic card: merchant_name"),
    (
        "card_csv",
        (("Date",), ("Description",), ("Amount",)),
        "American Express: Date, Description, Amount",
    ),
    (
        "card_csv",
        (("Transaction Date", "Trans Date"), ("Post Date",), ("Description",), ("Amount",)),
        "Chase: Transaction Date (or Trans Date), Post Date, Description, Amount",
    ),
    (
        "card_csv",
        (("Posted Date",), ("Payee",), ("Amount",)),
        "Bank of America: Posted Date, Payee, Amount",
    ),
    (
        "card_csv",
        (("Transaction Date",), ("Posted Date",), ("Description",), ("Debit",), ("Credit",)),
        "Capital One: Transaction Date, Posted Date, Description, Debit, Credit",
    ),
    (
        "card_csv",
        (("Status",), ("Date",), ("Description",), ("Debit",), ("Credit",)),
        "Citi: Status, Date, Description, Debit, Credit",
    ),
    (
        "catalog_csv",
        (("name",), ("slug", "category", "lifecycle", "vendor", "business_owner")),
        "catalog: name + slug/category/lifecycle/vendor/business_owner",
    ),
)


def _header_key(cell: str) -> str:
    # "merchant_name" and "Merchant Name" are one column to detection.
    return norm_header(cell).replace("_", " ")


_KEYED_RULES = tuple(
    (source, tuple(frozenset(_header_key(c) for c in group) for group in groups))
    for source, groups, _ in CSV_RULES
)


def detect_text(text: str) -> str:
    """Return the importer name for the start of a file (BOM already removed)."""
    body = text.lstrip()
    if not body:
        raise ParseError("the file is empty")
    if body[0] in "[{":
        folded = body.casefold()
        for marker, name, _ in JSON_MARKERS:
            if re.search(marker, folded):
                return name
        looked = "; ".join(label for _, _, label in JSON_MARKERS)
        raise ParseError(
            f"cannot tell which source this JSON comes from (looked for {looked}); "
            "choose the source"
        )
    if re.search(r"(?m)^apiVersion:\s*backstage\.io/", body) or (
        re.search(r"(?m)^apiVersion:", body) and re.search(r"(?m)^kind:", body)
    ):
        return "backstage"
    for row in _first_rows(text):
        found = _match(row)
        if found is not None:
            return found
    looked = "; ".join(label for _, _, label in CSV_RULES)
    raise ParseError(
        "cannot tell which source this file comes from: no header row in its first "
        f"{MAX_PREAMBLE + 1} rows has the columns of a known export (looked for {looked}; "
        "and Backstage YAML: apiVersion + kind); choose the source"
    )


def _first_rows(text: str) -> t.Iterator[list[str]]:
    """Yield the non-blank rows among the first MAX_PREAMBLE + 1 rows of CSV text."""
    reader = csv.reader(text.splitlines())
    try:
        for count, row in enumerate(reader):
            if count > MAX_PREAMBLE:
                return
            if any(c.strip() for c in row):
                yield row
    except csv.Error:
        return  # the sniffed head ends inside a quoted field: judge by what was read


def _match(row: list[str]) -> str | None:
    present = {_header_key(c) for c in row}
    for source, groups in _KEYED_RULES:
        if all(group & present for group in groups):
            return source
    return None
