"""Issue 11: governance that cannot be gamed, with sign-in enforced as in production.

Four-eyes sign-off (two different accounts, business from marketing, technical from IT, sign-offs
voided when the owners change), the sanction gate (pre-existing estate only explicitly), and
owners who cannot clear their own findings (IT's fields become proposals).

Mia and Otto are marketers, Ivan and Ines are IT, Ada is an administrator.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Proposal
from catalog.services import audit
from catalog.services import entities
from catalog.services import policy
from catalog.services import proposals
from catalog.services import records
from catalog.services import review
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

TODAY = date.today()
PEOPLE = (
    ("mia@example.com", "marketing"),
    ("otto@example.com", "marketing"),
    ("ivan@example.com", "it"),
    ("ines@example.com", "it"),
    ("ada@example.com", "admin"),
)


@pytest.fixture
def web(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    with app.app_context():
        s = db.session
        for email, role in PEOPLE:
            make_person(
                s,
                email=email,
                name=email.split("@")[0].title(),
                department="it" if role == "it" else "marketing",
            )
        make_tool(
            s,
            slug="crm",
            name="CRM",
            lifecycle="sanctioned",
            system_of_record=True,
            data_classes=["contact_pii"],
            technical_owner="ivan@example.com",
        )
        s.commit()
    for email, role in PEOPLE:
        add_user(app, email, role)
    yield app
    with app.app_context():
        db.engine.dispose()


def _tool(app, slug):
    with app.app_context():
        tool = entities.tool_by_slug(db.session, slug)
        return None if tool is None else records.tool_record(tool) | {"version": tool.version}


def _make(app, **raw):
    with app.app_context():
        make_tool(db.session, **raw)
        db.session.commit()


def _in_review(app, slug, business="mia@example.com", technical="ivan@example.com"):
    _make(
        app,
        slug=slug,
        name=slug.title(),
        business_owner=business,
        technical_owner=technical,
        requested_at=(TODAY - timedelta(days=2)).isoformat(),
    )
    assert signed_in(app, "ines@example.com").post(f"/review/{slug}/start").status_code == 302


def _review_events(app, slug):
    with app.app_context():
        return [
            (c.action, c.actor, c.after)
            for c in db.session.scalars(
                sa.select(ChangeRecord)
                .where(ChangeRecord.object_type == "review", ChangeRecord.object_key == slug)
                .order_by(ChangeRecord.id)
            )
        ]


def _signoffs(app, slug):
    with app.app_context():
        tool = entities.tool_by_slug(db.session, slug)
        return {side: row.signed_by for side, row in review.signoffs(db.session, tool).items()}


# 1. Four-eyes sign-off ------------------------------------------------------------------------


def test_a_marketer_cannot_request_a_tool_naming_themself_as_both_owners(web):
    mia = signed_in(web, "mia@example.com")
    response = mia.post(
        "/review/request",
        data={
            "name": "Solo",
            "business_owner": "mia@example.com",
            "technical_owner": "mia@example.com",
            "mechanism": "api",
        },
    )
    assert response.status_code == 400
    assert "must be someone other than the business owner (from IT)" in response.text
    assert _tool(web, "solo") is None


def test_a_marketer_owning_both_sides_signs_only_the_business_side(web):
    # However the tool got Mia on both sides, her account gives one sign-off, never IT's.
    _in_review(web, "solo", business="mia@example.com", technical="mia@example.com")
    mia = signed_in(web, "mia@example.com")
    assert mia.post("/review/solo/signoff/business").status_code == 302
    response = mia.post("/review/solo/signoff/technical")
    assert response.status_code == 403
    assert _signoffs(web, "solo") == {"business": "mia@example.com"}
    response = signed_in(web, "ivan@example.com").post(
        "/review/solo/sanction", follow_redirects=True
    )
    assert response.request.path == "/review/solo" and "missing: technical" in response.text
    assert _tool(web, "solo")["lifecycle"] == "in_review"


def test_it_cannot_make_itself_business_owner_and_sign_both_sides(web):
    _in_review(web, "ads")
    ivan = signed_in(web, "ivan@example.com")
    record = _tool(web, "ads")
    response = ivan.put("/api/v1/tools/ads", json=record | {"business_owner": "ivan@example.com"})
    assert response.status_code == 200
    assert ivan.post("/review/ads/signoff/technical").status_code == 302
    page = ivan.post("/review/ads/signoff/business")
    assert page.status_code == 403
    assert "the business sign-off is given by the tool's business owner, from marketing" in (
        page.text.replace("&#39;", "'")
    )
    assert _signoffs(web, "ads") == {"technical": "ivan@example.com"}


def test_changing_the_owners_after_a_signoff_voids_the_signoffs(web):
    _in_review(web, "ads")
    assert signed_in(web, "mia@example.com").post("/review/ads/signoff/business").status_code == 302
    assert (
        signed_in(web, "ivan@example.com").post("/review/ads/signoff/technical").status_code == 302
    )
    # Between the sign-offs and the decision, the IT signer hands the business side to Otto.
    ivan = signed_in(web, "ivan@example.com")
    record = _tool(web, "ads")
    assert (
        ivan.put(
            "/api/v1/tools/ads", json=record | {"business_owner": "otto@example.com"}
        ).status_code
        == 200
    )
    assert _signoffs(web, "ads") == {}
    action, actor, after = _review_events(web, "ads")[-1]
    assert (action, actor) == ("void", "ivan@example.com")
    assert after == {
        "sides": ["business", "technical"],
        "signed_by": ["mia@example.com", "ivan@example.com"],
        "reason": "the owners changed after the sign-off",
        "owners": {"business_owner": "otto@example.com", "technical_owner": "ivan@example.com"},
    }
    response = ivan.post("/review/ads/sanction", follow_redirects=True)
    assert response.request.path == "/review/ads"
    assert "missing: business and technical" in response.text
    # The new business owner signs again; then it can be decided.
    otto = signed_in(web, "otto@example.com")
    assert otto.post("/review/ads/signoff/business").status_code == 302
    assert ivan.post("/review/ads/signoff/technical").status_code == 302
    assert ivan.post("/review/ads/sanction").status_code == 302
    assert _tool(web, "ads")["lifecycle"] == "sanctioned"


def test_an_administrator_signs_one_side_only(web):
    _in_review(web, "ads")
    ada = signed_in(web, "ada@example.com")
    assert ada.post("/review/ads/signoff/business").status_code == 302
    response = ada.post("/review/ads/signoff/technical")
    assert response.status_code == 403
    assert (
        "ada@example.com already signed the business side; the technical sign-off must come "
        "from another person."
    ) in response.text
    assert _signoffs(web, "ads") == {"business": "ada@example.com"}


def test_one_account_cannot_sign_both_sides_through_the_service_either(web):
    # The rule lives in the service: a plain e-mail (no account: the system actor) is held too.
    _in_review(web, "ads")
    with web.app_context():
        tool = entities.tool_by_slug(db.session, "ads")
        review.sign_off(db.session, tool, "business", actor="setup@example.com")
        with pytest.raises(policy.PermissionDenied) as info:
            review.sign_off(db.session, tool, "technical", actor="setup@example.com")
        assert (info.value.record, info.value.field) == ("ads", "technical")
        # An account's role decides even when the caller passes only its e-mail.
        with pytest.raises(policy.PermissionDenied):
            review.sign_off(db.session, tool, "technical", actor="otto@example.com")


def test_a_deleted_request_cannot_come_back_sanctioned_without_an_estate_registration(web):
    _make(
        web,
        slug="ads",
        name="Ads",
        business_owner="mia@example.com",
        technical_owner="ivan@example.com",
        data_classes=["contact_pii"],
        requested_at=TODAY.isoformat(),
    )
    ivan = signed_in(web, "ivan@example.com")
    etag = {"If-Match": f'"{_tool(web, "ads")["version"]}"'}
    assert ivan.delete("/api/v1/tools/ads", headers=etag).status_code == 204
    body = {
        "name": "Ads",
        "business_owner": "mia@example.com",
        "lifecycle": "sanctioned",
        "data_classes": ["contact_pii"],
    }
    response = ivan.post("/api/v1/tools", json=body)
    assert response.status_code == 403
    assert response.json == {
        "error": "ads cannot start sanctioned: request it and decide it through its review, or "
        "register it explicitly as pre-existing estate with a reason.",
        "record": "ads",
        "field": "lifecycle",
    }
    page = ivan.post(
        "/tools/new", data={"name": "Ads", "lifecycle": "sanctioned", "currency": "USD"}
    )
    assert page.status_code == 403
    assert _tool(web, "ads") is None
    # A marketer cannot register estate at all.
    response = signed_in(web, "mia@example.com").post(
        "/api/v1/tools", json=body | {"estate_reason": "it ran before"}
    )
    assert response.status_code == 403 and response.json["field"] == "lifecycle"
    # IT registering pre-existing estate explicitly, with a reason, is recorded ...
    response = ivan.post("/api/v1/tools", json=body | {"estate_reason": "contract since 2021"})
    assert response.status_code == 201
    assert _review_events(web, "ads")[-1] == (
        "estate",
        "ivan@example.com",
        {"lifecycle": "sanctioned", "reason": "contract since 2021"},
    )
    # ... and the audit keeps its findings about the tool: no review settled its controls.
    with web.app_context():
        report = audit.audit_report(db.session, TODAY)
        rules = {f["rule"] for f in report["findings"] if f["subject"]["key"] == "ads"}
    assert "PERSONAL_DATA_EXPOSURE" in rules


# 2. Owners cannot clear their own findings --------------------------------------------------


@pytest.fixture
def owned(web):
    """Mia's tools with findings: Ads holds contact data without controls (a silo, exposure),
    sends it to Sheet unmanaged; Survey's request is overdue; IT manages Ads -> Sheet by tag."""
    with web.app_context():
        s = db.session
        make_tool(
            s,
            slug="ads",
            name="Ads",
            lifecycle="sanctioned",
            category="email-marketing",
            business_owner="mia@example.com",
            technical_owner="ivan@example.com",
            data_classes=["contact_pii", "behavioral"],
        )
        make_tool(
            s,
            slug="sheet",
            name="Sheet",
            lifecycle="sanctioned",
            business_owner="mia@example.com",
            technical_owner="ivan@example.com",
            data_classes=["contact_pii"],
        )
        make_tool(
            s,
            slug="survey",
            name="Survey",
            business_owner="mia@example.com",
            technical_owner="ivan@example.com",
            requested_at=(TODAY - timedelta(days=40)).isoformat(),
        )
        make_flow(s, "ads", "sheet", data_classes=["contact_pii"], mechanism="api")
        make_flow(
            s, "ads", "sheet", data_classes=["contact_pii"], mechanism="tag", managed_by_it=True
        )
        s.commit()
    return web


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
    ads = _tool(owned, "ads")
    response = mia.put(
        "/api/v1/tools/ads", json=ads | {"data_classes": [], "description": "Paid social"}
    )
    assert response.status_code == 202
    assert response.json["description"] == "Paid social"  # the business fact is saved
    assert response.json["data_classes"] == ["contact_pii", "behavioral"]  # IT's is proposed
    assert [(p["changes"], p["base"], p["status"]) for p in response.json["proposals"]] == [
        ({"data_classes": []}, {"data_classes": ["contact_pii", "behavioral"]}, "open")
    ]
    survey = _tool(owned, "survey")
    response = mia.put(
        "/api/v1/tools/survey",
        json=survey | {"requested_at": TODAY.isoformat(), "retired_at": TODAY.isoformat()},
    )
    assert response.status_code == 202
    assert _tool(owned, "survey")["requested_at"] == survey["requested_at"]
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
    survey = _tool(owned, "survey")
    mia.put("/api/v1/tools/survey", json=survey | {"requested_at": TODAY.isoformat()})
    ads = _tool(owned, "ads")
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
    assert _tool(owned, "survey")["requested_at"] == TODAY.isoformat()
    assert _tool(owned, "ads")["data_classes"] == ["contact_pii", "behavioral"]
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
    ads = _tool(owned, "ads")
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
