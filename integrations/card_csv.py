"""Corporate card exports: American Express activity CSV and Ramp's four-column template."""

from __future__ import annotations

import typing as t

from integrations.base import BadRow
from integrations.base import CsvRows
from integrations.base import Importer
from integrations.base import Item
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import cell
from integrations.base import check_name
from integrations.base import parse_amount
from integrations.base import us_day
from integrations.spend import not_software


class CardCsvImporter(Importer):
    name = "card_csv"
    label = "Card transactions (American Express CSV or Ramp template)"

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield an observation per software charge; travel and meals are skipped."""
        rows = CsvRows(stream, label="card transactions")
        if "merchant_name" in rows.index:
            # Ramp: "transaction_time, amount, user, and merchant_name in that order".
            i_date, i_amount, i_user, i_name = rows.require(
                "transaction_time", "amount", "user", "merchant_name"
            )
            i_texts: tuple[int | None, ...] = (rows.optional("merchant_category", "category"),)
            i_mcc = rows.optional("merchant_category_code", "mcc")
            i_currency = rows.optional("currency_code", "currency")
        elif "description" in rows.index and "amount" in rows.index and "date" in rows.index:
            # American Express: Description is the raw statement descriptor.
            i_date, i_name, i_amount = rows.require("Date", "Description", "Amount")
            i_user = rows.optional("Card Member")
            i_texts = (rows.optional("Category"), rows.optional("Extended Details"))
            i_mcc = None
            i_currency = None
        else:
            raise ParseError(
                "this is not a card CSV: expected American Express columns (Date, "
                "Description, Amount) or Ramp's (transaction_time, amount, user, "
                "merchant_name)",
                where="row 1",
            )
        for number, row in rows:
            where = f"row {number}"
            name = cell(row, i_name)
            if problem := check_name(name):
                yield BadRow(where, f"{rows.names[i_name]}: {problem}")
                continue
            reason = not_software(cell(row, i_mcc), *(cell(row, i) for i in i_texts), name)
            if reason:
                yield Skipped(where, reason)
                continue
            raw_date = cell(row, i_date)
            try:
                day = us_day(raw_date.replace("T", " ").split(" ")[0])
            except ValueError:
                yield BadRow(
                    where,
                    f"{rows.names[i_date]}: {raw_date[:40]!r} is not a date "
                    "(MM/DD/YYYY or YYYY-MM-DD)",
                )
                continue
            try:
                amount = parse_amount(cell(row, i_amount))
            except ValueError as exc:
                yield BadRow(where, f"{rows.names[i_amount]}: {exc}")
                continue
            currency = cell(row, i_currency).upper() or None
            yield Observation(name, None, cell(row, i_user) or None, day, amount, currency)
