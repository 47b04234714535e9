"""The layers of spend classification, the knowledge base and merchant cleaning."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.taxonomy import SHIPPED_CATEGORIES
from integrations.base import Observation
from integrations.base import Skipped
from integrations.base import Unclassified
from integrations.card_csv import CardCsvImporter
from integrations.card_layouts import sniff
from integrations.expensify import ExpensifyImporter
from integrations.merchants import display
from integrations.merchants import group_key
from integrations.merchants import strip_descriptor
from integrations.spend import REASONS
from integrations.spend import classify
from integrations.spend import mcc_description
from integrations.vendors import knowledge_base
from integrations.vendors import match

ROOT = Path(__file__).resolve().parent.parent.parent
CARDS = ROOT / "tests" / "data" / "discovery" / "cards"


def test_knowledge_base_has_several_hundred_products_with_valid_categories():
    kb = knowledge_base()
    software = [e for e in kb.entries if e.software]
    assert len(software) >= 300
    assert len({e.name for e in software}) == len(software)  # one entry per product
    assert {e.category for e in software if e.category} <= set(SHIPPED_CATEGORIES)
    kinds = {e.kind for e in kb.entries if not e.software}
    assert kinds == {"shop", "meals", "travel", "utilities", "telecom", "rent"}


def test_every_demo_tool_is_in_the_knowledge_base():
    demo = json.loads((ROOT / "catalog" / "data" / "demo.json").read_text())
    for tool in demo["tools"]:
        found = match(tool["name"])
        assert found is not None and found.software, tool["name"]


@pytest.mark.parametrize(
    ("descriptor", "name"),
    [
        ("OPENAI *CHATGPT SUBSCR", "ChatGPT"),
        ("CLAUDE.AI SUBSCRIPTION", "Claude"),
        ("ANTHROPIC", "Claude"),
        ("JASPER.AI", "Jasper"),
        ("COPY.AI", "Copy.ai"),
        ("MIDJOURNEY INC.", "Midjourney"),
        ("RUNWAYML.COM", "Runway"),
        ("SYNTHESIA LTD", "Synthesia"),
        ("HEYGEN TECHNOLOGY INC", "HeyGen"),
        ("ELEVENLABS.IO", "ElevenLabs"),
        ("DESCRIPT INC", "Descript"),
        ("PERPLEXITY.AI", "Perplexity"),
        ("GRAMMARLY INC", "Grammarly"),
        ("GAMMA.APP", "Gamma"),
        ("OTTER.AI", "Otter.ai"),
        ("HUBSPOT INC", "HubSpot"),
        ("MAILCHIMP *MONTHLY", "Mailchimp"),
        ("ZOOM.US 888-799-9666", "Zoom"),
        ("GITHUB, INC.", "GitHub"),
        ("GITLAB INC", "GitLab"),
        ("VERCEL INC.", "Vercel"),
        ("NETLIFY", "Netlify"),
        ("HEROKU", "Heroku"),
        ("AMAZON WEB SERVICES", "Amazon Web Services"),
        ("GOOGLE *CLOUD 8N3KLP", "Google Cloud"),
        ("DIGITALOCEAN.COM", "DigitalOcean"),
        ("CLOUDFLARE", "Cloudflare"),
        ("ATLASSIAN", "Atlassian Cloud"),
    ],
)
def test_statement_descriptors_of_ai_tools_martech_and_developer_platforms(descriptor, name):
    verdict = classify(descriptor)
    assert (verdict.outcome, verdict.name) == ("software", name)


@pytest.mark.parametrize(
    ("raw", "merchant"),
    [
        ("AplPay TARGET 00012345 MINNEAPOLIS MN", "TARGET"),
        ("GglPay SHEIN.COM", "SHEIN.COM"),
        ("SQ *BLUE BOTTLE COFFEE", "BLUE BOTTLE COFFEE"),
        ("TST* JOE'S PIZZA", "JOE'S PIZZA"),
        ("PAYPAL *HOTJAR", "HOTJAR"),
        ("PADDLE.NET* N8N", "N8N"),
        ("FS *SKETCH", "SKETCH"),
        ("SP * GYMSHARK", "GYMSHARK"),
        ("2CO.COM*SOFTPEDIA", "SOFTPEDIA"),
        ("ZOOM.US 888-799-9666", "ZOOM.US"),
        ("STARBUCKS STORE 10042 SEATTLE WA", "STARBUCKS"),
        ("WAL-MART #0512", "WAL-MART"),
        ("ANTHROPIC SAN FRANCISCO CA", "ANTHROPIC"),
    ],
)
def test_prefixes_store_and_phone_numbers_and_cities_are_stripped(raw, merchant):
    assert strip_descriptor(raw) == merchant


def test_amex_fixed_width_merchant_field_run_into_the_city():
    # Without the City/State column, the 20-character merchant field still ends the name.
    cut = strip_descriptor("CLAUDE.AI SUBSCRIPTISAN FRANCISCO CA", "", 20)
    assert cut == "CLAUDE.AI SUBSCRIPTI"
    assert strip_descriptor("ANTHROPIC           SAN FRANCISCO  CA") == "ANTHROPIC"


def test_city_state_column_cuts_the_tail_exactly():
    assert strip_descriptor("ACME ANALYTICS LLCPORTLAND OR", "PORTLAND\nOR") == "ACME ANALYTICS LLC"


def test_variants_of_one_unknown_merchant_share_a_key_and_a_tidy_name():
    assert group_key("Obsidian.Md") == group_key("OBSIDIAN") == group_key("Obsidian")
    assert group_key("BRIGHTNOTE LLC") == group_key("Brightnote, Inc.")
    assert display("ACME ANALYTICS LLC") == "Acme Analytics"
    assert display("PIXELPOLL.IO SUBSCR") == "Pixelpoll.io"


def test_merchant_category_codes_decide_unknown_merchants():
    assert classify("ACME SYNC", mcc="5734")[:2] == ("software", "MCC")
    assert classify("ACME SYNC", mcc="7372").outcome == "software"
    assert classify("ACME SYNC", mcc="5411").reason == "not software: shop"
    assert classify("ACME SYNC", mcc="5812").reason == "not software: meals"
    assert classify("ACME SYNC", mcc="4511").reason == "not software: travel"
    assert classify("ACME SYNC", mcc="4814").reason == "not software: telecom"
    assert classify("ACME SYNC", mcc="4900").reason == "not software: utilities"
    assert mcc_description("5734") == "Computer software outlets"


def test_hints_alone_decide_only_when_strong():
    assert classify("PIXELPOLL.IO SUBSCR").outcome == "software"  # .io and a subscription
    assert classify("BRIGHTNOTE SOFTWARE").outcome == "software"
    assert classify("TRYVOX.AI")[:2] == ("unclassified", "possible software (hint only)")
    assert classify("NYTIMES*DIGITAL SUBSCR").outcome == "unclassified"
    assert classify("SUPERNOVA METRICS")[:2] == ("unclassified", "unknown merchant")


def test_knowledge_base_outranks_the_exports_category():
    # AWS filed as an internet purchase is still software; Amazon's shop is still a shop.
    assert classify("AMAZON WEB SERVICES", "Merchandise & Supplies-Internet Purchase").outcome == (
        "software"
    )
    assert classify("AMZN Mktp US*2K4L89XY2", "Business Services-Other Services").reason == (
        "not software: shop"
    )


def test_common_words_match_only_as_the_whole_merchant():
    assert classify("FRONTAPP.COM").name == "Front"
    assert classify("FRONT ROW CAFE").reason == "not software: meals"
    assert classify("BOX.COM").name == "Box"
    assert classify("BOX LUNCH CO").outcome != "software"


@pytest.mark.parametrize("name", sorted(p.name for p in CARDS.glob("*.csv")))
def test_every_reason_is_one_of_the_documented_few(name):
    with open(CARDS / name, "rb") as fh:
        items = list(CardCsvImporter().parse(fh))
    reasons = {i.reason for i in items if isinstance(i, Skipped | Unclassified)}
    assert reasons and reasons <= set(REASONS)


def test_expensify_lines_use_the_same_classifier_and_unclassified_waits_in_triage():
    payload = (
        b"Timestamp,Merchant,Amount,MCC,Category,Tag,Comment,Reimbursable,"
        b'"Original Currency","Original Amount",Receipt\n'
        b'"2025-11-12 00:00:00","OPENAI *CHATGPT SUBSCR",20.00,5734,Software,,,no,USD,20.00,\n'
        b'"2025-11-13 00:00:00","Northwind Print Shop",45.00,0,"Office Supplies",,,yes,USD,45.00,\n'
        b'"2025-11-14 00:00:00","Quillmate",30.00,0,Other,,,no,USD,30.00,\n'
        b'"2025-11-15 00:00:00","Canva Pty Ltd",-12.99,0,Software,,refund,no,USD,-12.99,\n'
    )
    items = list(ExpensifyImporter().parse(io.BytesIO(payload)))
    assert isinstance(items[0], Observation) and items[0].app_name == "ChatGPT"
    assert items[1] == Skipped("row 3", "not software: shop")
    assert isinstance(items[2], Unclassified)
    assert (items[2].merchant, items[2].amount, items[2].currency) == (
        "Quillmate",
        Decimal("30.00"),
        "USD",
    )
    assert items[3] == Skipped("row 5", "credit or refund")


def test_sniff_finds_the_header_after_empty_and_preamble_rows():
    amex = (CARDS / "amex_activity_440.csv").read_text(encoding="utf-8")[:4000]
    assert sniff(amex).key == "amex"
    assert sniff("Account,1\n\nPosted Date,Reference Number,Payee,Address,Amount\n").key == (
        "bank_of_america"
    )
    assert sniff("hello,world\n1,2\n") is None
