"""Four-eyes sign-off and the sanction gate, with sign-in enforced as in production.

Two different accounts sign, the business side from marketing and the technical side from IT;
sign-offs are voided when the owners change; pre-existing estate is registered only explicitly.
Mia and Otto are marketers, Ivan and Ines are IT, Ada is an administrator (the `governance`
fixture: tests/conftest.py, its catalog: tests/governance_web.py).
"""

from __future__ import annotations

import pytest

from catalog.extensions import db
from catalog.services import audit
from catalog.services import entities
from catalog.services import policy
from catalog.services import review
from tests.accounts import signed_in
from tests.governance_web import TODAY
from tests.governance_web import in_review
from tests.governance_web import make
from tests.governance_web import review_events
from tests.governance_web import signoffs
from tests.governance_web import tool_record

# 1. Four-eyes sign-off ------------------------------------------------------------------------


def test_a_marketer_cannot_request_a_tool_naming_themself_as_both_owners(governance):
    mia = signed_in(governance, "mia@example.com")
    owners = {"business_owner": "mia@example.com", "technical_owner": "mia@example.com"}
    response = mia.post("/review/request", data={"name": "Solo", "mechanism": "api"} | owners)
    assert response.status_code == 400
    assert "must be someone other than the business owner (from IT)" in response.text
    assert tool_record(governance, "solo") is None


def test_a_marketer_owning_both_sides_signs_only_the_business_side(governance):
    # However the tool got Mia on both sides, her account gives one sign-off, never IT's.
    in_review(governance, "solo", business="mia@example.com", technical="mia@example.com")
    mia = signed_in(governance, "mia@example.com")
    assert mia.post("/review/solo/signoff/business").status_code == 302
    response = mia.post("/review/solo/signoff/technical")
    assert response.status_code == 403
    assert signoffs(governance, "solo") == {"business": "mia@example.com"}
    response = signed_in(governance, "ivan@example.com").post(
        "/review/solo/sanction", follow_redirects=True
    )
    assert response.request.path == "/review/solo" and "missing: technical" in response.text
    assert tool_record(governance, "solo")["lifecycle"] == "in_review"


def test_it_cannot_make_itself_business_owner_and_sign_both_sides(governance):
    in_review(governance, "ads")
    ivan = signed_in(governance, "ivan@example.com")
    record = tool_record(governance, "ads")
    response = ivan.put("/api/v1/tools/ads", json=record | {"business_owner": "ivan@example.com"})
    assert response.status_code == 200
    assert ivan.post("/review/ads/signoff/technical").status_code == 302
    page = ivan.post("/review/ads/signoff/business")
    assert page.status_code == 403
    assert "the business sign-off is given by the tool's business owner, from marketing" in (
        page.text.replace("&#39;", "'")
    )
    assert signoffs(governance, "ads") == {"technical": "ivan@example.com"}


def test_changing_the_owners_after_a_signoff_voids_the_signoffs(governance):
    in_review(governance, "ads")
    assert (
        signed_in(governance, "mia@example.com").post("/review/ads/signoff/business").status_code
        == 302
    )
    assert (
        signed_in(governance, "ivan@example.com").post("/review/ads/signoff/technical").status_code
        == 302
    )
    # Between the sign-offs and the decision, the IT signer hands the business side to Otto.
    ivan = signed_in(governance, "ivan@example.com")
    record = tool_record(governance, "ads")
    assert (
        ivan.put(
            "/api/v1/tools/ads", json=record | {"business_owner": "otto@example.com"}
        ).status_code
        == 200
    )
    assert signoffs(governance, "ads") == {}
    action, actor, after = review_events(governance, "ads")[-1]
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
    otto = signed_in(governance, "otto@example.com")
    assert otto.post("/review/ads/signoff/business").status_code == 302
    assert ivan.post("/review/ads/signoff/technical").status_code == 302
    assert ivan.post("/review/ads/sanction").status_code == 302
    assert tool_record(governance, "ads")["lifecycle"] == "sanctioned"


def test_an_administrator_signs_one_side_only(governance):
    in_review(governance, "ads")
    ada = signed_in(governance, "ada@example.com")
    assert ada.post("/review/ads/signoff/business").status_code == 302
    response = ada.post("/review/ads/signoff/technical")
    assert response.status_code == 403
    assert (
        "ada@example.com already signed the business side; the technical sign-off must come "
        "from another person."
    ) in response.text
    assert signoffs(governance, "ads") == {"business": "ada@example.com"}


def test_one_account_cannot_sign_both_sides_through_the_service_either(governance):
    # The rule lives in the service: a plain e-mail (no account: the system actor) is held too.
    in_review(governance, "ads")
    with governance.app_context():
        tool = entities.tool_by_slug(db.session, "ads")
        review.sign_off(db.session, tool, "business", actor="setup@example.com")
        with pytest.raises(policy.PermissionDenied) as info:
            review.sign_off(db.session, tool, "technical", actor="setup@example.com")
        assert (info.value.record, info.value.field) == ("ads", "technical")
        # An account's role decides even when the caller passes only its e-mail.
        with pytest.raises(policy.PermissionDenied):
            review.sign_off(db.session, tool, "technical", actor="otto@example.com")


def test_a_deleted_request_cannot_come_back_sanctioned_without_an_estate_registration(governance):
    make(
        governance,
        slug="ads",
        name="Ads",
        business_owner="mia@example.com",
        technical_owner="ivan@example.com",
        data_classes=["contact_pii"],
        requested_at=TODAY.isoformat(),
    )
    ivan = signed_in(governance, "ivan@example.com")
    etag = {"If-Match": f'"{tool_record(governance, "ads")["version"]}"'}
    assert ivan.delete("/api/v1/tools/ads", headers=etag).status_code == 204
    body = {
        "name": "Ads",
        "business_owner": "mia@example.com",
        "lifecycle": "sanctioned",
        "data_classes": ["contact_pii"],
    }
    response = ivan.post("/api/v1/tools", json=body)
    assert response.status_code == 403
    error = (
        "ads cannot start sanctioned: request it and decide it through its review, or "
        "register it explicitly as pre-existing estate with a reason."
    )
    assert response.json == {"error": error, "record": "ads", "field": "lifecycle"}
    page = ivan.post(
        "/tools/new", data={"name": "Ads", "lifecycle": "sanctioned", "currency": "USD"}
    )
    assert page.status_code == 403
    assert tool_record(governance, "ads") is None
    # A marketer cannot register estate at all.
    response = signed_in(governance, "mia@example.com").post(
        "/api/v1/tools", json=body | {"estate_reason": "it ran before"}
    )
    assert response.status_code == 403 and response.json["field"] == "lifecycle"
    # IT registering pre-existing estate explicitly, with a reason, is recorded ...
    response = ivan.post("/api/v1/tools", json=body | {"estate_reason": "contract since 2021"})
    assert response.status_code == 201
    assert review_events(governance, "ads")[-1] == (
        "estate",
        "ivan@example.com",
        {"lifecycle": "sanctioned", "reason": "contract since 2021"},
    )
    # ... and the audit keeps its findings about the tool: no review settled its controls.
    with governance.app_context():
        report = audit.audit_report(db.session, TODAY)
        rules = {f["rule"] for f in report["findings"] if f["subject"]["key"] == "ads"}
    assert "PERSONAL_DATA_EXPOSURE" in rules
