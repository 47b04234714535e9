"""The review tests' catalog: Mia (marketing) and Ivan (IT), Salesforce the sanctioned CRM and
system of record, and Drift, a chat tool Mia requests to be fed contact data from Salesforce."""

from __future__ import annotations

import typing as t
from datetime import date

from sqlalchemy.orm import Session

from catalog.models import Tool
from catalog.services import review
from catalog.services.audit import audit_report
from tests.factories import make_person
from tests.factories import make_tool

MIA = "mia@example.com"
IVAN = "ivan@example.com"
# Salesforce's controls all ticked and both owners named: it brings no findings of its own.
CONTROLLED = {
    "sso_enabled": True,
    "dpa_signed": True,
    "security_reviewed": True,
    "business_owner": MIA,
    "technical_owner": IVAN,
}


def mia_ivan_and_salesforce(session: Session, **salesforce: t.Any) -> Tool:
    make_person(session, email=MIA, name="Mia", department="marketing")
    make_person(session, email=IVAN, name="Ivan", department="it")
    raw = {"slug": "salesforce", "name": "Salesforce", "category": "crm"}
    return make_tool(
        session, **raw | {"lifecycle": "sanctioned", "system_of_record": True} | salesforce
    )


def request_drift(session: Session, today: date, **raw: t.Any) -> Tool:
    """Mia's request for Drift, owned by her and Ivan, fed contact data by Salesforce."""
    return review.request_tool(
        session,
        {"name": "Drift", "category": "email-marketing", "business_owner": MIA}
        | {"technical_owner": IVAN}
        | raw,
        sources=["salesforce"],
        data_classes=["contact_pii"],
        actor=MIA,
        today=today,
    )


def mia_ivan_and_mine(session: Session, **mine: t.Any) -> Tool:
    """Mia (marketing) and Ivan (IT), and Mine, a tool requested with Mia as business owner and
    Ivan as technical owner; `mine` adds to its fields."""
    make_person(session, email=MIA, name="Mia", department="marketing")
    make_person(session, email=IVAN, name="Ivan", department="it")
    owners = {"business_owner": MIA, "technical_owner": IVAN}
    return make_tool(session, slug="mine", name="Mine", **owners | mine)


def severe(session: Session, slug: str = "drift") -> list[tuple[str, str]]:
    """Return the critical and high findings the audit gives the tool, as (rule, severity)."""
    report = audit_report(session, date.today())
    silos = {",".join(s["tools"]) for s in report["silos"] if slug in s["tools"]}
    return sorted(
        (f["rule"], f["severity"])
        for f in report["findings"]
        if f["severity"] in ("critical", "high")
        and (
            (f["subject"]["type"] == "tool" and f["subject"]["key"] == slug)
            or (f["subject"]["type"] == "flow" and slug in f["subject"]["key"])
            or (f["subject"]["type"] == "silo" and f["subject"]["key"] in silos)
        )
    )


def request_form(**fields: t.Any) -> dict[str, t.Any]:
    """The request form filled in by Mia for an e-mail tool she and Ivan would own, fed by API,
    with `fields` (its name and description at least) over that."""
    owners = {"business_owner": MIA, "technical_owner": IVAN}
    return {"category": "email-marketing", "mechanism": "api"} | owners | fields
