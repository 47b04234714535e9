"""Expensify's default CSV export: software bought on expenses, by merchant."""

from __future__ import annotations

import typing as t

from integrations.base import CURRENCY_RE
from integrations.base import BadRow
from integrations.base import CsvRows
from integrations.base import Importer
from integrations.base import Item
from integrations.base import Observation
from integrations.base import Skipped
from integrations.base import Unclassified
from integrations.base import cell
from integrations.base import check_name
from integrations.base import iso_day
from integrations.base import parse_amount
from integrations.spend import NOT_SOFTWARE
from integrations.spend import SOFTWARE
from integrations.spend import Namer
from integrations.spend import classify
from integrations.spend import kind_of_line


class ExpensifyImporter(Importer):
    name = "expensify"
    label = "Expensify expense export (CSV)"

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield an observation per software expense; skip or leave unclassified the rest."""
        rows = CsvRows(stream, label="Expensify")
        i_time, i_merchant, i_amount = rows.require("Timestamp", "Merchant", "Amount")
        i_mcc = rows.optional("MCC")
        i_category = rows.optional("Category")
        i_currency = rows.optional("Original Currency")
        i_original = rows.optional("Original Amount")
        i_user = rows.optional("Email", "Account Email", "Employee")
        namer = Namer()
        for number, row in rows:
            if row[0].lstrip().startswith("#"):
                continue  # comment lines, which some exports carry
            where = f"row {number}"
            merchant = cell(row, i_merchant)
            if problem := check_name(merchant):
                yield BadRow(where, f"Merchant: {problem}")
                continue
            try:
                day = iso_day(cell(row, i_time))
            except ValueError:
                yield BadRow(
                    where,
                    f"Timestamp: {cell(row, i_time)[:40]!r} is not a date (YYYY-MM-DD HH:MM:SS)",
                )
                continue
            currency = cell(row, i_currency).upper()
            amount_text = cell(row, i_original) if currency else ""
            if not amount_text:
                amount_text, currency = cell(row, i_amount), ""
            try:
                amount = parse_amount(amount_text)
            except ValueError as exc:
                yield BadRow(where, f"Amount: {exc}")
                continue
            if currency and not CURRENCY_RE.match(currency):
                yield BadRow(where, f"Original Currency: {currency[:10]!r} is not an ISO 4217 code")
                continue
            category = cell(row, i_category)
            kind = kind_of_line(merchant, "", category, amount < 0)
            if kind is not None:
                yield Skipped(where, kind)
                continue
            verdict = classify(merchant, category, cell(row, i_mcc))
            user = cell(row, i_user) or None
            if verdict.outcome == SOFTWARE:
                yield Observation(namer(verdict), None, user, day, amount, currency or None)
            elif verdict.outcome == NOT_SOFTWARE:
                yield Skipped(where, verdict.reason)
            else:
                yield Unclassified(
                    where,
                    namer(verdict),
                    merchant,
                    day,
                    amount,
                    currency or None,
                    user,
                    verdict.reason,
                )
