"""The Okta fixtures: System Log API events, and the same events flattened by Log Analytics."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from datetime import timedelta

from common import RNG
from common import TENANT
from common import USERS
from common import la_stamp
from common import label
from common import weighted

# (name, app id, is a third-party tool): five tools, numbered in their ids, and Okta's own apps.
TOOLS = ("Hotjar (Marketing)", "HubSpot Marketing Hub", "Miro Board (Design)", "Typeform", "Asana")
OKTA_OWN = {
    "Okta Dashboard": "0oa1kcdplaZ3kQ8u15d7",
    "Okta Admin Console": "0oa1kcdpltK9Y1d8i5d7",
    "Okta Browser Plugin": "0oa1kcdpm0nWj3fjK5d7",
}
OKTA_APPS = [(name, f"0oam44qwezA075Gms50{n}", True) for n, name in enumerate(TOOLS, 1)] + [
    (name, app_id, False) for name, app_id in OKTA_OWN.items()
]
OKTA_KINDS = [("success", 10), ("failed", 4), ("session", 3), ("policy", 2), ("client", 1)]


def okta_event(n: int, kind: str) -> tuple[dict, dict]:
    app = OKTA_APPS[n % len(OKTA_APPS)]
    name, upn, _ = USERS[n % 4]
    when = datetime(2025, 11, 20, 8, 0, 0) + timedelta(hours=n * 2, seconds=n)
    event_type = {"session": "user.session.start", "policy": "policy.evaluate_sign_on"}.get(
        kind, "user.authentication.sso"
    )
    result = {"failed": RNG.choice(["FAILURE", "DENY"]), "policy": "ALLOW"}.get(kind, "SUCCESS")
    actor = {
        "id": f"00uk3xaeudYtHS5l{n:04d}",
        "type": "User",
        "alternateId": upn,
        "displayName": name,
        "detailEntry": None,
    }
    if kind == "client":
        actor = {
            "id": "0oaclient5d7",
            "type": "PublicClientApp",
            "alternateId": "unknown",
            "displayName": "Okta Verify",
            "detailEntry": None,
        }
    target = None
    if event_type == "user.authentication.sso":
        target = [
            {
                "id": app[1],
                "type": "AppInstance",
                "alternateId": app[0],
                "displayName": app[0],
                "detailEntry": {"signOnModeType": "SAML_2_0"},
            },
            {
                "id": f"0uam44pvujFmdOjL{n:04d}",
                "type": "AppUser",
                "alternateId": upn,
                "displayName": name,
                "detailEntry": None,
            },
        ]
    event = {
        "actor": actor,
        "client": {
            "userAgent": {"rawUserAgent": "Mozilla/5.0", "os": "Mac OS X", "browser": "CHROME"},
            "zone": "null",
            "device": "Computer",
            "id": None,
            "ipAddress": f"192.0.2.{n % 250}",
        },
        "authenticationContext": {"externalSessionId": f"102nVv{n:06d}"},
        "displayMessage": "User single sign on to app" if target else "User login to Okta",
        "eventType": event_type,
        "outcome": {
            "result": result,
            "reason": "INVALID_CREDENTIALS" if kind == "failed" else None,
        },
        "published": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{n % 1000:03d}Z",
        "severity": "INFO" if result == "SUCCESS" else "WARN",
        "debugContext": {
            "debugData": {"requestUri": f"/app/{app[1]}/sso/saml", "signOnMode": "SAML 2.0"}
        },
        "legacyEventType": "app.auth.sso",
        "target": target,
        "uuid": f"d5bbf620-c7c3-11ef-8b08-{n:012d}",
        "version": "0",
    }
    return event, label(app, kind) | {"app": app[0] if target else ""}


def okta_kinds(count: int) -> list[str]:
    return weighted(OKTA_KINDS, count)


def okta_api(count: int) -> tuple[str, list[dict]]:
    events, labels = [], []
    for n, kind in enumerate(okta_kinds(count)):
        event, lab = okta_event(n, kind)
        events.append(json.dumps(event))
        labels.append({"where": f"record {n + 1} (line {n + 2})", **lab})
    return "[\n" + ",\n".join(events) + "\n]\n", labels


OKTA_FLAT = [
    "TenantId",
    "SourceSystem",
    "MG",
    "ManagementGroupName",
    "TimeGenerated [UTC]",
    "Computer",
    "RawData",
    "uuid_g",
    "published_t [UTC]",
    "eventType_s",
    "version_s",
    "severity_s",
    "legacyEventType_s",
    "displayMessage_s",
    "actor_id_s",
    "actor_type_s",
    "actor_alternateId_s",
    "actor_displayName_s",
    "client_userAgent_rawUserAgent_s",
    "client_userAgent_os_s",
    "client_userAgent_browser_s",
    "client_zone_s",
    "client_device_s",
    "client_ipAddress_s",
    "outcome_result_s",
    "outcome_reason_s",
    "target_s",
    "transaction_type_s",
    "transaction_id_s",
    "debugContext_debugData_requestUri_s",
    "Type",
    "_ResourceId",
]


def okta_flat(count: int) -> tuple[str, list[dict]]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(OKTA_FLAT)
    labels = []
    for n, kind in enumerate(okta_kinds(count)):
        event, lab = okta_event(n + 100, kind)
        published = datetime.strptime(event["published"][:19], "%Y-%m-%dT%H:%M:%S")
        row = dict.fromkeys(OKTA_FLAT, "")
        row.update(
            {
                "TenantId": TENANT,
                "SourceSystem": "RestAPI",
                "TimeGenerated [UTC]": la_stamp(published + timedelta(minutes=4)),
                "uuid_g": event["uuid"],
                "published_t [UTC]": la_stamp(published),
                "eventType_s": event["eventType"],
                "version_s": "0",
                "severity_s": event["severity"],
                "legacyEventType_s": event["legacyEventType"],
                "displayMessage_s": event["displayMessage"],
                "actor_id_s": event["actor"]["id"],
                "actor_type_s": event["actor"]["type"],
                "actor_alternateId_s": event["actor"]["alternateId"],
                "actor_displayName_s": event["actor"]["displayName"],
                "client_userAgent_rawUserAgent_s": "Mozilla/5.0",
                "client_userAgent_os_s": "Mac OS X",
                "client_userAgent_browser_s": "CHROME",
                "client_zone_s": "null",
                "client_device_s": "Computer",
                "client_ipAddress_s": event["client"]["ipAddress"],
                "outcome_result_s": event["outcome"]["result"],
                "outcome_reason_s": event["outcome"]["reason"] or "",
                "target_s": json.dumps(event["target"]) if event["target"] else "",
                "transaction_type_s": "WEB",
                "transaction_id_s": f"Y{n:08d}",
                "debugContext_debugData_requestUri_s": event["debugContext"]["debugData"][
                    "requestUri"
                ],
                "Type": "Okta_CL",
            }
        )
        writer.writerow([row[h] for h in OKTA_FLAT])
        labels.append({"where": f"row {n + 2}", **lab})
    return out.getvalue(), labels
