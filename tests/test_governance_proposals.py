"""Owners cannot clear their own findings: IT's fields, changed by a marketer, become proposals
that IT accepts or declines in the review queue (the `governance` fixture: tests/conftest.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Proposal
from catalog.services import audit
from catalog.services import proposals
from catalog.services import records
from tests.accounts import signed_in
from tests.factories import make_flow
from tests.factories import make_tool
from tests.governance_web import TODAY
from tests.governance_web import tool_record

# 2. Owners cannot clear their own findings --------------------------------------------------


@pytest.fixture
def owned(governance):
    """Mia's tools with findings: Ads holds contact data without controls (a silo, exposure),
    sends it to Sheet unmanaged; Survey's request is overdue; IT manages Ads -> Sheet by tag."""
    with governance.app_context():
        s = db.session
        mias = {"business_owner": "mia@example.com", "technical_owner": "ivan@example.com"}
        pii = ["contact_pii"]
        make_tool(
            s,
            slug="ads",
            name="Ads",
            lifecycle="sanctioned",
            category="email-marketing",
            **mias,
            data_classes=[*pii, "behavioral"],
        )
        make_tool(s, slug="sheet", name="Sheet", lifecycle="sanctioned", data_classes=pii, **mias)
        asked = (TODAY - timedelta(days=40)).isoformat()
        make_tool(s, slug="survey", name="Survey", requested_at=asked, **mias)
        make_flow(s, "ads", "sheet", data_classes=["contact_pii"], mechanism="api")
        make_flow(
            s, "ads", "sheet", data_classes=["contact_pii"], mechanism="tag", managed_by_it=True
        )
        s.commit()
    return governance


def _findings(app):
    with app.app_context():
        report = audit.audit_report(db.session, TODAY)
        return sorted((f["rule"], f["severity"], f["subject"]["key"]) for f in report["findings"])


def _flow(app, mechanism):
    with app.app_context():
        flow = db.session.scalar(sa.select(DataFlow).where(DataFlow.mechanism == mechanism))
        return flow.id, records.flow_record(flow) | {"version": flow.version}


def _open(app):
    with app.app_context():
        return [
            (p.object_type, p.object_key, p.action, p.changes, p.proposed_by)
            for p in proposals.open_proposals(db.session)
        ]


def test_the_marketers_findings_are_there_to_begin_with(owned):
    rules = {(rule, key) for rule, _, key in _findings(owned)}
    assert {
        ("PERSONAL_DATA_EXPOSURE", "ads"),
        ("PERSONAL_DATA_EXPOSURE", "sheet"),
        ("FLOW_UNMANAGED_PERSONAL_DATA", "ads->sheet"),
        ("REVIEW_OVERDUE", "survey"),
    } <= rules
    assert "DATA_SILO" in {rule for rule, _ in rules}


def test_a_marketer_cannot_clear_findings_by_editing_their_tools(owned):
    findings = _findings(owned)
    mia = signed_in(owned, "mia@example.com")
    ads = tool_record(owned, "ads")
    response = mia.put(
        "/api/v1/tools/ads", json=ads | {"data_classes": [], "description": "Paid social"}
    )
    assert response.status_code == 202
    assert response.json["description"] == "Paid social"  # the business fact is saved
    assert response.json["data_classes"] == ["contact_pii", "behavioral"]  # IT's is proposed
    assert [(p["changes"], p["base"], p["status"]) for p in response.json["proposals"]] == [
        ({"data_classes": []}, {"data_classes": ["contact_pii", "behavioral"]}, "open")
    ]
    survey = tool_record(owned, "survey")
    response = mia.put(
        "/api/v1/tools/survey",
        json=survey | {"requested_at": TODAY.isoformat(), "retired_at": TODAY.isoformat()},
    )
    assert response.status_code == 202
    assert tool_record(owned, "survey")["requested_at"] == survey["requested_at"]
    flow_id, flow = _flow(owned, "api")
    response = mia.put(f"/api/v1/flows/{flow_id}", json=flow | {"anonymized": True})
    assert response.status_code == 202 and response.json["anonymized"] is False
    assert _findings(owned) == findings
    assert [(t, k, a, sorted(c)) for t, k, a, c, _ in _open(owned)] == [
        ("tool", "ads", "update", ["data_classes"]),
        ("tool", "survey", "update", ["requested_at", "retired_at"]),
        ("flow", "ads->sheet (api)", "update", ["anonymized"]),
    ]


def test_a_marketer_cannot_deactivate_or_delete_a_flow_it_manages(owned):
    findings = _findings(owned)
    mia = signed_in(owned, "mia@example.com")
    flow_id, flow = _flow(owned, "tag")
    response = mia.put(f"/api/v1/flows/{flow_id}", json=flow | {"active": False})
    assert response.status_code == 202 and response.json["active"] is True
    response = mia.delete(f"/api/v1/flows/{flow_id}", headers={"If-Match": f'"{flow["version"]}"'})
    assert response.status_code == 202
    assert response.json["proposals"][0]["action"] == "delete"
    page = mia.post(
        f"/flows/{flow_id}/delete", data={"version": str(flow["version"])}, follow_redirects=True
    )
    assert "Deleting it on ads-&gt;sheet (tag) is IT&#39;s decision" in page.text
    assert _flow(owned, "tag") == (flow_id, flow)
    assert _findings(owned) == findings
    assert [a for _, _, a, _, _ in _open(owned)] == ["update", "delete", "delete"]


def test_it_accepts_or_declines_a_proposal_in_the_review_queue(owned):
    mia = signed_in(owned, "mia@example.com")
    survey = tool_record(owned, "survey")
    mia.put("/api/v1/tools/survey", json=survey | {"requested_at": TODAY.isoformat()})
    ads = tool_record(owned, "ads")
    mia.put("/api/v1/tools/ads", json=ads | {"data_classes": ["contact_pii"]})
    with owned.app_context():
        ids = db.session.scalars(sa.select(Proposal.id).order_by(Proposal.id)).all()
    queue = signed_in(owned, "ivan@example.com").get("/review").text
    assert "Changes waiting for IT" in queue and "requested at:" in queue
    # Marketers see the queue but cannot decide it.
    assert mia.post(f"/review/proposals/{ids[0]}/accept").status_code == 403
    ivan = signed_in(owned, "ivan@example.com")
    assert ivan.post(f"/review/proposals/{ids[0]}/accept").status_code == 302
    assert (
        ivan.post(
            f"/review/proposals/{ids[1]}/decline", data={"note": "Ads still gets behavioural data"}
        ).status_code
        == 302
    )
    assert tool_record(owned, "survey")["requested_at"] == TODAY.isoformat()
    assert tool_record(owned, "ads")["data_classes"] == ["contact_pii", "behavioral"]
    assert _open(owned) == []
    with owned.app_context():
        log = [
            (c.action, c.object_type, c.object_key, c.actor)
            for c in db.session.scalars(
                sa.select(ChangeRecord).where(ChangeRecord.id > 0).order_by(ChangeRecord.id)
            )
        ][-3:]
    assert log == [
        ("update", "tool", "survey", "ivan@example.com"),
        ("accept", "proposal", str(ids[0]), "ivan@example.com"),
        ("decline", "proposal", str(ids[1]), "ivan@example.com"),
    ]
    # A decided proposal stays decided.
    response = ivan.post(f"/review/proposals/{ids[0]}/decline", follow_redirects=True)
    assert (
        f"Proposal {ids[0]} not declined: {ids[0]}: proposal: proposal {ids[0]} was already "
        "accepted" in response.text
    )


def test_a_marketer_may_still_keep_business_facts_up_to_date(owned):
    mia = signed_in(owned, "mia@example.com")
    ads = tool_record(owned, "ads")
    changes = {
        "annual_cost": 1200,
        "seats": 5,
        "renewal_date": "2027-03-01",
        "website": "https://ads.example.com",
        "data_classes": ["contact_pii", "behavioral", "consent"],
    }
    response = mia.put("/api/v1/tools/ads", json=ads | changes)
    assert response.status_code == 200, response.text
    assert {k: response.json[k] for k in changes} == changes
    assert _open(owned) == []
