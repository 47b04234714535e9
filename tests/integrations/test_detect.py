"""`auto` detects from the header row past a BOM, blank and preamble rows, and says what it
looked for when it cannot tell; CsvRows finds a header after preamble rows when asked."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest

import integrations
from integrations.base import CsvRows
from integrations.base import Observation
from integrations.base import ParseError
from integrations.platform_apps import PlatformApps
from integrations.platform_apps import platform_app
from integrations.platform_apps import shipped

DATA = Path(__file__).resolve().parent.parent / "data" / "discovery"
SIGNINS = DATA / "signins"


def detect_bytes(tmp_path: Path, payload: bytes, name: str = "export.csv") -> str:
    path = tmp_path / name
    path.write_bytes(payload)
    return integrations.detect(path)


def test_amex_with_empty_first_lines_and_bom_detects_and_parses(tmp_path):
    # The real activity download opens with six empty rows (a spreadsheet writes them as bare
    # commas); `auto` used to refuse it because its first line is not a header.
    amex = (DATA / "amex_activity.csv").read_bytes().removeprefix(codecs.BOM_UTF8)
    payload = codecs.BOM_UTF8 + b",,,,,,,,,,,,\r\n" * 5 + b"\r\n" + amex
    assert detect_bytes(tmp_path, payload) == "card_csv"
    items = list(integrations.get_importer("card_csv").parse(io.BytesIO(payload)))
    assert any(isinstance(i, Observation) for i in items)


@pytest.mark.parametrize(
    "header",
    [
        "Transaction Date,Post Date,Description,Category,Type,Amount,Memo",  # Chase
        "Type,Trans Date,Post Date,Description,Amount",  # Chase, older
        "Posted Date,Reference Number,Payee,Address,Amount",  # Bank of America
        "Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit",  # Capital One
        "Status,Date,Description,Debit,Credit",  # Citi
        "Status,Date,Description,Debit,Credit,Member Name",  # Citi with card member
        "Date,Description,Card Member,Account #,Amount,Extended Details,"
        "Appears On Your Statement As,Address,City/State,Zip Code,Country,Reference,Category",
    ],
)
def test_bank_card_headers_detect_as_card_csv(tmp_path, header):
    assert detect_bytes(tmp_path, header.encode() + b"\n01/02/2025,X,1.00\n") == "card_csv"


def test_preamble_rows_before_the_header(tmp_path):
    payload = (
        b"Account Summary,,\nCard ending in 1234,,\n\n"
        b"Statement period 11/01/2025 - 11/30/2025\n"
        b"Posted Date,Reference Number,Payee,Address,Amount\n11/03/2025,1,HUBSPOT INC,,-50.00\n"
    )
    assert detect_bytes(tmp_path, payload) == "card_csv"


def test_header_after_more_than_twenty_rows_is_not_guessed(tmp_path):
    payload = b"note\n" * 21 + b"Date,Description,Amount\n01/02/2025,X,1.00\n"
    with pytest.raises(ParseError, match="no header row in its first 21 rows"):
        detect_bytes(tmp_path, payload)


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("okta_system_log.json", "okta"),
        ("okta_system_log.ndjson", "okta"),
        ("entra_signins_variant_b.csv", "entra"),
        ("entra_signins_variant_a_bom.csv", "entra"),
        ("entra_graph_signins.json", "entra"),
        ("google_token_audit.json", "google_workspace"),
        ("expensify_export.csv", "expensify"),
        ("amex_activity.csv", "card_csv"),
        ("ramp_transactions.csv", "card_csv"),
        ("catalog_tools.csv", "catalog_csv"),
        ("backstage/artists.yaml", "backstage"),
        ("signins/entra_log_analytics.csv", "entra"),
        ("signins/entra_azure_monitor.jsonl", "entra"),
        ("signins/okta_system_log.json", "okta"),
        ("signins/okta_log_analytics.csv", "okta"),
        ("entra_azure_monitor_failed_50140.jsonl", "entra"),
    ],
)
def test_detect_names_the_source(name, source):
    assert integrations.detect(DATA / name) == source


def test_flattened_okta_json_and_service_principal_only_azure_monitor(tmp_path):
    okta = json.dumps([{"TimeGenerated": "2025-12-05T09:00:04Z", "eventType_s": "x"}]).encode()
    assert detect_bytes(tmp_path, okta, "okta.json") == "okta"
    record = {
        "time": "2025-12-05T09:00:04Z",
        "category": "ServicePrincipalSignInLogs",
        "properties": {"servicePrincipalId": "sp"},
    }
    assert detect_bytes(tmp_path, json.dumps(record).encode(), "sp.json") == "entra"


def test_cannot_tell_lists_what_it_looked_for(tmp_path):
    with pytest.raises(ParseError) as caught:
        detect_bytes(tmp_path, b"hello,world\n1,2\n")
    message = str(caught.value)
    assert message.startswith("cannot tell which source this file comes from")
    for expected in (
        "Entra sign-ins: Date (UTC) + Application",
        "Okta records in Log Analytics: eventType_s",
        "Chase: Transaction Date",
        "Bank of America: Posted Date, Payee, Amount",
        "Capital One",
        "Citi: Status, Date, Description, Debit, Credit",
        "Expensify: Timestamp, Merchant, Amount",
        "Backstage YAML",
    ):
        assert expected in message
    with pytest.raises(ParseError, match=r'looked for Okta System Log \("eventType"\)'):
        detect_bytes(tmp_path, b'[{"hello": 1}]', "x.json")


def rows_of(payload: bytes, **kw) -> CsvRows:
    return CsvRows(io.BytesIO(payload), label="test", **kw)


def test_csvrows_expect_skips_preamble_and_keeps_spreadsheet_row_numbers():
    payload = b"Statement,,\n\n,,\nDate,Description,Amount\n01/02/2025,Canva,1.00\n"
    rows = rows_of(payload, expect=("Date", ("Description", "Payee"), "Amount"))
    assert rows.header_row == 4 and rows.header == ["date", "description", "amount"]
    assert list(rows) == [(5, ["01/02/2025", "Canva", "1.00"])]


def test_csvrows_without_expect_keeps_first_non_blank_row_as_header():
    rows = rows_of(b"\n\nTitle\nDate,Description,Amount\n")
    assert rows.header == ["title"] and rows.header_row == 3


def test_csvrows_expect_names_what_the_likeliest_row_lacks():
    payload = b"Report,,\nDate,Descripton,Amount\n01/02/2025,Canva,1.00\n"
    with pytest.raises(ParseError) as caught:
        rows_of(payload, expect=("Date", "Description", "Amount"))
    assert str(caught.value) == (
        "row 2: this is not a test CSV: missing column(s) Description "
        '(closest header found: "Descripton")'
    )


def test_require_accepts_alternatives_and_names_the_header_row():
    rows = rows_of(b"\nPayee,Amount\n")
    assert rows.require(("Description", "Payee"), "Amount") == (0, 1)
    with pytest.raises(ParseError, match=r"^row 2: .*missing column\(s\) Date$"):
        rows.require("Date", "Amount")


def test_platform_list_by_id_by_name_and_admin_additions():
    assert platform_app("Something renamed", "C44B4083-3BB0-49C1-B47D-974E53CBDF3C") == "microsoft"
    assert platform_app("  azure   PORTAL ") == "microsoft"
    assert platform_app("Okta Admin Console") == "okta"
    assert platform_app("Gmail") == "google"
    # Products a marketing team adopts on their own stay discoverable.
    assert platform_app("Microsoft Power BI", "871c010f-5e61-4fb1-83ac-98610a7e9110") is None
    assert platform_app("Google Analytics") is None
    assert platform_app("HubSpot") is None
    extra = [("microsoft", "Contoso Intranet"), ("google", "1234.apps.googleusercontent.com")]
    assert platform_app("contoso intranet", extra=extra) == "microsoft"
    assert PlatformApps(extra).platform("Any", "1234.apps.googleusercontent.com") == "google"
    with pytest.raises(ValueError, match="unknown platform 'apple'"):
        PlatformApps([("apple", "Safari")])
    platforms = {app.platform for app in shipped()}
    assert platforms == {"microsoft", "google", "okta"}
    ids = [i for app in shipped() for i in app.ids]
    assert len(ids) == len(set(ids))  # one platform entry per id
