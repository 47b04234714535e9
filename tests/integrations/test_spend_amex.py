"""The American Express failures reported on a real activity export, one test each.

`amex_issue_failures.csv` has the real shape: six empty rows before the header, multi-line
quoted Extended Details / Address / City/State, the fixed-width Description run into the city,
payments, fees, cash back, a credit, shops, a utility, a phone plan and rent.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from integrations.base import Observation
from integrations.base import Skipped
from integrations.base import Unclassified
from integrations.card_csv import CardCsvImporter
from integrations.spend import classify

CARDS = Path(__file__).resolve().parent.parent / "data" / "discovery" / "cards"
FILE = CARDS / "amex_issue_failures.csv"


@pytest.fixture(scope="module")
def items() -> list:
    with open(FILE, "rb") as fh:
        return list(CardCsvImporter().parse(fh))


def by_row(items: list) -> dict[str, object]:
    # Observations carry no row; every statement line yields exactly one item, in order.
    return {f"row {8 + i}": item for i, item in enumerate(items)}


def test_six_empty_rows_and_multi_line_fields_are_read(items):
    assert len(items) == 22  # one item per statement line, none for the preamble
    assert by_row(items)["row 8"] == Skipped("row 8", "payment")


def test_payments_are_never_tools(items):
    rows = by_row(items)
    assert rows["row 8"] == Skipped("row 8", "payment")  # AUTOPAY PAYMENT RECEIVED
    assert rows["row 9"] == Skipped("row 9", "payment")  # MOBILE PAYMENT - THANK YOU


def test_fees_interest_and_cash_back_are_never_tools(items):
    rows = by_row(items)
    assert rows["row 10"] == Skipped("row 10", "fee or interest")  # FOREIGN TRANSACTION FEE
    assert rows["row 11"] == Skipped("row 11", "fee or interest")  # INTEREST CHARGE ON PURCHASES
    assert rows["row 12"] == Skipped("row 12", "credit or refund")  # CASH BACK REWARD


def test_city_tail_is_cut_and_claude_and_anthropic_are_one_tool(items):
    seen = [o for o in items if isinstance(o, Observation)]
    assert [(o.app_name, o.day, o.spend) for o in seen[:2]] == [
        ("Claude", date(2025, 11, 6), Decimal("20.00")),  # CLAUDE.AI SUBSCRIPTISAN FRANCISCO CA
        ("Claude", date(2025, 11, 7), Decimal("112.40")),  # ANTHROPIC           SAN FRANCISCO
    ]


def test_shops_utilities_and_telecom_are_skipped_with_the_reason(items):
    rows = by_row(items)
    assert [rows[f"row {n}"].reason for n in range(15, 25)] == [
        *["not software: shop"] * 8,  # Walmart x4, Target x2, H&M, Shein
        "not software: utilities",  # PGANDE WEB ONLINE, category Other-Utilities
        "not software: telecom",  # VERIZON WRLS, Communications-Mobile Telecom
    ]


@pytest.mark.parametrize(
    "descriptor",
    [
        "WAL-MART SUPERCENTERBENTONVILLE AR",
        "AplPay WALMART.COM  800-966-6546   AR",
        "WMT PLUS            BENTONVILLE    AR",
        "WAL-MART #0512      AUSTIN         TX",
    ],
)
def test_walmart_four_ways_is_one_merchant(descriptor):
    verdict = classify(descriptor, "", "", "BENTONVILLE\nAR", 20)
    assert (verdict.outcome, verdict.reason, verdict.name) == (
        "not software",
        "not software: shop",
        "Walmart",
    )


@pytest.mark.parametrize(
    "descriptor", ["AplPay TARGET 000123MINNEAPOLIS MN", "TARGET.COM  *       MINNEAPOLIS    MN"]
)
def test_target_with_wallet_prefix_and_store_number_is_one_merchant(descriptor):
    assert classify(descriptor, "", "", "MINNEAPOLIS\nMN", 20).name == "Target"


def test_obsidian_and_obsidian_md_are_one_tool(items):
    names = [o.app_name for o in items if isinstance(o, Observation)]
    assert names == ["Claude", "Claude", "Obsidian", "Obsidian"]


def test_sign_of_the_amount_a_negative_line_is_a_credit(items):
    # HUBSPOT INC -200.00: under a software vendor's name, but money back, not spend.
    assert by_row(items)["row 27"] == Skipped("row 27", "credit or refund")


def test_category_column_decides_unknown_merchants_and_internet_purchase_proves_nothing(items):
    rows = by_row(items)
    # ACME WIDGET CO, "Merchandise & Supplies-Internet Purchase": not a tool, waits in triage.
    acme = rows["row 29"]
    assert isinstance(acme, Unclassified)
    assert (acme.merchant, acme.amount, acme.reason) == (
        "Acme Widget",
        Decimal("77.00"),
        "unknown merchant",
    )
    assert acme.raw == "ACME WIDGET CO      DENVER         CO"
    assert rows["row 28"] == Skipped("row 28", "not software: rent")  # PARKVIEW PROPERTY MG...


def test_wallet_prefixes_never_reach_a_name():
    for raw in ("AplPay CLAUDE.AI SUBSCRIPTI", "GglPay OPENAI *CHATGPT SUBSCR", "AplPay FIGMA"):
        verdict = classify(raw)
        assert verdict.outcome == "software" and "pay" not in verdict.name.lower()


def test_the_same_file_gives_the_same_items(items):
    with open(FILE, "rb") as fh:
        again = list(CardCsvImporter().parse(io.BytesIO(fh.read())))
    assert again == items
