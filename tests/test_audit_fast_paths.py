"""The audit's fast paths give the same answers: Core snapshot loading, line-per-item JSON."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from flask import Flask
from sqlalchemy.orm import Session

from catalog.extensions import db
from catalog.models import DataFlow
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import audit
from catalog.services import entities
from catalog.services.snapshot import load_snapshot
from tests.accounts import run_cli
from tests.audit_seed import seed
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool


def test_snapshot_matches_the_orm_rows(session: Session) -> None:
    make_person(session, email="mia@x.com", name="Mia", department="marketing", active=False)
    make_tool(
        session,
        slug="crm",
        name="Salesforce",
        business_owner="mia@x.com",
        data_classes=["contact_pii", "behavioral"],
        annual_cost="1234.56",
        currency="EUR",
        lifecycle="sanctioned",
        system_of_record=True,
    )
    make_tool(session, slug="esp", name="Brevo")  # no classes, no cost
    make_flow(session, "crm", "esp", data_classes=["contact_pii"], anonymized=True)
    make_flow(session, "esp", "crm", mechanism="webhook", data_classes=[], active=False)
    entities.save_sighting(
        session,
        {
            "source": "card_csv",
            "observed_name": "SALESFORCE.COM",
            "tool": "crm",
            "first_seen": "2026-01-02",
            "last_seen": "2026-11-20",
            "users": 3,
            "spend": "99.95",
        },
        actor="test",
    )
    session.commit()

    snap = load_snapshot(session)

    crm = next(t for t in snap.tools if t.slug == "crm")
    orm = session.query(Tool).filter_by(slug="crm").one()
    assert crm.annual_cost == float(orm.annual_cost) == 1234.56
    assert crm.data_classes == frozenset({"contact_pii", "behavioral"})
    assert (crm.currency, crm.business_owner, crm.system_of_record) == ("EUR", "mia@x.com", True)
    esp = next(t for t in snap.tools if t.slug == "esp")
    assert (esp.annual_cost, esp.data_classes) == (None, frozenset())
    flows = {(f.source, f.target): f for f in snap.flows}
    assert len(flows) == session.query(DataFlow).count() == 2
    assert flows[("crm", "esp")].data_classes == frozenset({"contact_pii"})
    assert flows[("crm", "esp")].anonymized is True
    assert flows[("esp", "crm")].active is False
    assert flows[("esp", "crm")].data_classes == frozenset()
    (seen,) = snap.sightings
    assert float(session.query(Sighting).one().spend) == seen.spend == 99.95
    assert (seen.tool, seen.first_seen, seen.users) == ("crm", date(2026, 1, 2), 3)
    assert [(p.email, p.active) for p in snap.people] == [("mia@x.com", False)]
    assert Decimal(str(crm.annual_cost)) == orm.annual_cost


def test_cli_json_has_one_line_per_item_and_the_report_unchanged(app: Flask) -> None:
    seed(app)
    result = run_cli(app, ["audit", "--as-of", "2026-11-22", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    with app.app_context():
        report = audit.audit_report(db.session, date(2026, 11, 22))
    assert doc == json.loads(json.dumps(report))
    lines = result.stdout.splitlines()
    finding_lines = [line for line in lines if line.startswith('    {"rule": ')]
    assert len(finding_lines) == len(doc["findings"]) > 0
    assert [json.loads(line.rstrip(",")) for line in finding_lines] == doc["findings"]
