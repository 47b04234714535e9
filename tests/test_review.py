"""The review workflow: requests, the SLA clock, dual sign-off, reasons for rejection."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Tool
from catalog.services import review
from catalog.services.records import ValidationError
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.review_stack import mia_ivan_and_salesforce
from tests.review_stack import request_form

TODAY = date(2026, 11, 22)


@pytest.fixture
def stack(session):
    mia_ivan_and_salesforce(session)
    session.commit()
    return session


def _request(session, **overrides):
    raw = {
        "name": "Mailgun",
        "description": "Transactional e-mail",
        "category": "email-marketing",
        "business_owner": "mia@example.com",
        "technical_owner": "ivan@example.com",
    }
    return review.request_tool(
        session,
        raw | overrides.pop("raw", {}),
        actor="mia@example.com",
        today=overrides.pop("today", TODAY),
        **overrides,
    )


def test_request_starts_requested_with_draft_unmanaged_flows(stack):
    tool = _request(stack, sources=["salesforce"], data_classes=["contact_pii", "consent"])
    stack.commit()
    assert (tool.lifecycle, tool.requested_at, tool.decided_at) == ("requested", TODAY, None)
    assert tool.data_classes == ["contact_pii", "consent"]
    flow = stack.scalar(sa.select(DataFlow))
    assert (flow.source.slug, flow.target.slug, flow.managed_by_it) == (
        "salesforce",
        "mailgun",
        False,
    )
    assert flow.data_classes == ["contact_pii", "consent"]
    kinds = stack.scalars(sa.select(ChangeRecord.object_type).order_by(ChangeRecord.id)).all()
    assert kinds[-2:] == ["tool", "flow"]


def test_request_needs_a_technical_owner_and_data_sources(stack):
    with pytest.raises(ValidationError) as info:
        _request(stack, raw={"technical_owner": None}, data_classes=["contact_pii"])
    assert info.value.errors == {
        "technical_owner": "name your IT counterpart (the technical owner)",
        "sources": "say which tools the data will come from",
    }
    with pytest.raises(ValidationError) as info:
        _request(stack, sources=["nope"], data_classes=["contact_pii"])
    assert info.value.errors == {"sources": "flow 1 from 'nope': source: no tool with slug 'nope'"}
    stack.rollback()
    assert stack.scalar(sa.select(Tool).where(Tool.slug == "mailgun")) is None


def test_one_signoff_is_not_enough_to_sanction(stack):
    tool = _request(stack)
    review.start_review(stack, tool, actor="ivan@example.com", today=TODAY)
    review.sign_off(stack, tool, "business", actor="mia@example.com")
    with pytest.raises(ValidationError) as info:
        review.sanction(stack, tool, actor="ivan@example.com", today=TODAY)
    assert info.value.errors == {
        "signoffs": "sanctioning needs both the business owner's and "
        "the technical owner's sign-off; missing: technical"
    }
    assert tool.lifecycle == "in_review"
    review.sign_off(stack, tool, "technical", actor="ivan@example.com", note="SSO checked")
    review.sanction(stack, tool, actor="ivan@example.com", today=TODAY + timedelta(days=3))
    stack.commit()
    assert (tool.lifecycle, tool.decided_at) == ("sanctioned", TODAY + timedelta(days=3))
    events = [(c.action, c.actor, (c.after or {}).get("side")) for c in review.history(stack, tool)]
    assert events == [
        ("sanction", "ivan@example.com", None),
        ("signoff", "ivan@example.com", "technical"),
        ("signoff", "mia@example.com", "business"),
    ]


def test_signoff_is_given_once_per_side(stack):
    tool = _request(stack)
    review.sign_off(stack, tool, "business", actor="mia@example.com")
    with pytest.raises(ValidationError) as info:
        review.sign_off(stack, tool, "business", actor="someone@example.com")
    assert info.value.errors == {
        "side": "the business sign-off was already given by mia@example.com"
    }


def test_sanction_requires_review_first(stack):
    tool = _request(stack)
    review.sign_off(stack, tool, "business", actor="mia@example.com")
    review.sign_off(stack, tool, "technical", actor="ivan@example.com")
    with pytest.raises(ValidationError) as info:
        review.sanction(stack, tool, actor="ivan@example.com", today=TODAY)
    assert info.value.errors == {"lifecycle": "put Mailgun in review before sanctioning it"}


def test_rejection_needs_a_reason(stack):
    tool = _request(stack)
    with pytest.raises(ValidationError) as info:
        review.reject(stack, tool, "   ", actor="ivan@example.com", today=TODAY)
    assert info.value.errors == {"reason": "a rejection needs a reason"}
    assert tool.lifecycle == "requested"
    review.reject(
        stack, tool, "Duplicates Salesforce Marketing Cloud", actor="ivan@example.com", today=TODAY
    )
    assert (tool.lifecycle, tool.decided_at) == ("rejected", TODAY)
    assert review.history(stack, tool)[0].after["reason"] == "Duplicates Salesforce Marketing Cloud"
    with pytest.raises(ValidationError) as info:
        review.reject(stack, tool, "again", actor="ivan@example.com", today=TODAY)
    assert info.value.errors == {
        "lifecycle": "Mailgun is rejected; only requested or in-review tools can be rejected"
    }


def test_overdue_at_eleven_days_not_ten(stack):
    _request(stack, raw={"name": "Ten days"}, today=TODAY - timedelta(days=10))
    _request(stack, raw={"name": "Eleven days"}, today=TODAY - timedelta(days=11))
    stack.commit()
    items = review.queue(stack, TODAY, review.sla_days(stack, 10))
    assert [(i.tool.slug, i.age_days, i.overdue) for i in items] == [
        ("eleven-days", 11, True),
        ("ten-days", 10, False),
    ]


def test_sla_setting_overrides_config_and_is_recorded(stack):
    assert review.sla_days(stack, 10) == 10
    review.set_sla_days(stack, "5", actor="admin@example.com")
    assert review.sla_days(stack, 10) == 5
    for bad, message in (
        ("0", "must be between 1 and 365 days"),
        ("five", "'five' is not a whole number of days"),
    ):
        with pytest.raises(ValidationError) as info:
            review.set_sla_days(stack, bad, actor="admin@example.com")
        assert info.value.errors == {"sla_days": message}
    change = stack.scalar(sa.select(ChangeRecord).where(ChangeRecord.object_type == "setting"))
    assert (change.object_key, change.after) == ("review_sla_days", {"value": 5})


# Pages, with sign-in enforced ------------------------------------------------------------------


@pytest.fixture
def web(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    with app.app_context():
        mia_ivan_and_salesforce(db.session, system_of_record=False)
        db.session.commit()
    for email, role in (
        ("mia@example.com", "marketing"),
        ("ivan@example.com", "it"),
        ("vera@example.com", "viewer"),
        ("ada@example.com", "admin"),
        ("otto@example.com", "marketing"),
    ):
        add_user(app, email, role)
    yield app
    with app.app_context():
        db.engine.dispose()


def _request_form(**extra):
    mailgun = {"name": "Mailgun <b>", "description": "Transactional e-mail"}
    fed = {"sources": ["salesforce"], "data_classes": ["contact_pii"]}
    return request_form(**mailgun | fed | extra)


def test_marketer_requests_and_it_sanctions_after_both_signoffs(web):
    mia, ivan = signed_in(web, "mia@example.com"), signed_in(web, "ivan@example.com")
    response = mia.post("/review/request", data=_request_form())
    assert response.status_code == 302
    assert response.headers["Location"] == "/review/mailgun-b"
    queue = ivan.get("/review").text
    assert "Mailgun &lt;b&gt;" in queue and "<b>" not in queue
    assert mia.post("/review/mailgun-b/start").status_code == 403  # marketing cannot review
    assert ivan.post("/review/mailgun-b/start").status_code == 302
    assert ivan.post("/review/mailgun-b/signoff/business").status_code == 403  # not the owner
    assert mia.post("/review/mailgun-b/signoff/business", data={"note": "ok"}).status_code == 302
    response = ivan.post("/review/mailgun-b/sanction")  # refused: back to the review page
    assert (response.status_code, response.headers["Location"]) == (302, "/review/mailgun-b")
    assert "missing: technical" in ivan.get("/review/mailgun-b").text
    assert ivan.post("/review/mailgun-b/signoff/technical").status_code == 302
    # Unmanaged contact data from Salesforce: refused without the checklist or a reason.
    ivan.post("/review/mailgun-b/sanction")
    with web.app_context():
        assert db.session.scalar(sa.select(Tool.lifecycle).where(Tool.slug == "mailgun-b")) == (
            "in_review"
        )
    assert (
        ivan.post(
            "/review/mailgun-b/sanction",
            data={"override": "Pilot; IT takes the flow over next week"},
        ).status_code
        == 302
    )
    with web.app_context():
        assert db.session.scalar(sa.select(Tool.lifecycle).where(Tool.slug == "mailgun-b")) == (
            "sanctioned"
        )
    page = ivan.get("/review/mailgun-b").text
    assert "Pilot; IT takes the flow over next week" in page
    assert 'signed by <span title="mia@example.com">Mia</span>' in page


def test_reject_page_requires_reason(web):
    mia, ivan = signed_in(web, "mia@example.com"), signed_in(web, "ivan@example.com")
    mia.post("/review/request", data=_request_form(name="Mailgun"))
    response = ivan.post("/review/mailgun/reject", data={"reason": ""}, follow_redirects=True)
    assert (response.status_code, response.request.path) == (200, "/review/mailgun")
    assert "a rejection needs a reason" in response.text
    response = ivan.post("/review/mailgun/reject", data={"reason": "<script>x</script>"})
    assert response.status_code == 302
    page = ivan.get("/review/mailgun").text
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page


def test_stale_decision_is_a_conflict(web):
    mia, ivan = signed_in(web, "mia@example.com"), signed_in(web, "ivan@example.com")
    mia.post("/review/request", data=_request_form(name="Mailgun"))
    response = ivan.post("/review/mailgun/start", data={"version": "1"})
    assert response.status_code == 302
    response = ivan.post("/review/mailgun/reject", data={"version": "1", "reason": "stale"})
    assert response.status_code == 409
    assert "changed while you were looking at it" in response.text


def test_request_form_shows_field_errors_and_changes_nothing(web):
    mia = signed_in(web, "mia@example.com")
    response = mia.post(
        "/review/request",
        data=_request_form(name="Mailgun", technical_owner="", website="javascript:alert(1)"),
    )
    assert response.status_code == 400
    assert "name your IT counterpart" in response.text
    assert "must be an http:// or https:// URL" in response.text
    assert mia.get("/review/mailgun").status_code == 404


def test_viewer_cannot_request_and_admin_sets_sla(web):
    vera, ada, mia = (
        signed_in(web, e) for e in ("vera@example.com", "ada@example.com", "mia@example.com")
    )
    assert vera.get("/review").status_code == 200
    assert vera.post("/review/request", data=_request_form()).status_code == 403
    assert mia.post("/review/sla", data={"sla_days": "3"}).status_code == 403
    response = ada.post("/review/sla", data={"sla_days": "3"}, follow_redirects=True)
    assert "The review SLA is now 3 days." in response.text
    assert "<strong>3 days</strong>" in vera.get("/review").text


def test_new_requester_becomes_a_person(web):
    otto = signed_in(web, "otto@example.com")
    response = otto.post(
        "/review/request",
        data=_request_form(
            name="Hotjar", business_owner="otto@example.com", sources=[], data_classes=[]
        ),
    )
    assert response.status_code == 302
    with web.app_context():
        tool = db.session.scalar(sa.select(Tool).where(Tool.slug == "hotjar"))
        assert tool.business_owner.email == "otto@example.com"
        assert tool.business_owner.department == "marketing"
