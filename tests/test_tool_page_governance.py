"""The tool page shows what the audit says about the tool: findings, risk, blast radius, reach."""

from __future__ import annotations

from catalog.extensions import db
from tests.factories import crm_and_rogue_sheet
from tests.factories import make_flow
from tests.factories import make_tool


def test_tool_page_shows_findings_risk_blast_radius_and_reach(app, client):
    with app.app_context():
        crm_and_rogue_sheet(db.session, data_classes=["contact_pii"])
        make_tool(db.session, slug="bi", name="Looker", lifecycle="sanctioned")
        make_flow(db.session, "crm", "bi", data_classes=["campaign_metrics"], managed_by_it=True)
        db.session.commit()

    page = client.get("/tools/sheet").text
    assert "Governance" in page
    assert "SHADOW_DISCOVERED" in page
    assert "Risk score" in page
    crm = client.get("/tools/crm").text
    # Both downstream tools break or lose data if the CRM goes; only the sheet gets personal data.
    assert "Blast radius (2 tools)" in crm
    assert "Personal-data reach (1 tool)" in crm
    assert "FLOW_UNMANAGED_PERSONAL_DATA" in crm
