"""Every importer on small files in the real export formats, with the pitfalls of the reference."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import integrations
from integrations.base import BadRow
from integrations.base import DependencyRecord
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import ToolRecord
from integrations.base import Warning_
from tests.integrations.parsing import of
from tests.integrations.parsing import parse

DATA = Path(__file__).resolve().parent.parent / "data" / "discovery"
BACKSTAGE = DATA / "backstage"


def test_registry_is_an_explicit_dict_of_every_source():
    assert sorted(integrations.IMPORTERS) == [
        "backstage",
        "card_csv",
        "catalog_csv",
        "entra",
        "expensify",
        "google_workspace",
        "okta",
    ]
    for name, cls in integrations.IMPORTERS.items():
        assert cls.name == name and cls.label


@pytest.mark.parametrize("name", ["okta_system_log.json", "okta_system_log.ndjson"])
def test_okta_reads_sso_events_and_tolerates_null_targets(name):
    items = parse("okta", DATA / name)
    seen = of(items, Observation)
    assert [(o.app_name, o.app_id, o.user, o.day) for o in seen] == [
        ("Hotjar (Marketing)", "0oam44qwezA075Gms501", "ann.lee@example.com", date(2025, 12, 1)),
        ("Hotjar (Marketing)", "0oam44qwezA075Gms501", "raj.patel@example.com", date(2025, 12, 2)),
        ("HubSpot Marketing Hub", "0oam44qwezA075Gms502", "ann.lee@example.com", date(2025, 12, 3)),
        ("Miro Board (Design)", "0oam44qwezA075Gms503", "mia.wong@example.com", date(2025, 12, 4)),
    ]
    reasons = [s.reason for s in of(items, Skipped)]
    assert reasons == ["event type user.session.start", "SSO event without an AppInstance target"]


def test_okta_bad_timestamp_names_record_and_line():
    bad = of(parse("okta", DATA / "okta_bad_published.json"), BadRow)
    assert bad == [
        BadRow("record 5 (line 280)", "published: 'yesterday' is not an ISO-8601 timestamp")
    ]


@pytest.mark.parametrize("name", ["entra_signins_variant_b.csv", "entra_signins_variant_a_bom.csv"])
def test_entra_csv_both_header_variants_with_padded_and_duplicated_headers(name):
    items = parse("entra", DATA / name)
    seen = of(items, Observation)
    # Row 5 is a "Failure": it used to count as use; it is skipped with its reason now.
    assert len(seen) == 5
    assert of(items, Skipped) == [Skipped("row 5", "failed sign-in")]
    first = seen[0]
    assert first.app_name == "Hubspot Inc."
    # "Application ID " has a trailing space in the portal header.
    assert first.app_id == "1f6c0b8e-0d1a-4c55-9a57-6f1c7e0a1b01"
    assert first.user == "ann.lee@example.com"
    assert first.day == date(2025, 12, 4)


def test_entra_csv_bad_date_reports_spreadsheet_row():
    bad = of(parse("entra", DATA / "entra_signins_bad_row7.csv"), BadRow)
    assert bad == [BadRow("row 7", "Date (UTC): '2025-13-08T13:45:00Z' is not a date")]


def test_entra_graph_json_with_offsets_and_seven_fraction_digits():
    seen = of(parse("entra", DATA / "entra_graph_signins.json"), Observation)
    assert [(o.app_name, o.app_id, o.day) for o in seen] == [
        ("Hotjar (Marketing)", "5a0e2c3d-7b7e-4a0f-8a3e-2b9a1c4d5e03", date(2025, 11, 20)),
        ("Typeform", "0b7e4a1c-2222-4d3e-9f00-aa11bb22cc05", date(2025, 11, 21)),
    ]


def test_google_token_audit_authorize_events_array_or_flattened():
    items = parse("google_workspace", DATA / "google_token_audit.json")
    seen = of(items, Observation)
    assert [(o.app_name, o.app_id, o.user) for o in seen] == [
        (
            "Hotjar",
            "923474483785-sqf6uk8vq1rqe853il0g2h4m98ji2fq6.apps.googleusercontent.com",
            "ann.lee@example.com",
        ),
        ("Typeform", "1055.apps.googleusercontent.com", "raj.patel@example.com"),
    ]
    assert seen[0].scopes == ("https://www.googleapis.com/auth/userinfo.email", "openid")
    assert [s.reason for s in of(items, Skipped)] == ["token revoked", "token event activity"]


def test_google_empty_page_with_null_items_is_no_records():
    assert parse("google_workspace", DATA / "google_token_empty_page.json") == []


def test_expensify_keeps_software_and_skips_travel_and_meals():
    items = parse("expensify", DATA / "expensify_export.csv")
    seen = of(items, Observation)
    assert [(o.app_name, o.spend, o.currency) for o in seen] == [
        # One clean name per vendor, whatever the descriptor ("SQ *CANVA", "Canva Pty Ltd").
        ("Canva", Decimal("12.99"), "USD"),
        ("Hotjar", Decimal("73.40"), "EUR"),  # the original currency, not the report's
        ("Canva", Decimal("12.99"), "USD"),
        ("Hotjar", Decimal("73.40"), "EUR"),
    ]
    assert [s.reason for s in of(items, Skipped)] == ["not software: travel", "not software: meals"]


def test_amex_layout_skips_taxis_restaurants_and_credits():
    items = parse("card_csv", DATA / "amex_activity.csv")
    seen = of(items, Observation)
    assert [(o.app_name, o.user, o.day, o.spend) for o in seen] == [
        ("Canva", "ANN LEE", date(2025, 11, 3), Decimal("12.99")),
        ("HubSpot", "RAJ PATEL", date(2025, 11, 5), Decimal("1200.00")),
        ("Hotjar", "MIA WONG", date(2025, 11, 21), Decimal("39.00")),
    ]
    assert [s.reason for s in of(items, Skipped)] == [
        "not software: travel",
        "not software: meals",
        "credit or refund",  # a credit is never spend on a tool
    ]


def test_ramp_four_column_template():
    items = parse("card_csv", DATA / "ramp_transactions.csv")
    seen = of(items, Observation)
    assert [(o.app_name, o.spend) for o in seen] == [
        ("Typeform", Decimal("49.00")),
        ("Typeform", Decimal("49.00")),
        ("ChatGPT", Decimal("1234.00")),
    ]
    assert of(items, Skipped) == [Skipped("row 3", "not software: travel")]


def test_catalog_csv_rows_become_tool_records():
    records = of(parse("catalog_csv", DATA / "catalog_tools.csv"), ToolRecord)
    assert [r.fields["slug"] for r in records] == ["hubspot", "canva", "snowflake"]
    hubspot = records[0].fields
    assert hubspot["data_classes"] == ["contact_pii", "behavioral"]
    assert hubspot["system_of_record"] is True and hubspot["seats"] == 25
    assert "technical_owner" not in records[1].fields  # an empty cell is not given


def test_catalog_csv_unknown_column_is_refused():
    with pytest.raises(ParseError, match="unknown column.*colour"):
        parse("catalog_csv", b"name,colour\nHubSpot,orange\n")


def test_backstage_multi_document_file_with_dangling_and_non_tool_refs():
    items = parse("backstage", BACKSTAGE / "artists.yaml")
    tools = of(items, ToolRecord)
    # Never sanctioned by an import; the database resource is infrastructure, not a tool.
    assert [(r.fields["slug"], r.create_only["lifecycle"]) for r in tools] == [
        ("artist-lookup", "requested"),
        ("www-artist", "requested"),
    ]
    assert tools[0].fields["website"] == "https://example.com/artist-lookup"
    assert (
        tools[1]
        .fields["description"]
        .endswith("Backstage: component, type website, lifecycle deprecated.")
    )
    assert of(items, Skipped) == [
        Skipped(
            "document 2 (resource:artists-db)", "resource of type database: not a martech tool"
        ),
        Skipped("document 4 (api:wayback-archive)", "api entities are not tools"),
    ]
    deps = [(d.tool, d.depends_on) for d in of(items, DependencyRecord)]
    assert deps == [("artist-lookup", "search-index")]
    warnings = [w.message for w in of(items, Warning_)]
    assert len(warnings) == 2
    assert "'resource:artists-db' points at a database resource, not a tool" in warnings[0]
    assert "'api:wayback-archive' points at a api entity" in warnings[1]


def test_backstage_real_example_files():
    component = parse("backstage", BACKSTAGE / "artist-lookup-component.yaml")
    assert of(component, ToolRecord)[0].fields["name"] == "artist-lookup"
    assert [(d.tool, d.depends_on) for d in of(component, DependencyRecord)] == [
        ("artist-lookup", "artists-db")  # the database is in another file: the service decides
    ]
    other_ns = of(parse("backstage", BACKSTAGE / "different-namespace.yaml"), ToolRecord)
    assert other_ns[0].fields["slug"] == "alternative-different-namespace"
    group = parse("backstage", BACKSTAGE / "team-a-group.yaml")  # a Group and its Users
    assert not of(group, ToolRecord) and of(group, Skipped)
    location = parse("backstage", BACKSTAGE / "all.yaml")
    assert "Location targets are not followed" in of(location, Warning_)[0].message


def test_backstage_invalid_entity_name_is_a_bad_row():
    bad = of(parse("backstage", BACKSTAGE / "invalid-component.yaml"), BadRow)
    assert (
        len(bad) == 1
        and "'invalid component' is not a valid Backstage entity name" in bad[0].message
    )


@pytest.mark.parametrize(
    ("source", "payload", "message"),
    [
        ("entra", b"", "the file is empty"),
        ("okta", b"   \n", "the file is empty"),
        ("entra", b"Date (UTC),User\n2025-01-01,x\n", "sign-in CSV: missing column(s) Application"),
        ("expensify", b"Timestamp,Vendor\n", "missing column(s) Merchant, Amount"),
        ("card_csv", b"foo,bar\n1,2\n", "this is not a card CSV"),
        ("okta", b'[{"appDisplayName": "x"}]', "this is not an Okta System Log export"),
        ("google_workspace", b'{"value": [{"eventType": "x"}]}', "not a Google Workspace"),
        ("backstage", b"just: a mapping\n", "this is not a Backstage descriptor"),
        ("okta", b"[" * 1000 + b"]" * 1000, "nested too deeply"),
        ("okta", b'[{"eventType": "x", "n": ' + b"9" * 4301 + b"}]", "number is too long"),
        ("okta", b'[{"eventType": "x",}', "not valid JSON"),
        ("entra", b"Date (UTC),Application\n2025-01-01,\xff\xfeCanva\n", "not UTF-8"),
    ],
)
def test_bad_input_gives_a_clear_parse_error(source, payload, message):
    with pytest.raises(ParseError) as caught:
        parse(source, payload)
    assert message in str(caught.value)


def test_csv_field_over_the_limit_names_the_row():
    payload = b"Date (UTC),Application\n2025-01-01,Canva\n2025-01-02," + b"x" * 131_073 + b"\n"
    with pytest.raises(ParseError, match=r"row 3: not readable as CSV \(field larger"):
        parse("entra", payload)


def test_json_error_line_numbers_count_across_buffer_refills(monkeypatch):
    from integrations import jsonstream

    monkeypatch.setattr(jsonstream, "CHUNK", 7)  # force many refills
    payload = b'[\n{"eventType": "a"},\n{"eventType": "b"},\n{"eventType": oops}\n]'
    with pytest.raises(ParseError, match="line 4, column 15: not valid JSON"):
        parse("okta", payload)


def test_detect_refuses_what_it_cannot_tell(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello,world\n1,2\n")
    with pytest.raises(ParseError, match="cannot tell which source"):
        integrations.detect(path)
