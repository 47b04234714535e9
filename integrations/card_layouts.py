"""The card CSV layouts people export, how to find their header row, and explicit mappings.

Each layout names its columns by header (case and spacing ignored) and says which side of the
amount a purchase is on: American Express and Ramp write charges positive, Chase and Bank of
America write purchases negative, Capital One and Citi split Debit and Credit columns.
"""

from __future__ import annotations

import csv
import typing as t
from dataclasses import dataclass
from dataclasses import field

from rapidfuzz import fuzz
from rapidfuzz import process

from integrations.base import MAX_PREAMBLE
from integrations.base import ParseError
from integrations.base import RowStream
from integrations.base import norm_header

MAX_BLANK = 1000  # empty rows skipped before giving up


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    required: tuple[str, ...]  # header names, as the bank writes them
    date: tuple[str, ...]
    merchant: tuple[str, ...]
    amount: tuple[str, ...] = ()
    debit: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()
    #: +1 when purchases are positive amounts, -1 when they are negative.
    purchases: int = 1
    kind: tuple[str, ...] = ()  # the export's Type column (Sale, Payment, Return, Fee)
    category: tuple[str, ...] = ()
    mcc: tuple[str, ...] = ()
    user: tuple[str, ...] = ()
    city: tuple[str, ...] = ()  # City/State or Address: cut from the descriptor exactly
    currency: tuple[str, ...] = ()
    fallback: tuple[str, ...] = ()  # another descriptor column when the merchant cell is empty
    fixed_width: int | None = None  # Amex: the merchant field's width inside Description
    extra: dict[str, str] = field(default_factory=dict)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "chase",
        "Chase",
        ("Transaction Date", "Post Date", "Description", "Type", "Amount"),
        date=("Transaction Date",),
        merchant=("Description",),
        amount=("Amount",),
        purchases=-1,
        kind=("Type",),
        category=("Category",),
    ),
    Layout(
        "chase",
        "Chase",
        ("Type", "Trans Date", "Post Date", "Description", "Amount"),
        date=("Trans Date",),
        merchant=("Description",),
        amount=("Amount",),
        purchases=-1,
        kind=("Type",),
    ),
    Layout(
        "bank_of_america",
        "Bank of America",
        ("Posted Date", "Reference Number", "Payee", "Amount"),
        date=("Posted Date",),
        merchant=("Payee",),
        amount=("Amount",),
        purchases=-1,
        city=("Address",),
    ),
    Layout(
        "capital_one",
        "Capital One",
        ("Transaction Date", "Posted Date", "Description", "Debit", "Credit"),
        date=("Transaction Date",),
        merchant=("Description",),
        debit=("Debit",),
        credit=("Credit",),
        category=("Category",),
    ),
    Layout(
        "citi",
        "Citi",
        ("Status", "Date", "Description", "Debit", "Credit"),
        date=("Date",),
        merchant=("Description",),
        debit=("Debit",),
        credit=("Credit",),
        user=("Member Name",),
    ),
    Layout(
        "ramp",
        "Ramp",
        ("transaction_time", "amount", "user", "merchant_name"),
        date=("transaction_time",),
        merchant=("merchant_name",),
        amount=("amount",),
        user=("user",),
        category=("merchant_category", "sk_category_name", "category"),
        mcc=("merchant_category_code", "mcc"),
        currency=("currency_code", "currency"),
    ),
    Layout(
        "amex",
        "American Express",
        ("Date", "Description", "Amount"),
        date=("Date",),
        merchant=("Description",),
        amount=("Amount",),
        user=("Card Member",),
        category=("Category",),
        city=("City/State",),
        fallback=("Appears On Your Statement As", "Extended Details"),
        fixed_width=20,
    ),
)

#: The keys `--columns` accepts, and the ones it needs.
MAPPING_KEYS = (
    "date",
    "merchant",
    "amount",
    "debit",
    "credit",
    "category",
    "mcc",
    "user",
    "currency",
    "type",
    "city",
)


def mapped_layout(columns: t.Mapping[str, str], purchases: str = "positive") -> Layout:
    """Return the layout an explicit column mapping describes; raise ParseError when it is bad.

    `columns` maps our names (date, merchant, amount; optionally debit/credit instead of amount,
    category, mcc, user, currency, type, city) to the file's header names.
    """
    unknown = sorted(set(columns) - set(MAPPING_KEYS))
    if unknown:
        raise ParseError(
            f"unknown column mapping key(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(MAPPING_KEYS)}"
        )
    missing = [k for k in ("date", "merchant") if not columns.get(k)]
    if not columns.get("amount") and not columns.get("debit"):
        missing.append("amount")
    if missing:
        raise ParseError(f"the column mapping needs {', '.join(missing)}")
    if purchases not in ("positive", "negative"):
        raise ParseError(f"purchases must be 'positive' or 'negative', not {purchases!r}")

    def one(key: str) -> tuple[str, ...]:
        return (columns[key],) if columns.get(key) else ()

    return Layout(
        "mapped",
        "mapped card",
        tuple(v for v in columns.values() if v),
        date=one("date"),
        merchant=one("merchant"),
        amount=one("amount"),
        debit=one("debit"),
        credit=one("credit"),
        purchases=1 if purchases == "positive" else -1,
        kind=one("type"),
        category=one("category"),
        mcc=one("mcc"),
        user=one("user"),
        city=one("city"),
        currency=one("currency"),
    )


class Columns(t.NamedTuple):
    """A layout's columns resolved to positions in one file's header."""

    layout: Layout
    names: list[str]  # the header as the file spells it
    date: int
    merchant: int
    amount: int | None
    debit: int | None
    credit: int | None
    kind: int | None
    category: int | None
    mcc: int | None
    user: int | None
    city: int | None
    currency: int | None
    fallback: tuple[int, ...]


def _resolve(layout: Layout, header: list[str], names: list[str]) -> Columns:
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)

    def find(options: tuple[str, ...]) -> int | None:
        for option in options:
            position = index.get(norm_header(option))
            if position is not None:
                return position
        return None

    date, merchant = find(layout.date), find(layout.merchant)
    assert date is not None and merchant is not None  # required columns were checked
    return Columns(
        layout,
        names,
        date,
        merchant,
        find(layout.amount),
        find(layout.debit),
        find(layout.credit),
        find(layout.kind),
        find(layout.category),
        find(layout.mcc),
        find(layout.user),
        find(layout.city),
        find(layout.currency),
        tuple(p for p in (find((f,)) for f in layout.fallback) if p is not None),
    )


def _fits(layout: Layout, header: set[str]) -> bool:
    return all(norm_header(name) in header for name in layout.required)


class CardRows(RowStream):
    """Stream a card CSV: find its header (after a BOM, empty and preamble rows), then rows."""

    def __init__(self, stream: t.BinaryIO, mapping: Layout | None = None) -> None:
        super().__init__(stream)
        seen: list[list[str]] = []  # the non-empty rows before the header, for the message
        blanks = 0
        while True:
            row = self._next()
            if row is None:
                break
            if not any(c.strip() for c in row):
                blanks += 1
                if blanks > MAX_BLANK:
                    break
                continue
            header = [norm_header(c) for c in row]
            keys = set(header)
            for layout in (mapping,) if mapping is not None else LAYOUTS:
                if _fits(layout, keys):
                    self.columns = _resolve(layout, header, [" ".join(c.split()) for c in row])
                    return
            seen.append(row)
            if len(seen) > MAX_PREAMBLE:
                break
        raise self._not_found(seen, mapping)

    @staticmethod
    def _not_found(seen: list[list[str]], mapping: Layout | None) -> ParseError:
        if not seen:
            return ParseError(
                "the file is empty; expected a card transactions CSV with a header row"
            )
        layouts = (mapping,) if mapping is not None else LAYOUTS
        best: tuple[int, Layout, list[str]] | None = None
        for row in seen:
            keys = {norm_header(c) for c in row}
            for layout in layouts:
                present = sum(norm_header(n) in keys for n in layout.required)
                if best is None or present > best[0]:
                    best = (present, layout, row)
        assert best is not None
        present, layout, row = best
        if mapping is not None or present >= 2:
            names = [" ".join(c.split()) for c in row if c.strip()]
            keys = {norm_header(c) for c in row}
            parts = []
            for name in layout.required:
                if norm_header(name) in keys:
                    continue
                close = process.extractOne(name, names, scorer=fuzz.WRatio, score_cutoff=70)
                parts.append(f"{name} (closest header found: {close[0]!r})" if close else name)
            return ParseError(
                f"this is not a {layout.label} CSV: missing column(s) {', '.join(parts)}",
                where="header",
            )
        looked = "; ".join(f"{lay.label} ({', '.join(lay.required)})" for lay in LAYOUTS)
        return ParseError(
            "this is not a card CSV: no header row of a known layout in its first "
            f"{MAX_PREAMBLE} rows. Looked for {looked}; for another bank, give the column "
            "mapping (--columns date=...,merchant=...,amount=...)",
            where="header",
        )


def sniff(head: str) -> Layout | None:
    """Return the layout whose header row appears in the start of a file (after empty and up to
    MAX_PREAMBLE preamble rows), or None. For source detection; `head` is decoded text."""
    rows = csv.reader(head.splitlines()[: MAX_PREAMBLE + MAX_BLANK])
    preamble = 0
    try:
        for row in rows:
            if not any(c.strip() for c in row):
                continue
            keys = {norm_header(c) for c in row}
            for layout in LAYOUTS:
                if _fits(layout, keys):
                    return layout
            preamble += 1
            if preamble > MAX_PREAMBLE:
                return None
    except csv.Error:
        return None
    return None
