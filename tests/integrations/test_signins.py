"""Only a person's successful sign-in counts as use; every other record is skipped with a reason.

On the layouts people really export: Azure Monitor diagnostic records, the Log Analytics CSV of
SigninLogs, the portal CSVs, Graph JSON, the Okta System Log and its flattened Log Analytics form,
and Google token audits.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from integrations.base import BadRow
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from tests.integrations.parsing import of
from tests.integrations.parsing import parse

DATA = Path(__file__).resolve().parent.parent / "data" / "discovery"
SIGNINS = DATA / "signins"
LABELS = json.loads((SIGNINS / "labels.json").read_text("utf-8"))


def reasons(items: list) -> Counter:
    return Counter(s.reason for s in of(items, Skipped))


def test_failed_azure_monitor_records_are_no_use_at_all():
    # Every sign-in failed with 50140 ("Keep me signed in" interrupt); two are applications.
    # This used to give seven observations (five by two people): Microsoft 365 and HubSpot
    # became shadow IT on the strength of failed sign-ins.
    items = parse("entra", DATA / "entra_azure_monitor_failed_50140.jsonl")
    assert of(items, Observation) == []
    assert reasons(items) == {"failed sign-in": 5, "service principal or managed identity": 2}
    assert of(items, Skipped)[2] == Skipped(
        "record 3 (line 3)", "service principal or managed identity"
    )


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("entra_azure_monitor.jsonl", "entra"),
        ("entra_log_analytics.csv", "entra"),
        ("okta_system_log.json", "okta"),
        ("okta_log_analytics.csv", "okta"),
    ],
)
def test_labelled_exports_count_exactly_the_labelled_third_party_use(name, source):
    items = parse(source, SIGNINS / name)
    labels = LABELS[name]
    assert len(items) == len(labels)  # one outcome per record, none lost
    for label, item in zip(labels, items, strict=True):
        counted = isinstance(item, Observation) and item.platform is None
        assert counted == label["use"], (label, item)
        if label["why"] == "platform app":
            assert isinstance(item, Observation) and item.platform is not None, (label, item)
        if isinstance(item, Skipped):
            assert item.where == label["where"]
            expected = {
                "failed": "failed sign-in",
                "noninteractive": "non-interactive sign-in",
                "serviceprincipal": "service principal or managed identity",
                "managedidentity": "service principal or managed identity",
                "client": "not a user sign-in",
                "session": "event type user.session.start",
                "policy": "event type policy.evaluate_sign_on",
            }[label["why"]]
            assert item.reason == expected, (label, item)


def test_log_analytics_csv_reads_its_own_headers_and_timestamps():
    # It used to be refused: "missing column(s) Application" although AppDisplayName is there.
    items = parse("entra", SIGNINS / "entra_log_analytics.csv")
    seen = of(items, Observation)
    assert not of(items, BadRow)
    first = seen[0]
    # CreatedDateTime [UTC] is "11/10/2025, 1:42:37.848 PM" (month first, comma, 12-hour).
    assert first.day == date(2025, 11, 10)
    assert {o.day for o in seen} <= {date(2025, 11, d) for d in range(10, 31)} | {
        date(2025, 12, d) for d in range(1, 31)
    }
    # Rows scrubbed of their UPN still count, with no user.
    assert any(o.user is None for o in seen) and any(o.user for o in seen)
    portal = [o for o in seen if o.app_name.startswith("Azure Portal")]
    assert portal and all(o.platform == "microsoft" for o in portal)


def test_azure_monitor_offsets_and_seven_fraction_digits():
    seen = of(parse("entra", SIGNINS / "entra_azure_monitor.jsonl"), Observation)
    assert seen[0].day == date(2025, 11, 3)  # 07:05 UTC is 02:05 at -05:00, same day
    renamed = [o for o in seen if o.app_name == "Azure Portal (preview)"]
    assert renamed and renamed[0].platform == "microsoft"  # by its app id


def test_portal_csv_status_failure_and_service_principal_file():
    header = (
        "Date (UTC),Request ID,Correlation ID,Service principal ID,Service principal name,"
        "Credential key ID,Credential thumbprint,Application,Application ID ,App owner tenant ID,"
        "Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,"
        "Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,"
        "Conditional Access\n"
    )
    row = (
        '"2025-12-04T08:19:41Z","r1","c1","sp1","Reports job","","","HubSpot","a1","","Graph","",'
        '"","","","","203.0.113.9","Sydney, NSW, AU","Success","","","notApplied"\n'
    )
    items = parse("entra", (header + row).encode())
    assert items == [Skipped("row 2", "service principal or managed identity")]


def test_portal_csv_sign_in_error_code_and_interrupted_status():
    payload = (
        b"Date (UTC),Application,Application ID ,Username,Status,Sign-in error code\n"
        b"2025-12-01T00:00:00Z,Canva,c1,a@x.com,Success,0\n"
        b"2025-12-01T00:00:00Z,Canva,c1,b@x.com,Interrupted,50140\n"
        b"2025-12-01T00:00:00Z,Canva,c1,c@x.com,Failure,50126\n"
        b"2025-12-01T00:00:00Z,Canva,c1,d@x.com,,53003\n"
        b"2025-12-01T00:00:00Z,Azure Portal,,e@x.com,Success,\n"
    )
    items = parse("entra", payload)
    assert [(o.user, o.platform) for o in of(items, Observation)] == [
        ("a@x.com", None),
        ("e@x.com", "microsoft"),
    ]
    assert [s.where for s in of(items, Skipped)] == ["row 3", "row 4", "row 5"]
    assert reasons(items) == {"failed sign-in": 3}


def test_graph_json_non_interactive_and_service_principal_event_types():
    records = [
        {
            "appDisplayName": "Miro",
            "appId": "m1",
            "createdDateTime": "2025-12-01T00:00:00Z",
            "userPrincipalName": "a@x.com",
            "status": {"errorCode": 0},
            "isInteractive": False,
        },
        {
            "appDisplayName": "Miro",
            "appId": "m1",
            "createdDateTime": "2025-12-01T00:00:00Z",
            "servicePrincipalId": "sp",
            "signInEventTypes": ["servicePrincipal"],
            "status": {"errorCode": 0},
        },
        {
            "appDisplayName": "Graph Explorer",
            "appId": "de8bc8b5-d9f9-48b1-a8ad-b748da725064",
            "createdDateTime": "2025-12-02T00:00:00Z",
            "userPrincipalName": "a@x.com",
            "status": {"errorCode": 0},
            "isInteractive": True,
        },
        {
            "appDisplayName": "Miro",
            "appId": "m1",
            "createdDateTime": "2025-12-03T00:00:00Z",
            "userPrincipalName": "b@x.com",
            "status": {"errorCode": 0},
            "signInEventTypes": ["interactiveUser"],
        },
    ]
    items = parse("entra", json.dumps({"value": records}).encode())
    assert [type(i).__name__ for i in items] == ["Skipped", "Skipped", "Observation", "Observation"]
    assert [s.reason for s in of(items, Skipped)] == [
        "non-interactive sign-in",
        "service principal or managed identity",
    ]
    graph, miro = of(items, Observation)
    assert (graph.platform, miro.platform, miro.user) == ("microsoft", None, "b@x.com")


def test_okta_failed_sso_and_non_user_actor_are_skipped():
    events = [
        {
            "eventType": "user.authentication.sso",
            "published": "2025-12-01T10:00:00.000Z",
            "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
            "actor": {"type": "User", "alternateId": "a@x.com"},
            "target": [{"type": "AppInstance", "id": "0oa1", "displayName": "Hotjar"}],
        },
        {
            "eventType": "user.authentication.sso",
            "published": "2025-12-01T10:00:00.000Z",
            "outcome": {"result": "SUCCESS"},
            "actor": {"type": "PublicClientApp", "id": "0oa9"},
            "target": [{"type": "AppInstance", "id": "0oa1", "displayName": "Hotjar"}],
        },
        {
            "eventType": "user.authentication.sso",
            "published": "2025-12-02T10:00:00.000Z",
            "outcome": {"result": "SUCCESS"},
            "actor": {"type": "User", "alternateId": "b@x.com"},
            "target": [{"type": "AppInstance", "id": "0oa2", "displayName": "Okta Dashboard"}],
        },
    ]
    items = parse("okta", "\n".join(json.dumps(e) for e in events).encode())
    assert of(items, Skipped) == [
        Skipped("record 1 (line 1)", "failed sign-in"),
        Skipped("record 2 (line 2)", "not a user sign-in"),
    ]
    assert [(o.app_name, o.platform) for o in of(items, Observation)] == [
        ("Okta Dashboard", "okta")
    ]


def test_okta_flattened_records_as_json():
    target = [{"id": "0oa7", "type": "AppInstance", "alternateId": "Figma", "displayName": "Figma"}]
    records = [
        {
            "TimeGenerated": "2025-12-05T09:00:04.000Z",
            "eventType_s": "user.authentication.sso",
            "displayMessage_s": "User single sign on to app",
            "outcome_result_s": "SUCCESS",
            "actor_alternateId_s": "ann@x.com",
            "actor_type_s": "User",
            "published_t": "2025-12-05T09:00:00.000Z",
            "target_s": json.dumps(target),
        },
        {
            "TimeGenerated": "2025-12-05T09:00:04.000Z",
            "eventType_s": "user.authentication.sso",
            "outcome_result_s": "SUCCESS",
            "actor_alternateId_s": "ann@x.com",
            "published_t": "2025-12-05T09:00:00.000Z",
            "target_s": "[{not json",
        },
    ]
    items = parse("okta", json.dumps(records).encode())
    assert items[0] == Observation("Figma", "0oa7", "ann@x.com", date(2025, 12, 5))
    assert items[1] == BadRow("record 2 (line 1)", "target_s: not valid JSON")


def test_okta_flattened_csv_names_rows_and_reads_la_timestamps():
    items = parse("okta", SIGNINS / "okta_log_analytics.csv")
    first = of(items, Observation)[0]
    assert first.day.year == 2025 and first.user and first.user.endswith("@example.com")
    assert all(s.where.startswith("row ") for s in of(items, Skipped))


def test_google_revoke_is_skipped_and_chrome_is_a_platform_app():
    activity = {
        "kind": "admin#reports#activity",
        "id": {"time": "2025-12-01T06:24:42.442Z", "applicationName": "token"},
        "actor": {"callerType": "USER", "email": "ann@x.com"},
        "events": [
            {"name": "revoke", "parameters": [{"name": "app_name", "value": "Hotjar"}]},
            {
                "name": "authorize",
                "parameters": [
                    {"name": "app_name", "value": "Google Chrome"},
                    {"name": "client_id", "value": "77185425430.apps.googleusercontent.com"},
                ],
            },
        ],
    }
    items = parse("google_workspace", json.dumps({"items": [activity]}).encode())
    assert items[0] == Skipped("record 1 (line 1)", "token revoked")
    assert items[1].platform == "google"


def test_missing_column_names_only_what_is_missing_and_the_closest_header():
    payload = b"Date UTC,Application,Username\n2025-12-01,Canva,a@x.com\n"
    with pytest.raises(ParseError) as caught:
        parse("entra", payload)
    message = str(caught.value)
    assert message.startswith("row 1: this is not a Microsoft Entra sign-in CSV: missing column")
    assert '(closest header found: "Date UTC")' in message
    assert "Application" not in message.split("missing column(s)")[1]
    with pytest.raises(ParseError, match=r'AppDisplayName \(closest header found: "AppName"\)'):
        parse("entra", b"TimeGenerated [UTC],AppName\n")
