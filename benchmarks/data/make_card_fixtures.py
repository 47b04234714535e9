"""Write the labelled card statements of tests/data/discovery/cards/ (invented values, real layouts).

Run once and commit the output; the files are inputs of tests and of
benchmarks/discovery_accuracy.py. Each statement gets a `.labels.json` next to it: for each line
(by the row number the importer reports) whether it is spend on a software tool and, if so, the
clean name the tool should have.

The descriptors are in card_descriptors.yaml beside this script, written as statements print
them (truncated, with store numbers, processor and wallet prefixes, phone numbers, references and
cities), not copied from the knowledge base; some software vendors are deliberately absent from it.
Usage: `.venv/bin/python benchmarks/data/make_card_fixtures.py`.
"""

# ruff: noqa: E501  (tables of descriptors read better one vendor a line)
from __future__ import annotations

import csv
import io
import json
import random
import typing as t
from datetime import date
from datetime import timedelta
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "discovery" / "cards"

DESCRIPTORS = yaml.safe_load(
    (Path(__file__).resolve().parent / "card_descriptors.yaml").read_text(encoding="utf-8")
)
SAAS_CATS = DESCRIPTORS["saas_categories"]
# (label vendor, descriptor variants, amount range, city/state)
SOFTWARE = [
    (v["vendor"], v["descriptors"], tuple(v["amount"]), tuple(v["city"]))
    for v in DESCRIPTORS["software"]
]
# (bucket, descriptor variants, amount range, Amex category choices, city/state)
NOT_SOFTWARE = [
    (m["bucket"], m["descriptors"], tuple(m["amount"]), m["categories"], tuple(m["city"]))
    for m in DESCRIPTORS["not_software"]
]
PAYMENTS = DESCRIPTORS["payments"]
FEES = DESCRIPTORS["fees"]
CREDITS = DESCRIPTORS["credits"]
PEOPLE = DESCRIPTORS["people"]
STREETS = DESCRIPTORS["streets"]


def _amex_description(rng: random.Random, desc: str, city: tuple[str, str]) -> str:
    """Amex Description: a 20-character merchant field, then the city and state."""
    if not city[0]:
        return desc
    head = desc[:20]
    if len(desc) >= 20:
        return f"{head}{city[0]} {city[1]}"  # run together, as the export prints it
    if rng.random() < 0.4:
        return f"{desc} {city[0]} {city[1]}"  # padding already collapsed by a re-save
    return f"{head.ljust(20)}{city[0].ljust(15)}{city[1]}"


def _lines(rng: random.Random, count: int) -> list[dict]:
    """Draw `count` labelled lines: about 45% software, the rest everything else."""
    lines: list[dict] = []
    day = date(2025, 9, 1)
    for n in range(count):
        day += timedelta(days=rng.random() < 0.22)
        roll = rng.random()
        if roll < 0.45:
            vendor, variants, (lo, hi), city = rng.choice(SOFTWARE)
            desc = rng.choice(variants)
            cat = rng.choice(SAAS_CATS)
            kind, label = "purchase", vendor
            if rng.random() < 0.06:
                desc = "AplPay " + desc
        elif roll < 0.88:
            kind_name, variants, (lo, hi), cats, city = rng.choice(NOT_SOFTWARE)
            desc, cat = rng.choice(variants), rng.choice(cats)
            kind, label = "purchase", None
        else:
            city, cat, label, lo, hi = ("", ""), "", None, 1, 40
            pick = rng.random()
            if pick < 0.4:
                desc, kind, lo, hi = rng.choice(PAYMENTS), "payment", 500, 9000
            elif pick < 0.65:
                desc, kind = rng.choice(FEES), "fee"
                cat = "Fees & Adjustments-Fees & Adjustments"
            elif pick < 0.8:
                desc, kind, cat = (
                    rng.choice(CREDITS),
                    "credit",
                    "Fees & Adjustments-Fees & Adjustments",
                )
            else:  # a refund from a merchant: a credit line under its own name
                vendor, variants, (lo, hi), city = rng.choice(SOFTWARE[:20])
                desc, kind, cat = rng.choice(variants), "credit", rng.choice(SAAS_CATS)
        amount = round(rng.uniform(lo, hi), 2)
        lines.append(
            {
                "n": n,
                "day": day,
                "desc": desc,
                "kind": kind,
                "label": label,
                "amount": amount,
                "category": cat,
                "city": city,
                "person": rng.choice(PEOPLE),
            }
        )
    return lines


def _write(
    name: str,
    header: list[str],
    rows: list[list[str]],
    labels: dict,
    preamble: int = 0,
    blank: str = "",
) -> None:
    buf = io.StringIO(newline="")
    for _ in range(preamble):
        buf.write(blank + "\r\n")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    (OUT / name).write_text(buf.getvalue(), encoding="utf-8", newline="")
    (OUT / (name.rsplit(".", 1)[0] + ".labels.json")).write_text(
        json.dumps({"file": name, "lines": labels}, indent=1, sort_keys=True) + "\n"
    )


def _statement(
    rng: random.Random,
    name: str,
    header: list[str],
    count: int,
    row: t.Callable[[int, dict], list[str]],
    preamble: int = 0,
    blank: str = "",
) -> None:
    """Write one statement of `count` drawn lines, `row(i, line)` giving each line's cells."""
    rows, labels = [], {}
    for i, line in enumerate(_lines(rng, count)):
        rows.append(row(i, line))
        labels[f"row {preamble + 2 + i}"] = _label(line)
    _write(name, header, rows, labels, preamble=preamble, blank=blank)


def _label(line: dict) -> dict:
    software = line["kind"] == "purchase" and line["label"] is not None
    return {
        "software": software,
        "vendor": line["label"] if software else None,
        "descriptor": line["desc"],
    }


def amex(rng: random.Random) -> None:
    header = [
        "Date",
        "Description",
        "Amount",
        "Extended Details",
        "Appears On Your Statement As",
        "Address",
        "City/State",
        "Zip Code",
        "Country",
        "Reference",
        "Category",
    ]
    preamble = 6

    def row(i: int, line: dict) -> list[str]:
        city = line["city"]
        desc = line["desc"]
        signed = -line["amount"] if line["kind"] in ("payment", "credit") else line["amount"]
        full = f"{desc} {city[0]} {city[1]}".strip() if city[0] else desc
        extended = (
            rng.choice(
                [
                    "",
                    "",
                    f"{rng.randrange(16**6):06X} {rng.randrange(10**10):010d}\n{desc}\n{city[0]}\n{city[1]}",
                    "FOREIGN SPEND AMOUNT: 20.00 EURO\nCOMMISSION AMOUNT: 0.00\nCURRENCY EXCHANGE RATE: 1.0850",
                ]
            )
            if line["kind"] == "purchase"
            else ""
        )
        return [
            _us_date(line["day"]),
            _amex_description(rng, desc, city) if line["kind"] == "purchase" else desc,
            f"{signed:.2f}",
            extended,
            full,
            rng.choice(STREETS) if city[0] else "",
            f"{city[0]}\n{city[1]}" if city[0] else "",
            f"{rng.randrange(10000, 99999)}" if city[0] else "",
            "UNITED STATES" if city[0] else "",
            f"'3202530{70000 + i:07d}'",
            line["category"],
        ]

    _statement(
        rng, "amex_activity_440.csv", header, 440, row, preamble=preamble, blank=",,,,,,,,,,"
    )


#: Our merchant kinds (in the order they are matched) and the category Chase and Capital One
#: write for each.
_BANK_CATEGORIES = {
    "shop": ("Shopping", "Merchandise"),
    "meals": ("Food & Drink", "Dining"),
    "travel": ("Travel", "Other Travel"),
    "utilities": ("Bills & Utilities", "Utilities"),
    "telecom": ("Bills & Utilities", "Phone/Cable"),
    "rent": ("Home", "Other Services"),
    "other": ("Personal", "Other Services"),
}

#: The Type column Chase writes, old and new export alike.
_CHASE_TYPES = {"payment": "Payment", "fee": "Fee", "credit": "Return"}


def _bank_signed(line: dict) -> float:
    """The amount as Chase and Bank of America write it: purchases and fees negative."""
    return line["amount"] if line["kind"] in ("payment", "credit") else -line["amount"]


def _us_date(day: date, later: int = 0) -> str:
    """`day` (or the posting date `later` days after it) as the US banks write it."""
    return (day + timedelta(days=later)).strftime("%m/%d/%Y")


def _bank_desc(line: dict) -> str:
    city = line["city"]
    if line["kind"] != "purchase" or not city[0]:
        return line["desc"]
    return f"{line['desc'][:22]} {city[0][:13]} {city[1]}"


def chase(rng: random.Random) -> None:
    header = ["Transaction Date", "Post Date", "Description", "Category", "Type", "Amount", "Memo"]
    cats = {kind: names[0] for kind, names in _BANK_CATEGORIES.items()}

    def row(i: int, line: dict) -> list[str]:
        kind = line["kind"]
        if kind == "purchase" and line["label"]:
            cat = rng.choice(["Bills & Utilities", "Shopping", "Professional Services"])
        elif kind == "purchase":
            cat = next((v for k, v in cats.items() if k in line["category"].lower()), "Shopping")
        else:
            cat = "Fees & Adjustments" if kind == "fee" else ""
        desc = "Payment Thank You-Mobile" if kind == "payment" else _bank_desc(line)
        return [
            _us_date(line["day"]),
            _us_date(line["day"], later=1),
            desc,
            cat,
            _CHASE_TYPES.get(kind, "Sale"),
            f"{_bank_signed(line):.2f}",
            "",
        ]

    _statement(rng, "chase_activity.csv", header, 60, row)


def chase_old(rng: random.Random) -> None:
    header = ["Type", "Trans Date", "Post Date", "Description", "Amount"]

    def row(i: int, line: dict) -> list[str]:
        return [
            _CHASE_TYPES.get(line["kind"], "Sale"),
            _us_date(line["day"]),
            _us_date(line["day"], later=2),
            _bank_desc(line),
            f"{_bank_signed(line):.2f}",
        ]

    _statement(rng, "chase_old_activity.csv", header, 30, row)


def bank_of_america(rng: random.Random) -> None:
    header = ["Posted Date", "Reference Number", "Payee", "Address", "Amount"]

    def row(i: int, line: dict) -> list[str]:
        kind = line["kind"]
        desc = {"payment": "PAYMENT - THANK YOU", "fee": "INTEREST CHARGED ON PURCHASES"}.get(
            kind
        ) or line["desc"]
        city = line["city"]
        address = f"{city[0]} {city[1]}" if city[0] and kind == "purchase" else ""
        payee = f"{desc} {address}".strip() if address else desc
        return [
            _us_date(line["day"]),
            f"2469216{rng.randrange(10**15):015d}",
            payee,
            address,
            f"{_bank_signed(line):.2f}",
        ]

    _statement(rng, "bank_of_america_activity.csv", header, 50, row)


def capital_one(rng: random.Random) -> None:
    header = ["Transaction Date", "Posted Date", "Card No.", "Description", "Category"]
    header += ["Debit", "Credit"]
    cats = {kind: names[1] for kind, names in _BANK_CATEGORIES.items()}

    def row(i: int, line: dict) -> list[str]:
        kind = line["kind"]
        if kind in ("payment", "credit"):
            cat, debit, credit = "Payment/Credit", "", f"{line['amount']:.2f}"
        elif kind == "fee":
            cat, debit, credit = "Fee/Interest Charge", f"{line['amount']:.2f}", ""
        else:
            cat = (
                rng.choice(["Internet", "Other Services", "Merchandise"])
                if line["label"]
                else next((v for k, v in cats.items() if k in _kind_of(line)), "Merchandise")
            )
            debit, credit = f"{line['amount']:.2f}", ""
        return [
            line["day"].isoformat(),
            (line["day"] + timedelta(days=1)).isoformat(),
            "4821",
            _bank_desc(line),
            cat,
            debit,
            credit,
        ]

    _statement(rng, "capital_one_activity.csv", header, 50, row)


def _kind_of(line: dict) -> str:
    category = line["category"].lower()
    for key, words in (
        ("meals", "restaurant"),
        ("travel", "travel transportation"),
        ("utilities", "utilities"),
        ("telecom", "communications"),
        ("shop", "merchandise"),
    ):
        if any(w in category for w in words.split()):
            return key
    return "other"


def citi(rng: random.Random) -> None:
    header = ["Status", "Date", "Description", "Debit", "Credit", "Member Name"]

    def row(i: int, line: dict) -> list[str]:
        kind = line["kind"]
        desc = "ONLINE PAYMENT, THANK YOU" if kind == "payment" else _bank_desc(line)
        if kind in ("payment", "credit"):
            debit, credit = "", f"-{line['amount']:.2f}"
        else:
            debit, credit = f"{line['amount']:.2f}", ""
        return ["Cleared", _us_date(line["day"]), desc, debit, credit, line["person"]]

    _statement(rng, "citi_activity.csv", header, 50, row)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, make in enumerate((amex, chase, chase_old, bank_of_america, capital_one, citi)):
        make(random.Random(2026 + seed))
    print(f"wrote 6 labelled statements to {OUT}")


if __name__ == "__main__":
    main()
