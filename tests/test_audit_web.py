"""The audit page, its downloads and the API, over a real database."""

from __future__ import annotations

import csv
import io
import typing as t
from datetime import date
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.extensions import db
from catalog.services import audit as audit_service
from catalog.services import entities
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

AS_OF = "2026-11-22"
EVIL = '=HYPERLINK("http://x")'


@pytest.fixture(autouse=True)
def _recorded_on_as_of() -> t.Iterator[None]:
    """The catalog of a past day is rebuilt from the change log: these tests write their
    catalog on AS_OF, so that an audit as of AS_OF sees it."""
    with entities.recorded_at(datetime.fromisoformat(AS_OF + "T12:00:00+00:00")):
        yield


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
        make_tool(
            s,
            name="Salesforce",
            slug="salesforce",
            category="crm",
            lifecycle="sanctioned",
            system_of_record=True,
            data_classes=["contact_pii"],
            **owners,
        )
        make_tool(
            s,
            name="Mailchimp",
            slug="mailchimp",
            category="email-marketing",
            lifecycle="rejected",
            annual_cost=1200,
            **owners,
        )
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


def test_report_page_shows_summary_shadow_silos_and_findings(
    app: Flask, client: FlaskClient
) -> None:
    seed(app)
    page = client.get(f"/audit?as_of={AS_OF}")
    assert page.status_code == 200
    text = page.text
    assert "Rogue-tool audit" in text and "as of 2026-11-22" in text
    assert "SHADOW_REJECTED_IN_USE" in text and "SHADOW_DISCOVERED" in text
    assert 'href="/tools/mailchimp"' in text
    assert (
        "Mailchimp holds customer contact data that never reaches Salesforce; connect it "
        "through a managed integration or retire it."
    ) in text
    assert "What to do:" in text
    assert "USD 1,200" in text  # Mailchimp's spend in the shadow table
    assert "css/audit.css" in text
    # The hostile name is text, never markup.
    assert "=HYPERLINK(&#34;http://x&#34;)" in text or "=HYPERLINK(&quot;http://x&quot;)" in text


def test_report_filters_by_rule_and_by_tool(app: Flask, client: FlaskClient) -> None:
    seed(app)
    # The findings section (the shadow table above it is never filtered).
    by_rule = client.get(f"/audit?as_of={AS_OF}&rule=DATA_SILO").text.split('id="findings-h"')[1]
    assert '<small class="rule-id">DATA_SILO</small>' in by_rule
    assert '<small class="rule-id">SHADOW_DISCOVERED</small>' not in by_rule
    by_tool = client.get(f"/audit?as_of={AS_OF}&tool=evil").text.split('id="findings-h"')[1]
    assert '<small class="rule-id">SHADOW_DISCOVERED</small>' in by_tool
    assert '<small class="rule-id">SHADOW_REJECTED_IN_USE</small>' not in by_tool
    # The flow into Mailchimp concerns Mailchimp.
    assert (
        '<small class="rule-id">FLOW_UNMANAGED_PERSONAL_DATA</small>'
        in client.get(f"/audit?as_of={AS_OF}&tool=mailchimp").text
    )
    assert (
        "No findings match these filters."
        in client.get(f"/audit?as_of={AS_OF}&rule=NO_SUCH_RULE").text
    )


def test_bad_as_of_is_a_400_with_a_clear_message(app: Flask, client: FlaskClient) -> None:
    page = client.get("/audit?as_of=22/11/2026")
    assert page.status_code == 400
    assert "as_of: &#39;22/11/2026&#39; is not a date; use YYYY-MM-DD" in page.text
    api = client.get("/api/v1/audit?as_of=2026-02-30")
    assert api.status_code == 400
    assert api.json == {
        "error": "as_of: '2026-02-30' is not a date; use YYYY-MM-DD, e.g. 2026-11-22."
    }
    assert client.get("/audit.json?as_of=x").status_code == 400
    assert client.get("/audit.csv?as_of=x").status_code == 400


def test_json_download_and_api_return_the_spec_document(app: Flask, client: FlaskClient) -> None:
    seed(app)
    download = client.get(f"/audit.json?as_of={AS_OF}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="martech-audit-2026-11-22.json"'
    )
    api = client.get(f"/api/v1/audit?as_of={AS_OF}")
    assert api.json == download.json
    doc = api.json
    assert set(doc) == {
        "as_of",
        "summary",
        "shadow_it",
        "silos",
        "findings",
        "risk",
        "accepted_risks",
    }
    assert doc["as_of"] == AS_OF
    assert doc["shadow_it"] == [
        {"tool": "evil", "reasons": ["SHADOW_DISCOVERED"], "severity": "high"},
        {"tool": "mailchimp", "reasons": ["SHADOW_REJECTED_IN_USE"], "severity": "critical"},
    ]
    assert doc["silos"] == [
        {
            "tools": ["mailchimp"],
            "data_classes": ["contact_pii"],
            "feeders": ["salesforce"],
            "rogue": True,
            "severity": "critical",
        }
    ]
    assert {
        "rule": "FLOW_UNMANAGED_PERSONAL_DATA",
        "severity": "critical",
        "subject": {"type": "flow", "key": "salesforce->mailchimp"},
        "message": "Salesforce sends customer contact data to Mailchimp by manual export "
        "without IT managing the flow (and Mailchimp is shadow IT); have IT take "
        "it over as a managed integration or stop it.",
    } in doc["findings"]
    assert doc["summary"]["shadow_spend"] == {"USD": 1299.5}


def test_csv_download_defuses_formulas(app: Flask, client: FlaskClient) -> None:
    seed(app)
    response = client.get(f"/audit.csv?as_of={AS_OF}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="martech-audit-2026-11-22.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    # The documented header (docs/formats.md), spelled out rather than read from the code.
    assert ",".join(rows[0]) == (
        "rule,severity,subject_type,subject_key,message,status,assignee,due,accepted_until,ticket"
    )
    evil = [r for r in rows if r[0] == "SHADOW_DISCOVERED"]
    assert evil == [
        [
            "SHADOW_DISCOVERED",
            "high",
            "tool",
            "evil",
            "'" + EVIL + " is in use but was never registered; register it and have IT review it.",
            "open",
            "",
            "",
            "",
            "",
        ]
    ]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_report_follows_catalog_changes(app: Flask, client: FlaskClient) -> None:
    seed(app)
    assert len(client.get(f"/api/v1/audit?as_of={AS_OF}").json["silos"]) == 1
    with app.app_context():
        make_flow(
            db.session, "mailchimp", "salesforce", data_classes=["contact_pii"], managed_by_it=True
        )
        db.session.commit()
    assert client.get(f"/api/v1/audit?as_of={AS_OF}").json["silos"] == []


def test_tool_panel_renders_governance(app: Flask) -> None:
    seed(app)
    with app.test_request_context():
        governance = audit_service.tool_governance(db.session, "salesforce", date(2026, 11, 22))
        assert governance["blast_radius"]["tools"] == [{"slug": "mailchimp", "name": "Mailchimp"}]
        assert governance["personal_data_reach"] == [{"slug": "mailchimp", "name": "Mailchimp"}]
        assert [f["rule"] for f in governance["findings"]] == ["FLOW_UNMANAGED_PERSONAL_DATA"]
        assert governance["risk"]["factors"]["blast_radius"] == 1  # one tool of BLAST_CAP 20
        mailchimp = audit_service.tool_governance(db.session, "mailchimp", date(2026, 11, 22))
        # Its own findings, the flow into it, its silo and its category's redundancy.
        assert [f["rule"] for f in mailchimp["findings"]] == [
            "DATA_SILO",
            "FLOW_UNMANAGED_PERSONAL_DATA",
            "SHADOW_REJECTED_IN_USE",
            "REDUNDANT_TOOLS",
        ]
        assert mailchimp["shadow"]["reasons"] == ["SHADOW_REJECTED_IN_USE"]
        html = app.jinja_env.get_template("audit/_tool_panel.html").render(
            governance=governance, nav_endpoints=set()
        )
    assert "Risk score" in html
    assert 'href="/tools/mailchimp"' in html
    assert "FLOW_UNMANAGED_PERSONAL_DATA" in html
