"""The audit tests' catalog, written on AS_OF: a CRM hub, a rejected Mailchimp fed by it, and a
discovered tool whose name is a spreadsheet formula."""

from __future__ import annotations

from flask import Flask

from catalog.extensions import db
from catalog.services import entities
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

AS_OF = "2026-11-22"
EVIL = '=HYPERLINK("http://x")'
# The audit's CSV columns, in order: the download's and `martech audit --format csv`'s header.
CSV_COLUMNS = (
    "rule severity subject_type subject_key message status assignee due accepted_until ticket"
).split()
# The audit document's sections, in order (docs/formats.md): the CLI's JSON and the API's.
SECTIONS = ["as_of", "summary", "shadow_it", "silos", "findings", "risk", "accepted_risks"]


def seed(app: Flask) -> None:
    """A CRM hub, a rejected Mailchimp fed by it, and a discovered tool with a hostile name."""
    with app.app_context():
        s = db.session
        make_person(s, email="mia@x.com", name="Mia", department="marketing")
        make_person(s, email="ian@x.com", name="Ian", department="it")
        owners = {
            "business_owner": "mia@x.com",
            "technical_owner": "ian@x.com",
            "sso_enabled": True,
            "dpa_signed": True,
            "security_reviewed": True,
        }
        crm = {"name": "Salesforce", "slug": "salesforce", "category": "crm"}
        make_tool(
            s,
            **crm,
            lifecycle="sanctioned",
            system_of_record=True,
            **owners,
            data_classes=["contact_pii"],
        )
        esp = {"name": "Mailchimp", "slug": "mailchimp", "category": "email-marketing"}
        make_tool(s, **esp, lifecycle="rejected", annual_cost=1200, **owners)
        make_flow(
            s, "salesforce", "mailchimp", data_classes=["contact_pii"], mechanism="manual_export"
        )
        make_tool(s, name=EVIL, slug="evil", category="email-marketing", lifecycle="discovered")
        entities.save_sighting(
            s,
            {
                "source": "card_csv",
                "observed_name": EVIL,
                "tool": "evil",
                "first_seen": "2026-10-01",
                "last_seen": "2026-11-20",
                "spend": 99.5,
            },
            actor="test",
        )
        s.commit()
