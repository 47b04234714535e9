"""Write the labelled sign-in fixtures of this folder (run once; the files are committed).

Invented people, tenants and ids; the structure, column names and mess of the real exports:
Azure Monitor diagnostic records (JSON lines), the Log Analytics "Export to CSV" of SigninLogs
(all 77 columns, JSON cells, `9/19/2023, 1:42:37.848 PM` timestamps, TRUE/FALSE), the Okta
System Log API (one event per line inside an array) and Okta records flattened by a Log Analytics
workspace (CSV). Each record's label says whether it is evidence that a person used a
third-party tool, and why not when it is not; labels.json keys them by file and place.

Usage: python tests/data/discovery/signins/generate.py
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from datetime import timedelta

from common import HERE
from common import RNG
from common import TENANT
from common import USERS
from common import la_stamp
from common import label
from common import weighted
from okta_records import okta_api
from okta_records import okta_flat

# (name, app id, is a third-party tool)
ENTRA_APPS = [
    ("HubSpot", "1f6c0b8e-0d1a-4c55-9a57-6f1c7e0a1b01", True),
    ("Canva", "5a0e2c3d-7b7e-4a0f-8a3e-2b9a1c4d5e10", True),
    ("Hotjar (Marketing)", "5a0e2c3d-7b7e-4a0f-8a3e-2b9a1c4d5e03", True),
    ("Miro", "0b7e4a1c-2222-4d3e-9f00-aa11bb22cc07", True),
    ("Semrush", "0b7e4a1c-2222-4d3e-9f00-aa11bb22cc08", True),
    ("Microsoft Power BI", "871c010f-5e61-4fb1-83ac-98610a7e9110", True),  # adopted, not platform
    ("Microsoft Clarity", "0b7e4a1c-2222-4d3e-9f00-aa11bb22cc09", True),
    ("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", False),
    ("Graph Explorer", "de8bc8b5-d9f9-48b1-a8ad-b748da725064", False),
    ("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", False),
    ("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", False),
    ("Windows Sign In", "38aa3b87-a06d-4817-b275-7a316988d93b", False),
    ("Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e", False),
    ("My Apps", "2793995e-0a7d-40d7-bd35-6968ba142197", False),
    ("Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", False),
    ("Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000", False),
    # A renamed first-party app: the id still tells.
    ("Azure Portal (preview)", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", False),
]
# What kind of sign-in, with its weight: most real logs are failures and token refreshes.
KINDS = [
    ("success", 10),
    ("failed", 5),
    ("noninteractive", 5),
    ("serviceprincipal", 2),
    ("managedidentity", 2),
]
FAIL_CODES = [
    (
        50140,
        "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.",
    ),
    (50126, "Error validating credentials due to invalid username or password."),
    (50074, "Strong Authentication is required."),
    (53003, "Access has been blocked by Conditional Access policies."),
]


def kinds(count: int) -> list[str]:
    return weighted(KINDS, count)


def azure_monitor(count: int) -> tuple[str, list[dict]]:
    lines, labels = [], []
    start = datetime(2025, 11, 3, 7, 5, 31)
    for n, kind in enumerate(kinds(count)):
        app = ENTRA_APPS[n % len(ENTRA_APPS)]
        name, upn, user_type = USERS[n % len(USERS)]
        when = start + timedelta(hours=n * 5, seconds=n * 37)
        code, reason = (0, None) if kind != "failed" else RNG.choice(FAIL_CODES)
        category = {
            "success": "SignInLogs",
            "failed": "SignInLogs",
            "noninteractive": "NonInteractiveUserSignInLogs",
            "serviceprincipal": "ServicePrincipalSignInLogs",
            "managedidentity": "ManagedIdentitySignInLogs",
        }[kind]
        props: dict = {
            "id": f"66ea54eb-6301-4ee5-be62-ff5a759b{n:04d}",
            # Local offset and seven fraction digits, as Azure Monitor writes them.
            "createdDateTime": (when - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S")
            + f".{n:07d}-05:00",
            "appDisplayName": app[0],
            "appId": app[1],
            "ipAddress": f"203.0.113.{n % 250}",
            "clientAppUsed": "Browser" if kind == "success" else "Mobile Apps and Desktop clients",
            "status": {"errorCode": code, "failureReason": reason, "additionalDetails": None},
            "isInteractive": kind in ("success", "failed"),
            "resourceDisplayName": "Windows Azure Service Management API",
        }
        if kind in ("serviceprincipal", "managedidentity"):
            props.pop("isInteractive")
            props["servicePrincipalId"] = f"9d1e6c0a-{n:04d}-4b8e-a1f1-6178c8d51223"
            props["servicePrincipalName"] = f"{app[0]} automation"
            if kind == "managedidentity":
                props["managedIdentityType"] = "systemAssigned"
        else:
            props.update(
                userDisplayName=name,
                userPrincipalName=upn,
                userType=user_type,
                userId=f"d7cc485d-{n:04d}-4f2e-9a57-6f1c7e0a1b01",
            )
        record = {
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "resourceId": f"/tenants/{TENANT}/providers/Microsoft.aadiam",
            "operationName": "Sign-in activity",
            "operationVersion": "1.0",
            "category": category,
            "tenantId": TENANT,
            "resultType": str(code),
            "resultSignature": "None",
            "resultDescription": reason or "",
            "durationMs": 0,
            "callerIpAddress": props["ipAddress"],
            "correlationId": f"e9202c39-aad0-4ae4-8ee5-{n:012d}",
            "identity": name if kind not in ("serviceprincipal", "managedidentity") else "",
            "Level": "4",
            "location": "AU",
            "properties": props,
        }
        lines.append(json.dumps(record))
        labels.append({"where": f"record {n + 1} (line {n + 1})", **label(app, kind)})
    return "\n".join(lines) + "\n", labels


LA_HEADER = (
    "TenantId,SourceSystem,TimeGenerated [UTC],ResourceId,OperationName,OperationVersion,"
    "Category,ResultType,ResultSignature,ResultDescription,DurationMs,CorrelationId,Resource,"
    "ResourceGroup,ResourceProvider,Identity,Level,Location,AlternateSignInName,AppDisplayName,"
    "AppId,AuthenticationContextClassReferences,AuthenticationDetails,AppliedEventListeners,"
    "AuthenticationMethodsUsed,AuthenticationProcessingDetails,AuthenticationRequirement,"
    "AuthenticationRequirementPolicies,ClientAppUsed,ConditionalAccessPolicies,"
    "ConditionalAccessStatus,CreatedDateTime [UTC],DeviceDetail,IsInteractive,Id,IPAddress,"
    "IsRisky,LocationDetails,MfaDetail,NetworkLocationDetails,OriginalRequestId,"
    "ProcessingTimeInMilliseconds,RiskDetail,RiskEventTypes,RiskEventTypes_V2,"
    "RiskLevelAggregated,RiskLevelDuringSignIn,RiskState,ResourceDisplayName,ResourceIdentity,"
    "ResourceServicePrincipalId,ServicePrincipalId,ServicePrincipalName,Status,TokenIssuerName,"
    "TokenIssuerType,UserAgent,UserDisplayName,UserId,UserPrincipalName,AADTenantId,UserType,"
    "FlaggedForReview,IPAddressFromResourceProvider,SignInIdentifier,SignInIdentifierType,"
    "ResourceTenantId,HomeTenantId,UniqueTokenIdentifier,SessionLifetimePolicies,"
    "AutonomousSystemNumber,AuthenticationProtocol,CrossTenantAccessType,"
    "AppliedConditionalAccessPolicies,RiskLevel,Type"
).split(",")


def log_analytics(count: int) -> tuple[str, list[dict]]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LA_HEADER)
    labels = []
    start = datetime(2025, 11, 10, 13, 42, 37, 848000)
    for n, kind in enumerate(kinds(count)):
        app = ENTRA_APPS[(n * 7) % len(ENTRA_APPS)]
        name, upn, user_type = USERS[n % len(USERS)]
        when = start + timedelta(hours=n * 3, minutes=n)
        code, reason = (0, "") if kind != "failed" else RNG.choice(FAIL_CODES)
        category, table = {
            "success": ("SignInLogs", "SigninLogs"),
            "failed": ("SignInLogs", "SigninLogs"),
            "noninteractive": ("NonInteractiveUserSignInLogs", "AADNonInteractiveUserSignInLogs"),
            "serviceprincipal": ("ServicePrincipalSignInLogs", "AADServicePrincipalSignInLogs"),
            "managedidentity": ("ManagedIdentitySignInLogs", "AADManagedIdentitySignInLogs"),
        }[kind]
        person = kind not in ("serviceprincipal", "managedidentity")
        status = {"errorCode": code} if not code else {"errorCode": code, "failureReason": reason}
        row = dict.fromkeys(LA_HEADER, "")
        row.update(
            {
                "TenantId": TENANT,
                "SourceSystem": "Azure AD",
                "TimeGenerated [UTC]": la_stamp(when + timedelta(minutes=3)),
                "ResourceId": f"/tenants/{TENANT}/providers/Microsoft.aadiam",
                "OperationName": "Sign-in activity",
                "OperationVersion": "1",
                "Category": category,
                "ResultType": str(code),
                "ResultSignature": "None",
                "ResultDescription": reason,
                "DurationMs": "0",
                "CorrelationId": f"e9202c39-aad0-4ae4-8ee5-{n:012d}",
                "Resource": "Microsoft.aadiam",
                "ResourceProvider": "Microsoft.aadiam",
                "Identity": name if person else "",
                "Level": "4",
                "Location": "AU",
                "AppDisplayName": app[0],
                "AppId": app[1],
                "AuthenticationDetails": json.dumps(
                    [
                        {
                            "authenticationStepDateTime": when.isoformat() + "+00:00",
                            "authenticationMethod": "Password",
                            "succeeded": code == 0,
                        }
                    ]
                ),
                "ClientAppUsed": "Browser",
                "ConditionalAccessStatus": "notApplied",
                "CreatedDateTime [UTC]": la_stamp(when),
                "DeviceDetail": json.dumps(
                    {"operatingSystem": "Windows10", "browser": "Edge 117.0"}
                ),
                "IsInteractive": "TRUE" if kind in ("success", "failed") else "FALSE",
                "Id": f"56b9bd55-36cc-4180-b997-{n:012d}",
                "IPAddress": f"198.51.100.{n % 250}",
                "ResourceDisplayName": "Windows Azure Service Management API",
                "Status": json.dumps(status, separators=(",", ":")),
                "TokenIssuerType": "AzureAD",
                "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/117.0.2045.31",
                "UserDisplayName": name if person else "",
                # Half the people rows have their UPN removed, as PII-scrubbed exports do.
                "UserPrincipalName": upn if person and n % 2 else "",
                "UserId": f"d7cc485d-{n:04d}-4f2e-9a57-6f1c7e0a1b01" if person and n % 2 else "",
                "AADTenantId": TENANT,
                "UserType": user_type if person else "",
                "ServicePrincipalId": "" if person else f"9d1e6c0a-{n:04d}-4b8e-a1f1-6178c8d51223",
                "ServicePrincipalName": "" if person else f"{app[0]} automation",
                "ResourceTenantId": TENANT,
                "HomeTenantId": TENANT,
                "AutonomousSystemNumber": "4739",
                "AuthenticationProtocol": "none",
                "CrossTenantAccessType": "b2bCollaboration" if user_type == "Guest" else "none",
                "Type": table,
            }
        )
        writer.writerow([row[h] for h in LA_HEADER])
        labels.append({"where": f"row {n + 2}", **label(app, kind)})
    return out.getvalue(), labels


def main() -> None:
    labels = {}
    for name, (text, labs) in {
        "entra_azure_monitor.jsonl": azure_monitor(120),
        "entra_log_analytics.csv": log_analytics(120),
        "okta_system_log.json": okta_api(100),
        "okta_log_analytics.csv": okta_flat(60),
    }.items():
        (HERE / name).write_text(text, encoding="utf-8", newline="")
        labels[name] = labs
    (HERE / "labels.json").write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
