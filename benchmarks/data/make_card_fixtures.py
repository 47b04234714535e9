"""Write the labelled card statements of tests/data/discovery/cards/ (invented values, real layouts).

Run once and commit the output; the files are inputs of tests and of
benchmarks/discovery_accuracy.py. Each statement gets a `.labels.json` next to it: for each line
(by the row number the importer reports) whether it is spend on a software tool and, if so, the
clean name the tool should have.

The descriptors below are written as statements print them (truncated, with store numbers,
processor and wallet prefixes, phone numbers, references and cities), not copied from the
knowledge base; some software vendors are deliberately absent from it.
Usage: `.venv/bin/python benchmarks/data/make_card_fixtures.py`.
"""

# ruff: noqa: E501  (tables of descriptors read better one vendor a line)
from __future__ import annotations

import csv
import io
import json
import random
from datetime import date
from datetime import timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "discovery" / "cards"

# (label vendor or None, descriptor variants, amount range, Amex category choices, city/state)
SF, NY, BOS, SEA = ("SAN FRANCISCO", "CA"), ("NEW YORK", "NY"), ("BOSTON", "MA"), ("SEATTLE", "WA")
WEB = ("", "")
SAAS_CATS = (
    "Business Services-Internet Services",
    "Merchandise & Supplies-Internet Purchase",
    "Business Services-Other Services",
)
SOFTWARE = [
    (
        "Claude",
        ["CLAUDE.AI SUBSCRIPTION", "ANTHROPIC", "CLAUDE.AI SUBSCRIPTION", "ANTHROPIC PBC"],
        (20, 200),
        SF,
    ),
    (
        "ChatGPT",
        ["OPENAI *CHATGPT SUBSCR", "OPENAI", "OPENAI *CHATGPT SUBSCR", "OPENAI LLC"],
        (20, 60),
        SF,
    ),
    (
        "HubSpot",
        ["HUBSPOT INC", "HUBSPOT INC. 888-482-7768", "HUBSPOT *MKTG HUB PRO"],
        (800, 3600),
        ("CAMBRIDGE", "MA"),
    ),
    (
        "Mailchimp",
        ["MAILCHIMP *MONTHLY", "INTUIT *MAILCHIMP", "MAILCHIMP  *MISC"],
        (30, 350),
        ("ATLANTA", "GA"),
    ),
    (
        "Zoom",
        ["ZOOM.US 888-799-9666", "ZOOM.US", "ZOOM VIDEO COMMUNICAT"],
        (15, 250),
        ("SAN JOSE", "CA"),
    ),
    ("Canva", ["CANVA* 104452-87765", "SQ *CANVA", "CANVA"], (12, 120), ("SURRY HILLS", "NSW")),
    ("Figma", ["FIGMA MONTHLY RENEWAL", "FIGMA", "FIGMA INC"], (15, 450), SF),
    ("Slack", ["SLACK T0Z8KJ4NA", "SLACK TECHNOLOGIES", "SLACK T0Z8KJ4NA"], (8, 900), SF),
    ("Notion", ["NOTION LABS, INC.", "NOTION.SO", "NOTION LABS INC"], (10, 200), SF),
    (
        "Adobe Creative Cloud",
        ["ADOBE  *CREATIVE CLD", "ADOBE *ACROPRO SUBS", "ADOBE *ADOBE"],
        (20, 90),
        ("SAN JOSE", "CA"),
    ),
    ("Midjourney", ["MIDJOURNEY INC.", "PAYPAL *MIDJOURNEY"], (10, 60), SF),
    ("Jasper", ["JASPER.AI", "JASPER AI INC"], (49, 125), ("AUSTIN", "TX")),
    ("Runway", ["RUNWAYML.COM", "RUNWAY AI INC"], (15, 95), NY),
    ("Synthesia", ["SYNTHESIA LTD", "SYNTHESIA.IO"], (29, 89), ("LONDON", "GB")),
    ("HeyGen", ["HEYGEN TECHNOLOGY INC", "HEYGEN.COM"], (29, 89), ("LOS ANGELES", "CA")),
    ("ElevenLabs", ["ELEVENLABS.IO", "ELEVEN LABS INC"], (5, 99), NY),
    ("Descript", ["DESCRIPT INC", "DESCRIPT.COM"], (12, 30), SF),
    ("Perplexity", ["PERPLEXITY AI, INC.", "PERPLEXITY.AI SUBSCR"], (20, 40), SF),
    ("Grammarly", ["GRAMMARLY INC", "GRAMMARLY *PREMIUM"], (12, 30), SF),
    ("Otter.ai", ["OTTER.AI", "OTTER.AI SUBSCRIPTION"], (10, 20), ("MOUNTAIN VIEW", "CA")),
    ("Gamma", ["GAMMA.APP", "GAMMA.APP SUBSCRIPTION"], (10, 20), SF),
    ("Copy.ai", ["COPY.AI", "COPY.AI"], (36, 49), ("MEMPHIS", "TN")),
    ("Semrush", ["SEMRUSH INC", "SEMRUSH *PRO PLAN"], (130, 500), BOS),
    ("Ahrefs", ["AHREFS PTE. LTD.", "AHREFS.COM"], (99, 399), ("SINGAPORE", "SG")),
    ("Hootsuite", ["HOOTSUITE MEDIA INC", "HOOTSUITE INC."], (99, 249), ("VANCOUVER", "BC")),
    ("GitHub", ["GITHUB, INC.", "GITHUB INC"], (4, 210), SF),
    ("GitHub Copilot", ["GITHUB *COPILOT"], (10, 19), SF),
    ("Vercel", ["VERCEL INC.", "VERCEL"], (20, 150), ("COVINA", "CA")),
    ("Netlify", ["NETLIFY", "NETLIFY INC"], (19, 99), SF),
    (
        "Amazon Web Services",
        ["AMAZON WEB SERVICES", "AWS EMEA", "AMAZON WEB SERVICES"],
        (40, 900),
        SEA,
    ),
    (
        "Google Cloud",
        ["GOOGLE *CLOUD 8N3KLP", "GOOGLE CLOUD 9RT2M4"],
        (10, 400),
        ("MOUNTAIN VIEW", "CA"),
    ),
    ("Cloudflare", ["CLOUDFLARE", "CLOUDFLARE INC"], (5, 200), SF),
    ("DigitalOcean", ["DIGITALOCEAN.COM", "DIGITALOCEAN"], (6, 80), NY),
    ("Atlassian Cloud", ["ATLASSIAN", "ATLASSIAN PTY LTD"], (10, 600), SF),
    (
        "Google Ads",
        ["GOOGLE *ADS7423587239", "GOOGLE *ADS2291733401"],
        (150, 2500),
        ("MOUNTAIN VIEW", "CA"),
    ),
    (
        "Meta Ads",
        ["FACEBK *RX8J2KL3M2", "FACEBK ADS", "FACEBK *Q7TZ9VW2K2"],
        (100, 2000),
        ("MENLO PARK", "CA"),
    ),
    (
        "LinkedIn Ads",
        ["LINKEDIN *ADS", "LINKEDIN ADS 2887331"],
        (200, 1500),
        ("MOUNTAIN VIEW", "CA"),
    ),
    ("Typeform", ["TYPEFORM SL", "TYPEFORM.COM"], (25, 83), ("BARCELONA", "ES")),
    ("Calendly", ["CALENDLY", "CALENDLY LLC"], (10, 16), ("ATLANTA", "GA")),
    ("Loom", ["LOOM.COM", "LOOM, INC."], (12, 24), SF),
    ("Miro", ["MIRO.COM", "REALTIMEBOARD"], (8, 16), SF),
    ("Zapier", ["ZAPIER.COM/CHARGE", "ZAPIER INC"], (20, 100), SF),
    ("Webflow", ["WEBFLOW.COM", "WEBFLOW INC"], (14, 39), SF),
    ("Squarespace", ["SQSP* INV91827364", "SQUARESPACE INC"], (16, 49), NY),
    ("Airtable", ["AIRTABLE.COM", "AIRTABLE"], (20, 45), SF),
    ("Asana", ["ASANA.COM", "ASANA INC"], (11, 25), SF),
    ("Monday.com", ["MONDAY.COM"], (9, 19), NY),
    (
        "Google Workspace",
        ["GOOGLE *GSUITE_NORTHWI", "GOOGLE *WORKSPACE NORT"],
        (72, 340),
        ("MOUNTAIN VIEW", "CA"),
    ),
    (
        "Microsoft 365",
        ["MSFT *MICROSOFT 365 B", "MICROSOFT*MICROSOFT 365"],
        (12, 220),
        ("REDMOND", "WA"),
    ),
    ("1Password", ["1PASSWORD", "AGILEBITS INC"], (8, 80), ("TORONTO", "ON")),
    ("Obsidian", ["OBSIDIAN.MD", "OBSIDIAN", "OBSIDIAN.MD"], (4, 10), ("TORONTO", "ON")),
    ("Dropbox", ["DROPBOX*7KJ2LQ9", "DROPBOX"], (12, 20), SF),
    ("Shopify", ["SHOPIFY* 21837465", "SHOPIFY *"], (29, 299), ("OTTAWA", "ON")),
    ("Klaviyo", ["KLAVIYO INC.", "KLAVIYO *EMAIL"], (45, 700), BOS),
    ("Sprout Social", ["SPROUT SOCIAL", "SPROUTSOCIAL.COM"], (199, 399), ("CHICAGO", "IL")),
    # Vendors the knowledge base does not know.
    ("Pixelpoll.io", ["PIXELPOLL.IO SUBSCR"], (19, 49), WEB),
    ("Brightnote Software", ["BRIGHTNOTE SOFTWARE"], (60, 120), ("DENVER", "CO")),
    ("Supernova Metrics", ["SUPERNOVA METRICS"], (99, 99), ("AUSTIN", "TX")),
    ("Tryvox.ai", ["TRYVOX.AI"], (25, 25), WEB),
]
# Not software: (kind, descriptor variants, amount range, Amex categories, city/state).
SHOPS = [
    "Merchandise & Supplies-Wholesale Stores",
    "Merchandise & Supplies-Groceries",
    "Merchandise & Supplies-General Retail",
]
NOT_SOFTWARE = [
    (
        "shop",
        [
            "WAL-MART SUPERCENTER #1234",
            "WALMART.COM 8009666546",
            "WMT PLUS",
            "Wal-Mart Super Center #3321",
            "AplPay WAL-MART #0512",
        ],
        (12, 240),
        SHOPS,
        ("BENTONVILLE", "AR"),
    ),
    (
        "shop",
        ["TARGET 00012345", "TARGET T-1234", "AplPay TARGET 00028746", "TARGET.COM *"],
        (8, 180),
        ["Merchandise & Supplies-Department Stores"],
        ("MINNEAPOLIS", "MN"),
    ),
    (
        "shop",
        ["H&M 0345", "H&M0512", "GglPay H&M 0188"],
        (20, 140),
        ["Merchandise & Supplies-Clothing Stores"],
        NY,
    ),
    (
        "shop",
        ["SHEIN.COM", "GglPay SHEIN", "SHEIN US SERVICES"],
        (15, 90),
        ["Merchandise & Supplies-Internet Purchase", "Merchandise & Supplies-Clothing Stores"],
        WEB,
    ),
    (
        "shop",
        [
            "AMZN Mktp US*2K4L89XY2",
            "AMAZON.COM*AB12C3DE4",
            "Amazon.com*RT4KL2HJ1",
            "AMZN MKTP US*9Q1WZ8RT3",
        ],
        (6, 300),
        ["Merchandise & Supplies-Internet Purchase"],
        SEA,
    ),
    (
        "shop",
        ["COSTCO WHSE #0114", "STAPLES 00114578", "BEST BUY 00003665", "THE HOME DEPOT #6832"],
        (20, 400),
        SHOPS,
        ("SAN JOSE", "CA"),
    ),
    (
        "shop",
        ["CORNER HARDWARE & SUPPLY", "VISTAPRINT.COM", "ULINE *SHIP SUPPLIES"],
        (30, 260),
        ["Merchandise & Supplies-Hardware Supplies", "Business Services-Printing & Publishing"],
        BOS,
    ),
    (
        "meals",
        [
            "STARBUCKS STORE 10042",
            "AplPay STARBUCKS 0891",
            "SQ *BLUE BOTTLE COFFEE",
            "TST* JOE'S PIZZA",
            "THE GRILL ROOM",
            "SWEETGREEN SOMA",
            "PANERA BREAD #601",
            "CAFE ROMA",
            "UBER   *EATS",
            "DOORDASH*THAI TIME",
            "GglPay CHIPOTLE 1482",
        ],
        (4, 180),
        ["Restaurant-Restaurant", "Restaurant-Bar & Café", "Restaurant-Fast Food"],
        SF,
    ),
    (
        "travel",
        [
            "UBER   *TRIP",
            "LYFT   *RIDE WED 8PM",
            "DELTA AIR LINES",
            "UNITED 0162345678901",
            "MARRIOTT SAN FRANCISCO",
            "HILTON HOTELS",
            "AIRBNB * HMQ2K8",
            "SHELL OIL 57442",
            "PARKWHIZ *GARAGE 12",
            "AMTRAK .COM 0123",
        ],
        (15, 900),
        [
            "Transportation-Taxis & Limousines",
            "Travel-Airline",
            "Travel-Lodging",
            "Transportation-Fuel",
            "Transportation-Parking Charges",
        ],
        NY,
    ),
    (
        "utilities",
        ["PGANDE WEB ONLINE", "CON ED OF NY", "SEATTLE CITY LIGHT", "CITY OF PALO ALTO UTIL"],
        (60, 400),
        ["Other-Utilities"],
        WEB,
    ),
    (
        "telecom",
        [
            "VERIZON WRLS P2700-01",
            "AT&T*BILL PAYMENT",
            "T-MOBILE*POSTPAID",
            "COMCAST CABLE COMM",
            "VZWRLSS*APOCC VISB",
        ],
        (40, 300),
        ["Communications-Mobile Telecom", "Communications-Cable & Internet Comm"],
        WEB,
    ),
    (
        "rent",
        ["WEWORK INC", "PARKVIEW PROPERTY MGMT"],
        (450, 3200),
        ["Other-Miscellaneous", "Business Services-Other Services"],
        NY,
    ),
    # Subscriptions and online services that are not work tools: they must not become tools.
    (
        "other",
        [
            "NETFLIX.COM",
            "SPOTIFY USA",
            "NYTIMES*DIGITAL SUBSCR",
            "AUDIBLE*2K8LQ1",
            "PATREON* MEMBERSHIP",
            "UDEMY ONLINE COURSES",
            "SONIC.NET INTERNET SVC",
            "APPLE.COM/BILL",
        ],
        (5, 60),
        [
            "Merchandise & Supplies-Internet Purchase",
            "Business Services-Internet Services",
            "Entertainment-Other Entertainment",
        ],
        WEB,
    ),
    (
        "other",
        ["USPS PO 0512340042", "CVS/PHARMACY #02231", "NYC DOF PARKING TIX", "RED CROSS DONATION"],
        (5, 120),
        [
            "Business Services-Mailing & Shipping",
            "Merchandise & Supplies-Pharmacies",
            "Other-Government Services",
            "Other-Charities",
        ],
        NY,
    ),
]
PAYMENTS = [
    "AUTOPAY PAYMENT RECEIVED - THANK YOU",
    "MOBILE PAYMENT - THANK YOU",
    "ONLINE PAYMENT - THANK YOU",
]
FEES = ["FOREIGN TRANSACTION FEE", "INTEREST CHARGE ON PURCHASES", "LATE PAYMENT FEE"]
CREDITS = ["CASH BACK REWARD", "AMEX OFFER CREDIT", "STATEMENT CREDIT"]
PEOPLE = ["ANN LEE", "RAJ PATEL", "MIA WONG", "LEO MARTIN"]
STREETS = [
    "548 MARKET ST\nPMB 90375",
    "25 FIRST ST",
    "1 MAIN ST\nSUITE 400",
    "410 TERRY AVE N",
    "100 CONGRESS AVE\nFLOOR 2",
]


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
    rows, labels = [], {}
    preamble = 6
    for i, line in enumerate(_lines(rng, 440)):
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
        rows.append(
            [
                line["day"].strftime("%m/%d/%Y"),
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
        )
        labels[f"row {preamble + 2 + i}"] = _label(line)
    _write("amex_activity_440.csv", header, rows, labels, preamble=preamble, blank=",,,,,,,,,,")


def _bank_desc(line: dict) -> str:
    city = line["city"]
    if line["kind"] != "purchase" or not city[0]:
        return line["desc"]
    return f"{line['desc'][:22]} {city[0][:13]} {city[1]}"


def chase(rng: random.Random) -> None:
    header = ["Transaction Date", "Post Date", "Description", "Category", "Type", "Amount", "Memo"]
    cats = {
        "shop": "Shopping",
        "meals": "Food & Drink",
        "travel": "Travel",
        "utilities": "Bills & Utilities",
        "telecom": "Bills & Utilities",
        "rent": "Home",
        "other": "Personal",
    }
    rows, labels = [], {}
    for i, line in enumerate(_lines(rng, 60)):
        kind = line["kind"]
        types = {"payment": "Payment", "fee": "Fee", "credit": "Return"}
        amount = line["amount"] if kind in ("payment", "credit") else -line["amount"]
        if kind == "purchase" and line["label"]:
            cat = rng.choice(["Bills & Utilities", "Shopping", "Professional Services"])
        elif kind == "purchase":
            cat = next((v for k, v in cats.items() if k in line["category"].lower()), "Shopping")
        else:
            cat = "Fees & Adjustments" if kind == "fee" else ""
        desc = "Payment Thank You-Mobile" if kind == "payment" else _bank_desc(line)
        rows.append(
            [
                line["day"].strftime("%m/%d/%Y"),
                (line["day"] + timedelta(days=1)).strftime("%m/%d/%Y"),
                desc,
                cat,
                types.get(kind, "Sale"),
                f"{amount:.2f}",
                "",
            ]
        )
        labels[f"row {2 + i}"] = _label(line)
    _write("chase_activity.csv", header, rows, labels)


def chase_old(rng: random.Random) -> None:
    header = ["Type", "Trans Date", "Post Date", "Description", "Amount"]
    rows, labels = [], {}
    for i, line in enumerate(_lines(rng, 30)):
        kind = line["kind"]
        amount = line["amount"] if kind in ("payment", "credit") else -line["amount"]
        kind_text = {"payment": "Payment", "fee": "Fee", "credit": "Return"}.get(kind, "Sale")
        rows.append(
            [
                kind_text,
                line["day"].strftime("%m/%d/%Y"),
                (line["day"] + timedelta(days=2)).strftime("%m/%d/%Y"),
                _bank_desc(line),
                f"{amount:.2f}",
            ]
        )
        labels[f"row {2 + i}"] = _label(line)
    _write("chase_old_activity.csv", header, rows, labels)


def bank_of_america(rng: random.Random) -> None:
    header = ["Posted Date", "Reference Number", "Payee", "Address", "Amount"]
    rows, labels = [], {}
    for i, line in enumerate(_lines(rng, 50)):
        kind = line["kind"]
        amount = line["amount"] if kind in ("payment", "credit") else -line["amount"]
        desc = {"payment": "PAYMENT - THANK YOU", "fee": "INTEREST CHARGED ON PURCHASES"}.get(
            kind
        ) or line["desc"]
        city = line["city"]
        address = f"{city[0]} {city[1]}" if city[0] and kind == "purchase" else ""
        payee = f"{desc} {address}".strip() if address else desc
        rows.append(
            [
                line["day"].strftime("%m/%d/%Y"),
                f"2469216{rng.randrange(10**15):015d}",
                payee,
                address,
                f"{amount:.2f}",
            ]
        )
        labels[f"row {2 + i}"] = _label(line)
    _write("bank_of_america_activity.csv", header, rows, labels)


def capital_one(rng: random.Random) -> None:
    header = [
        "Transaction Date",
        "Posted Date",
        "Card No.",
        "Description",
        "Category",
        "Debit",
        "Credit",
    ]
    cats = {
        "shop": "Merchandise",
        "meals": "Dining",
        "travel": "Other Travel",
        "utilities": "Utilities",
        "telecom": "Phone/Cable",
        "rent": "Other Services",
        "other": "Other Services",
    }
    rows, labels = [], {}
    for i, line in enumerate(_lines(rng, 50)):
        kind = line["kind"]
        if kind == "payment":
            cat, debit, credit = "Payment/Credit", "", f"{line['amount']:.2f}"
        elif kind == "credit":
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
        rows.append(
            [
                line["day"].isoformat(),
                (line["day"] + timedelta(days=1)).isoformat(),
                "4821",
                _bank_desc(line),
                cat,
                debit,
                credit,
            ]
        )
        labels[f"row {2 + i}"] = _label(line)
    _write("capital_one_activity.csv", header, rows, labels)


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
    rows, labels = [], {}
    for i, line in enumerate(_lines(rng, 50)):
        kind = line["kind"]
        desc = "ONLINE PAYMENT, THANK YOU" if kind == "payment" else _bank_desc(line)
        if kind in ("payment", "credit"):
            debit, credit = "", f"-{line['amount']:.2f}"
        else:
            debit, credit = f"{line['amount']:.2f}", ""
        rows.append(
            ["Cleared", line["day"].strftime("%m/%d/%Y"), desc, debit, credit, line["person"]]
        )
        labels[f"row {2 + i}"] = _label(line)
    _write("citi_activity.csv", header, rows, labels)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, make in enumerate((amex, chase, chase_old, bank_of_america, capital_one, citi)):
        make(random.Random(2026 + seed))
    print(f"wrote 6 labelled statements to {OUT}")


if __name__ == "__main__":
    main()
