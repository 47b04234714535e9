"""`martech import card_csv`: the real-layout statements into the demo catalog, and --columns."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from catalog.cli import main
from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import Sighting
from catalog.models import Tool

CARDS = Path(__file__).resolve().parent / "data" / "discovery" / "cards"
AMEX = CARDS / "amex_activity_440.csv"


def invoke(runner, *args: str):
    return runner.invoke(main, list(args))


def test_amex_statement_into_the_demo_adds_only_software_and_twice_changes_nothing(app, runner):
    assert invoke(runner, "demo", "--today", "2026-11-22").exit_code == 0
    seen = sa.select(Sighting.observed_name).where(Sighting.source == "card_csv")
    with app.app_context():
        before = set(db.session.scalars(sa.select(Tool.name)))
        demo_names = set(db.session.scalars(seen))  # the demo's own card sightings
    result = invoke(runner, "import", "card_csv", str(AMEX))
    assert result.exit_code == 0, result.output
    # The summary names the commonest reasons (all of them are in the import summary's counts).
    for reason in ("payment", "credit or refund", "not software: shop", "not software: meals"):
        assert reason in result.output
    labels = json.loads((CARDS / "amex_activity_440.labels.json").read_text())["lines"]
    vendors = {v["vendor"] for v in labels.values() if v["software"]}
    with app.app_context():
        names = set(db.session.scalars(seen)) - demo_names
        added = set(db.session.scalars(sa.select(Tool.name))) - before
        changes = db.session.scalar(sa.select(sa.func.count(ChangeRecord.id)))
    # Every sighting is a labelled software vendor under its clean name; no shop, payment or fee.
    assert names <= vendors
    assert {"Walmart", "Target", "Autopay Payment", "Foreign Transaction Fee"}.isdisjoint(names)
    # Demo tools bought on the card attach to the catalog's tool instead of becoming new ones.
    assert {"HubSpot", "Canva", "Semrush", "Zoom"} & names and not {
        "HubSpot",
        "Canva",
        "Semrush",
        "Typeform",
    } & added
    assert added <= vendors
    again = invoke(runner, "import", "card_csv", str(AMEX))
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ChangeRecord.id))) == changes


def test_columns_mapping_reads_another_banks_layout(app, runner, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text(
        "Export of card 4821\n\n"
        "Buchungstag,Empfaenger,Betrag,Kategorie\n"
        "2026-11-03,SLACK T0Z8KJ4NA,-8.75,Software\n"
        "2026-11-04,REWE MARKT 0412,-23.10,Groceries\n",
        encoding="utf-8",
    )
    refused = invoke(runner, "import", "card_csv", str(path))
    assert refused.exit_code == 1 and "no header row of a known layout" in refused.output
    result = invoke(
        runner,
        "import",
        "card_csv",
        str(path),
        "--purchases",
        "negative",
        "--columns",
        "date=Buchungstag,merchant=Empfaenger,amount=Betrag,category=Kategorie",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        slack = db.session.scalar(sa.select(Sighting).where(Sighting.observed_name == "Slack"))
        assert str(slack.spend) == "8.75"
        assert db.session.scalar(sa.select(sa.func.count(Sighting.id))) == 1


def test_columns_is_for_card_csv_only_and_a_bad_mapping_names_the_problem(app, runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n", encoding="utf-8")
    wrong = invoke(runner, "import", "entra", str(path), "--columns", "date=a,merchant=b,amount=b")
    assert wrong.exit_code == 2 and "--columns applies to the card_csv source only" in wrong.output
    bad = invoke(runner, "import", "card_csv", str(path), "--columns", "date=a,merchant=b")
    assert bad.exit_code == 1
    assert "nothing imported. --columns: the column mapping needs amount" in bad.output
    missing = invoke(
        runner, "import", "card_csv", str(path), "--columns", "date=a,merchant=bb,amount=a"
    )
    assert missing.exit_code == 1
    assert "missing column(s) bb (closest header found: 'b')" in missing.output
