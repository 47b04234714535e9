"""Corporate card CSVs: American Express, Chase, Bank of America, Capital One, Citi, Ramp, or any
other bank's through an explicit column mapping.

Every line is decided by integrations.spend: software purchases become observations under the
vendor's clean name, lines that are clearly something else are skipped with the reason, and the
rest wait in triage as unclassified spend.
"""

from __future__ import annotations

import contextlib
import contextvars
import typing as t
from datetime import date
from decimal import Decimal

from integrations.base import CURRENCY_RE
from integrations.base import BadRow
from integrations.base import Importer
from integrations.base import Item
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import Unclassified
from integrations.base import cell
from integrations.base import check_name
from integrations.base import iso_day
from integrations.base import parse_amount
from integrations.card_layouts import LAYOUTS
from integrations.card_layouts import CardRows
from integrations.card_layouts import Layout
from integrations.card_layouts import mapped_layout
from integrations.spend import NOT_SOFTWARE
from integrations.spend import SOFTWARE
from integrations.spend import Namer
from integrations.spend import classify
from integrations.spend import kind_of_line

__all__ = ["LAYOUTS", "CardCsvImporter", "column_mapping", "mapped_layout", "parse_columns"]

# The mapping a caller (the CLI's --columns) sets around an import whose service builds the
# importer itself with no arguments; an explicit constructor argument wins.
_MAPPING: contextvars.ContextVar[tuple[t.Mapping[str, str], str] | None] = contextvars.ContextVar(
    "card_csv_mapping", default=None
)


@contextlib.contextmanager
def column_mapping(columns: t.Mapping[str, str], purchases: str = "positive") -> t.Iterator[None]:
    """Within the block, card_csv importers built without arguments use this column mapping.

    The mapping is checked on entry (ParseError for unknown keys or missing date/merchant/amount).
    """
    mapped_layout(columns, purchases)
    token = _MAPPING.set((dict(columns), purchases))
    try:
        yield
    finally:
        _MAPPING.reset(token)


def card_day(text: str) -> date:
    """Return the date of a card export cell: MM/DD/YYYY, MM/DD/YY or ISO (with a time)."""
    value = text.strip().replace("T", " ").split(" ")[0]
    if "/" in value:
        month, day, year = value.split("/")
        number = int(year)
        return date(number + 2000 if number < 100 else number, int(month), int(day))
    return iso_day(value)


def parse_columns(text: str) -> dict[str, str]:
    """Return the mapping of a `--columns` option: `date=Posting Date,merchant=Payee,amount=Amt`.

    >>> parse_columns("date=Posting Date, merchant=Payee ,amount=Amount")
    {'date': 'Posting Date', 'merchant': 'Payee', 'amount': 'Amount'}
    """
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not value.strip():
            raise ParseError(f"column mapping {part.strip()!r} is not key=Header")
        mapping[key.strip().lower()] = value.strip()
    return mapping


class CardCsvImporter(Importer):
    name = "card_csv"
    label = "Card transactions (Amex, Chase, Bank of America, Capital One, Citi, Ramp CSV)"

    def __init__(
        self, columns: t.Mapping[str, str] | None = None, purchases: str | None = None
    ) -> None:
        """`columns` maps date, merchant, amount (and optionally category, user, ...) to the
        headers of a layout we do not know; `purchases` says whether its purchases are
        "positive" (the default) or "negative" amounts. Without `columns`, the mapping of an
        enclosing `column_mapping` block applies, if any."""
        if columns is None and (current := _MAPPING.get()) is not None:
            columns, purchases = current[0], purchases or current[1]
        self.mapping: Layout | None = (
            mapped_layout(columns, purchases or "positive") if columns else None
        )

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield an observation per software purchase; skip or leave unclassified the rest."""
        rows = CardRows(stream, self.mapping)
        c = rows.columns
        layout, names = c.layout, c.names
        namer = Namer()
        for number, row in rows:
            if not any(v.strip() for v in row):
                continue
            where = f"row {number}"
            descriptor = cell(row, c.merchant)
            if not descriptor:
                descriptor = next((v for v in (cell(row, p) for p in c.fallback) if v), "")
            if problem := check_name(descriptor):
                yield BadRow(where, f"{names[c.merchant]}: {problem}")
                continue
            # The amount, as a purchase (positive) or a credit.
            if c.amount is not None:
                raw = cell(row, c.amount)
                try:
                    signed = parse_amount(raw) * layout.purchases
                except ValueError as exc:
                    yield BadRow(where, f"{names[c.amount]}: {exc}")
                    continue
            else:
                debit, credit = cell(row, c.debit), cell(row, c.credit)
                try:
                    if debit and parse_amount(debit):
                        signed = abs(parse_amount(debit))
                    elif credit:
                        signed = -abs(parse_amount(credit))
                    else:
                        signed = Decimal(0)
                except ValueError as exc:
                    shown = names[t.cast(int, c.debit)] if debit else names[c.credit or 0]
                    yield BadRow(where, f"{shown}: {exc}")
                    continue
            category = cell(row, c.category)
            kind = kind_of_line(descriptor, cell(row, c.kind), category, signed < 0)
            if kind is not None:
                yield Skipped(where, kind)
                continue
            raw_date = cell(row, c.date)
            try:
                day = card_day(raw_date)
            except ValueError:
                yield BadRow(
                    where,
                    f"{names[c.date]}: {raw_date[:40]!r} is not a date (MM/DD/YYYY or YYYY-MM-DD)",
                )
                continue
            currency = cell(row, c.currency).upper() or None
            if currency is not None and not CURRENCY_RE.match(currency):
                yield BadRow(
                    where, f"{names[t.cast(int, c.currency)]}: {currency[:10]!r} is not a currency"
                )
                continue
            verdict = classify(
                descriptor, category, cell(row, c.mcc), cell(row, c.city), layout.fixed_width
            )
            user = cell(row, c.user) or None
            if verdict.outcome == SOFTWARE:
                yield Observation(namer(verdict), None, user, day, signed, currency)
            elif verdict.outcome == NOT_SOFTWARE:
                yield Skipped(where, verdict.reason)
            else:
                yield Unclassified(
                    where, namer(verdict), descriptor, day, signed, currency, user, verdict.reason
                )
