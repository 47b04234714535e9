"""Card CSV layouts: Chase (both headers), Bank of America, Capital One, Citi, Amex, Ramp, an
explicit column mapping, preamble rows, and messages that name the real problem."""

from __future__ import annotations

import importlib.util
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import integrations
from integrations.base import BadRow
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import Unclassified
from integrations.card_csv import CardCsvImporter
from integrations.card_csv import parse_columns

ROOT = Path(__file__).resolve().parent.parent.parent
CARDS = ROOT / "tests" / "data" / "discovery" / "cards"


def parse(payload: bytes, **options) -> list:
    return list(CardCsvImporter(**options).parse(io.BytesIO(payload)))


def summary(items: list) -> list[tuple]:
    out = []
    for item in items:
        if isinstance(item, Observation):
            out.append(("tool", item.app_name, item.day, item.spend))
        elif isinstance(item, Skipped):
            out.append(("skip", item.reason))
        elif isinstance(item, Unclassified):
            out.append(("triage", item.merchant, item.amount))
        else:
            out.append(("bad", item.where, item.message))
    return out


# Each bank's own layout: its header, its sign for a purchase, and what is not a purchase. The
# statements are cards/layouts/<bank>.csv; what each line gives, with dates and amounts as text,
# is in cards/layouts/expected.json.
LAYOUTS = json.loads((CARDS / "layouts" / "expected.json").read_text())


def as_text(summary: list[tuple]) -> list[list]:
    return [[str(v) for v in item] for item in summary]


@pytest.mark.parametrize("bank", sorted(LAYOUTS))
def test_each_layout_gives_its_purchases_and_skips_the_rest(bank):
    items = parse((CARDS / "layouts" / f"{bank}.csv").read_bytes())
    assert as_text(summary(items)) == LAYOUTS[bank]


def test_citi_with_member_name_and_minus_credits():
    payload = (
        b"Status,Date,Description,Debit,Credit,Member Name\n"
        b"Cleared,11/03/25,MIDJOURNEY INC.,30.00,,ANN LEE\n"
        b"Cleared,11/04/25,ONLINE PAYMENT, THANK YOU,,-30.00,ANN LEE\n"
    )
    # An unquoted comma shifts the cells: the row is refused, naming the column it hit.
    assert of_bad(parse(payload)) == [BadRow("row 3", "Debit: 'THANK YOU' is not an amount")]
    payload = payload.replace(b"ONLINE PAYMENT, THANK YOU", b'"ONLINE PAYMENT, THANK YOU"')
    items = parse(payload)
    assert summary(items) == [
        ("tool", "Midjourney", date(2025, 11, 3), Decimal("30.00")),
        ("skip", "payment"),
    ]
    assert items[0].user == "ANN LEE"


def test_column_mapping_for_any_other_bank_with_negative_purchases():
    payload = (
        b"Booking Date;x\n"  # a preamble line of the bank's own
        b"Account,12345678\n"
        b"Buchungstag,Empfaenger,Betrag,Kategorie\n"
        b"2025-11-03,SLACK T0Z8KJ4NA,-8.75,Software\n"
        b"2025-11-04,REWE MARKT 0412,-23.10,Groceries\n"
        b"2025-11-05,KOFFEIN KONTOR,-3.20,\n"
    )
    columns = parse_columns("date=Buchungstag,merchant=Empfaenger,amount=Betrag,category=Kategorie")
    assert summary(parse(payload, columns=columns, purchases="negative")) == [
        ("tool", "Slack", date(2025, 11, 3), Decimal("8.75")),
        ("skip", "not software: shop"),
        ("triage", "Koffein Kontor", Decimal("3.20")),
    ]


def test_column_mapping_names_the_missing_header_and_the_closest_one():
    with pytest.raises(ParseError) as caught:
        parse(
            b"Buchungstag,Empfaenger,Betrag\n",
            columns={"date": "Buchungstag", "merchant": "Empfanger", "amount": "Betrag"},
        )
    assert "missing column(s) Empfanger (closest header found: 'Empfaenger')" in str(caught.value)
    with pytest.raises(ParseError, match="unknown column mapping key"):
        parse(b"a,b\n", columns={"date": "a", "merchant": "b", "amount": "b", "colour": "b"})
    with pytest.raises(ParseError, match="the column mapping needs amount"):
        parse(b"a,b\n", columns={"date": "a", "merchant": "b"})
    with pytest.raises(ParseError, match="is not key=Header"):
        parse_columns("date=Buchungstag,merchant")


def test_missing_column_names_only_what_is_missing_and_the_closest_header():
    with pytest.raises(ParseError) as caught:
        parse(b"Posted Date,Reference Number,Payee Name,Address,Amount\n1,2,3,4,5\n")
    message = str(caught.value)
    assert "this is not a Bank of America CSV: missing column(s) Payee" in message
    assert "closest header found: 'Payee Name'" in message
    assert "Posted Date" not in message.split("missing")[1]


def test_bom_blank_rows_and_up_to_twenty_preamble_rows_before_the_header():
    header = b"Date,Description,Amount\n"
    line = b"11/03/2025,FIGMA,15.00\n"
    preamble = b"".join(b"Account summary line %d,\n" % n for n in range(20))
    items = parse(b"\xef\xbb\xbf\n,,\n" + preamble + header + line)
    assert summary(items) == [("tool", "Figma", date(2025, 11, 3), Decimal("15.00"))]
    with pytest.raises(ParseError) as caught:
        parse(preamble + b"one line too many,\n" + header + line)
    message = str(caught.value)
    assert "no header row of a known layout in its first 20 rows" in message
    assert "Chase (Transaction Date, Post Date, Description, Type, Amount)" in message
    assert "--columns date=...,merchant=...,amount=..." in message


def test_bad_values_name_the_row_and_column():
    payload = (
        b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
        b"13/45/2025,11/04/2025,FIGMA,Shopping,Sale,-15.00,\n"
        b"11/03/2025,11/04/2025,FIGMA,Shopping,Sale,abc,\n"
    )
    assert of_bad(parse(payload)) == [
        BadRow("row 2", "Transaction Date: '13/45/2025' is not a date (MM/DD/YYYY or YYYY-MM-DD)"),
        BadRow("row 3", "Amount: 'abc' is not an amount"),
    ]


def of_bad(items: list) -> list:
    return [i for i in items if isinstance(i, BadRow)]


@pytest.mark.parametrize(
    "name",
    [
        "amex_activity_440.csv",
        "chase_activity.csv",
        "chase_old_activity.csv",
        "bank_of_america_activity.csv",
        "capital_one_activity.csv",
        "citi_activity.csv",
    ],
)
def test_every_labelled_statement_parses_one_item_per_line_and_no_line_is_bad(name):
    labels = json.loads((CARDS / name.replace(".csv", ".labels.json")).read_text())
    with open(CARDS / name, "rb") as fh:
        items = list(CardCsvImporter().parse(fh))
    assert len(items) == len(labels["lines"]) and not of_bad(items)
    seen = {i.app_name for i in items if isinstance(i, Observation)}
    wanted = {v["vendor"] for v in labels["lines"].values() if v["software"]}
    assert seen <= wanted  # nothing but labelled vendors, each under its clean name


def test_accuracy_on_the_labelled_statements_meets_the_targets():
    path = ROOT / "benchmarks" / "discovery_accuracy.py"
    spec = importlib.util.spec_from_file_location("accuracy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.card_statements()
    assert result["precision"] >= 0.97
    assert result["recall"] >= 0.9
    assert result["one_tool_per_vendor"] >= 0.97


def test_get_importer_passes_the_column_mapping():
    columns = {"date": "D", "merchant": "M", "amount": "A"}
    importer = integrations.get_importer("card_csv", columns=columns)
    assert summary(list(importer.parse(io.BytesIO(b"D,M,A\n2025-11-03,FIGMA,15.00\n")))) == [
        ("tool", "Figma", date(2025, 11, 3), Decimal("15.00"))
    ]
