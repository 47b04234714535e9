"""Discovery imports through the services: matching, idempotency, all-or-nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalog.models import ChangeRecord
from catalog.models import Dependency
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.services import discovery
from catalog.services import matching
from tests.factories import make_person
from tests.factories import make_tool

DATA = Path(__file__).resolve().parent / "data" / "discovery"


def run(session, source, *names, **kw):
    summary = discovery.import_files(
        session, source, [str(DATA / n) for n in names], actor="test", **kw
    )
    session.commit()
    return summary


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def sighting(session, source, name) -> Sighting:
    return session.scalar(
        sa.select(Sighting).where(Sighting.source == source, Sighting.observed_name == name)
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Hubspot Inc.", "hubspot"),
        ("HubSpot Marketing Hub", "hubspot"),
        ("hubspot", "hubspot"),
        ("HUBSPOT INC", "hubspot"),
        ("SQ *CANVA", "canva"),
        ("PAYPAL *HOTJAR", "hotjar"),
        ("Hotjar (Marketing)", "hotjar"),
        ("Canva Pty Ltd", "canva"),
        ("TST* Joe's Diner", "joe s diner"),
        ("Acme S.A.", "acme"),
        ("Zoom.us 888-799-9666", "zoom"),
    ],
)
def test_tricky_names_reduce_to_one_key(name, key):
    assert matching.group_key(name) == key


@pytest.mark.parametrize("name", ["Hubspot Inc.", "HubSpot Marketing Hub", "hubspot"])
def test_hubspot_spellings_match_one_registered_tool(session, name):
    tool = make_tool(session, slug="hubspot-crm", name="HubSpot")
    matcher = matching.Matcher(session, "entra")
    assert matcher.match(name, None).tool_id == tool.id


def test_card_descriptor_and_admin_label_match(session):
    canva = make_tool(session, slug="canva", name="Canva")
    hotjar = make_tool(session, slug="hotjar", name="Hotjar")
    matcher = matching.Matcher(session, "card_csv")
    assert matcher.match("SQ *CANVA", None).tool_id == canva.id
    assert matcher.match("Hotjar (Marketing)", None).tool_id == hotjar.id


def test_shipped_alias_groups_match_other_names_of_a_product(session):
    tool = make_tool(session, slug="chatgpt", name="ChatGPT")
    assert (
        matching.Matcher(session, "card_csv").match("OPENAI *CHATGPT SUBSCR", None).tool_id
        == tool.id
    )


def test_fuzzy_similarity_only_suggests(session):
    make_tool(session, slug="hubspot", name="HubSpot")
    matcher = matching.Matcher(session, "okta")
    assert matcher.match("Hubspt", None).tool_id is None
    tool_id, score = matcher.suggest("Hubspt")
    assert matcher.names[tool_id] == "HubSpot" and score >= matching.FUZZY_CUTOFF


def test_entra_import_matches_creates_discovered_tools_and_sightings(session):
    make_tool(session, slug="hubspot", name="HubSpot", lifecycle="sanctioned")
    session.commit()
    summary = run(session, "entra", "entra_signins_variant_b.csv")
    assert summary["apps"] == 4 and summary["matched"] == 2
    assert summary["new_tools"] == ["Canva", "Hotjar"]
    hotjar = session.scalar(sa.select(Tool).where(Tool.slug == "hotjar"))
    assert hotjar.lifecycle == "discovered"
    s = sighting(session, "entra", "Hubspot Inc.")
    assert (s.tool.slug, s.first_seen, s.last_seen, s.users, s.events) == (
        "hubspot",
        date(2025, 12, 4),
        date(2025, 12, 4),
        2,
        2,
    )
    assert sighting(session, "entra", "HubSpot Marketing Hub").tool.slug == "hubspot"
    # Application IDs are remembered for the tools they turned out to be.
    ids = set(session.execute(sa.select(ToolAlias.value, Tool.slug).join(Tool)).all())
    assert ("5a0e2c3d-7b7e-4a0f-8a3e-2b9a1c4d5e03", "hotjar") in ids
    created = session.scalars(
        sa.select(ChangeRecord.object_type).where(ChangeRecord.action == "create")
    ).all()
    assert created.count("sighting") == 4 and created.count("tool") == 3  # hubspot + 2 discovered


def test_second_import_of_the_same_file_changes_nothing(session):
    run(session, "entra", "entra_signins_variant_b.csv")
    before = count(session, ChangeRecord)
    summary = run(session, "entra", "entra_signins_variant_b.csv")
    assert count(session, ChangeRecord) == before
    assert summary["changes"] == 0 and summary["new_tools"] == []
    assert summary["sightings"] == {"created": 0, "updated": 0, "unchanged": 4}


@pytest.mark.parametrize("source", ["okta", "auto"])
def test_one_discovered_tool_per_vendor_across_sources(session, source):
    run(session, "entra", "entra_signins_variant_b.csv")
    run(session, source, "okta_system_log.json")
    run(session, "card_csv", "amex_activity.csv")
    slugs = session.scalars(sa.select(Tool.slug).order_by(Tool.slug)).all()
    assert slugs == ["canva", "hotjar", "hubspot", "miro-board"]
    assert sighting(session, "okta", "Hotjar (Marketing)").tool.slug == "hotjar"
    # Card lines arrive under the vendor's clean name ("PAYPAL *HOTJAR" -> "Hotjar").
    assert sighting(session, "card_csv", "Hotjar").tool.slug == "hotjar"
    assert sighting(session, "card_csv", "Canva").tool.slug == "canva"


def test_bad_row_rejects_the_whole_file(session):
    make_tool(session, slug="hubspot", name="HubSpot")
    session.commit()
    before = (count(session, Tool), count(session, Sighting), count(session, ChangeRecord))
    with pytest.raises(discovery.ImportFailed) as caught:
        run(session, "entra", "entra_signins_bad_row7.csv")
    session.rollback()
    assert (
        "1 bad row: entra_signins_bad_row7.csv, row 7: Date (UTC): '2025-13-08T13:45:00Z'"
        in str(caught.value)
    )
    assert (count(session, Tool), count(session, Sighting), count(session, ChangeRecord)) == before


def test_parse_error_names_the_file(session, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(discovery.ImportFailed, match="empty.csv: the file is empty"):
        discovery.import_files(session, "entra", [str(path)], actor="test")


def test_spend_skips_and_currency(session):
    summary = run(session, "expensify", "expensify_export.csv")
    assert summary["skipped"] == {"not software: travel": 1, "not software: meals": 1}
    hotjar = sighting(session, "expensify", "Hotjar")
    assert (hotjar.spend, hotjar.currency, hotjar.events) == (Decimal("146.80"), "EUR", 2)
    # SQ *CANVA and Canva Pty Ltd are one sighting of one discovered tool.
    assert sighting(session, "expensify", "Canva").events == 2


def test_newer_export_replaces_figures_older_one_only_widens_dates(session, tmp_path):
    header = "Date (UTC),Application,Application ID ,Username\n"
    new = tmp_path / "new.csv"
    new.write_text(
        header + "2025-12-10T00:00:00Z,Canva,c1,a@x.com\n2025-12-11T00:00:00Z,Canva,c1,b@x.com\n"
    )
    old = tmp_path / "old.csv"
    old.write_text(header + "2025-10-01T00:00:00Z,Canva,c1,a@x.com\n")
    discovery.import_files(session, "entra", [str(new)], actor="t")
    discovery.import_files(session, "entra", [str(old)], actor="t")
    s = sighting(session, "entra", "Canva")
    assert (s.first_seen, s.last_seen, s.users, s.events) == (
        date(2025, 10, 1),
        date(2025, 12, 11),
        2,
        2,
    )


def test_confirmed_suggestion_merges_and_is_remembered(session):
    make_tool(session, slug="miro", name="Miro")
    session.commit()
    plan = discovery.plan_import(session, "okta", [str(DATA / "okta_system_log.json")])
    miro = plan.new_tools["miro board"]
    assert miro.suggestion is not None and miro.suggestion[0] == "miro"
    session.rollback()
    run(session, "okta", "okta_system_log.json", confirm={"miro board": "miro"})
    assert sighting(session, "okta", "Miro Board (Design)").tool.slug == "miro"
    assert session.scalar(sa.select(ToolAlias).where(ToolAlias.value == "miro board")) is not None
    assert session.scalar(sa.select(Tool).where(Tool.slug == "miro-board")) is None


def test_catalog_csv_registers_and_updates_tools(session):
    for email in ("ann.lee@example.com", "ian.it@example.com"):
        make_person(session, email=email)
    make_tool(session, slug="canva", name="Canva", lifecycle="discovered")
    session.commit()
    summary = run(session, "catalog_csv", "catalog_tools.csv")
    assert summary["tools"] == {"created": 2, "updated": 1, "unchanged": 0}
    hubspot = session.scalar(sa.select(Tool).where(Tool.slug == "hubspot"))
    assert (hubspot.annual_cost, hubspot.seats, hubspot.business_owner.email) == (
        Decimal("24000.00"),
        25,
        "ann.lee@example.com",
    )
    again = run(session, "catalog_csv", "catalog_tools.csv")
    assert again["tools"] == {"created": 0, "updated": 0, "unchanged": 3} and again["changes"] == 0


def test_catalog_csv_invalid_rows_name_row_and_field(session):
    with pytest.raises(discovery.ImportFailed) as caught:
        run(session, "catalog_csv", "catalog_tools_bad.csv")
    message = str(caught.value)
    assert "2 bad rows" in message
    assert "catalog_tools_bad.csv, row 3: category: unknown category 'not-a-category'" in message
    assert "row 4: seats: 'many' is not a whole number" in message
    session.rollback()
    assert count(session, Tool) == 0


def test_catalog_csv_unknown_owner_is_a_bad_row(session):
    with pytest.raises(
        discovery.ImportFailed,
        match="row 2: business_owner: no person with e-mail ann.lee@example.com",
    ):
        run(session, "catalog_csv", "catalog_tools.csv")


def test_backstage_tools_dependencies_and_dangling_refs(session):
    summary = run(session, "backstage", "backstage/artists.yaml")
    assert summary["tools"]["created"] == 2  # the database resource is not a tool
    assert summary["skipped"]["resource of type database: not a martech tool"] == 1
    assert session.execute(sa.select(Dependency.tool_id, Dependency.depends_on_id)).all() == []
    assert any(
        "dangling reference: artist-lookup depends on search-index" in w
        for w in summary["warnings"]
    )
    # Backstage's "deprecated" is kept as what Backstage says; the catalog gets a request.
    tool = session.scalar(sa.select(Tool).where(Tool.slug == "www-artist"))
    assert tool.lifecycle == "requested"
    assert tool.description.endswith("Backstage: component, type website, lifecycle deprecated.")
    again = run(session, "backstage", "backstage/artists.yaml")
    assert again["changes"] == 0 and again["tools"]["unchanged"] == 2


def test_backstage_real_files_together_and_invalid_one_rejected(session):
    files = ["backstage/artist-lookup-component.yaml", "backstage/artists-db-resource.yaml"]
    summary = run(session, "backstage", *files)
    assert summary["tools"]["created"] == 1 and summary["dependencies"]["created"] == 0
    assert any("artist-lookup depends on artists-db" in w for w in summary["warnings"])
    with pytest.raises(discovery.ImportFailed, match="invalid component"):
        run(session, "backstage", "backstage/invalid-component.yaml")


def test_format_summary_is_readable(session):
    text = discovery.format_summary(run(session, "entra", "entra_signins_variant_b.csv"))
    assert "Apps: 4 seen, 0 matched to tools, 3 new discovered tools, 0 ignored." in text
    assert "  new: HubSpot" in text and "changes recorded." in text


def card_csv(tmp_path, name, *lines):
    """Write a Ramp-template card CSV of (date, amount, user, merchant) lines; return its path."""
    path = tmp_path / name
    body = "".join(
        f"{day}T12:00:00Z,{amount},{user},{merchant}\n" for day, amount, user, merchant in lines
    )
    path.write_text("transaction_time,amount,user,merchant_name\n" + body)
    return str(path)


def card_import(session, path):
    summary = discovery.import_files(session, "card_csv", [path], actor="t")
    session.commit()
    return summary


def figures(session, source="card_csv", name="Typeform"):
    s = sighting(session, source, name)
    return (s.first_seen, s.last_seen, s.users, s.events, s.spend)


def test_card_statements_of_two_months_add_up_and_reimport_changes_nothing(session, tmp_path):
    january = card_csv(
        tmp_path,
        "jan.csv",
        ("2026-01-03", "49.00", "ann@x.com", "Typeform"),
        ("2026-01-20", "10.00", "bob@x.com", "Typeform"),
    )
    february = card_csv(tmp_path, "feb.csv", ("2026-02-03", "59.00", "ann@x.com", "Typeform"))
    card_import(session, january)
    card_import(session, february)
    assert figures(session) == (date(2026, 1, 3), date(2026, 2, 3), 2, 3, Decimal("118.00"))
    before = count(session, ChangeRecord)
    for path in (january, february):
        summary = card_import(session, path)
        assert summary["changes"] == 0
        assert summary["sightings"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert count(session, ChangeRecord) == before
    assert figures(session) == (date(2026, 1, 3), date(2026, 2, 3), 2, 3, Decimal("118.00"))


def typeform_statement(session, tmp_path, name, *charges):
    """Import a card statement of Typeform charges, each (date, amount, user)."""
    lines = [(day, amount, user, "Typeform") for day, amount, user in charges]
    return card_import(session, card_csv(tmp_path, name, *lines))


def test_an_overlapping_statement_adds_only_the_days_not_yet_counted(session, tmp_path):
    ann, cy = "ann@x.com", "cy@x.com"
    jan = [("2026-01-03", "49.00", ann), ("2026-01-31", "10.00", ann)]
    typeform_statement(session, tmp_path, "jan.csv", *jan)
    # Mid-January to mid-February: the January lines are already counted, February's are new.
    mid = [("2026-01-15", "5.00", ann), jan[1], ("2026-02-01", "20.00", cy)]
    summary = typeform_statement(session, tmp_path, "mid.csv", *mid, ("2026-02-14", "1.50", cy))
    assert summary["sightings"]["updated"] == 1
    assert figures(session) == (date(2026, 1, 3), date(2026, 2, 14), 2, 4, Decimal("80.50"))
    # An earlier statement adds its own period too: order of import does not matter at the ends.
    typeform_statement(session, tmp_path, "dec.csv", ("2025-12-30", "7.00", ann), jan[0])
    assert figures(session) == (date(2025, 12, 30), date(2026, 2, 14), 2, 5, Decimal("87.50"))


def test_expensify_spend_adds_up_but_other_currencies_are_reported(session, tmp_path):
    header = (
        "Timestamp,Merchant,Amount,MCC,Category,Tag,Comment,Reimbursable,"
        '"Original Currency","Original Amount",Receipt\n'
    )
    row = '"{} 09:00:00",Hotjar Ltd,{},0,Software,,,no,{},{},\n'
    jan, feb = tmp_path / "jan.csv", tmp_path / "feb.csv"
    jan.write_text(header + row.format("2026-01-05", "30.00", "EUR", "30.00"))
    feb.write_text(
        header
        + row.format("2026-02-05", "12.00", "EUR", "12.00")
        + row.format("2026-02-06", "9.00", "GBP", "9.00")
    )
    discovery.import_files(session, "expensify", [str(jan)], actor="t")
    summary = discovery.import_files(session, "expensify", [str(feb)], actor="t")
    s = sighting(session, "expensify", "Hotjar")
    assert (s.spend, s.currency, s.events) == (Decimal("42.00"), "EUR", 3)
    assert summary["warnings"] == ["expensify Hotjar: spend in other currencies left out: 9.00 GBP"]


def test_sign_in_logs_still_replace_rather_than_add(session, tmp_path):
    header = "Date (UTC),Application,Application ID ,Username\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(header + "2026-01-10T00:00:00Z,Canva,c1,a@x.com\n")
    second.write_text(header + "2026-02-10T00:00:00Z,Canva,c1,a@x.com\n")
    discovery.import_files(session, "entra", [str(first)], actor="t")
    discovery.import_files(session, "entra", [str(second)], actor="t")
    assert figures(session, "entra", "Canva")[2:4] == (1, 1)
