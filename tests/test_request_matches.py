"""Requests that know the catalog: duplicate hints as you type, the check on submit, and a
request for a rejected tool reopening its review."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import Tool
from catalog.services import request_match
from catalog.services import review
from catalog.services.records import ValidationError
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.factories import make_person
from tests.factories import make_tool
from tests.review_stack import request_form

TODAY = date.today()


def _catalog(session):
    for name, department in ("Mia", "marketing"), ("Otto", "marketing"), ("Ivan", "it"):
        make_person(session, email=f"{name.lower()}@example.com", name=name, department=department)
    make_tool(
        session,
        slug="hubspot",
        name="HubSpot",
        vendor="HubSpot Inc.",
        category="email-marketing",
        lifecycle="sanctioned",
        website="https://www.hubspot.com",
        business_owner="otto@example.com",
    )
    make_tool(
        session,
        slug="salesforce",
        name="Salesforce",
        category="crm",
        lifecycle="sanctioned",
        system_of_record=True,
    )
    raw = {
        "name": "Mailchimp",
        "category": "email-marketing",
        "business_owner": "mia@example.com",
        "technical_owner": "ivan@example.com",
    }
    old = TODAY - timedelta(days=30)
    mailchimp = review.request_tool(session, raw, actor="mia@example.com", today=old)
    review.reject(session, mailchimp, "No DPA and no SSO", actor="ivan@example.com", today=old)
    session.commit()


@pytest.fixture
def web(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    with app.app_context():
        _catalog(db.session)
    add_user(app, "mia@example.com", "marketing", name="Mia")
    add_user(app, "ivan@example.com", "it", name="Ivan")
    return app


def _form(**extra):
    return request_form(
        **{"name": "HubSpot Marketing Hub", "description": "E-mail nurture"} | extra
    )


def test_hints_name_the_status_and_what_to_do(session):
    _catalog(session)
    found = request_match.matches(session, "HubSpot Marketing Hub")
    assert [(m.tool.slug, m.how, m.same, m.status) for m in found][:1] == [
        ("hubspot", "name", True, "sanctioned")
    ]
    assert found[0].notice == "already sanctioned: ask its owner (Otto) for access"
    rejected = request_match.matches(session, "mailchimp")[0]
    assert rejected.notice == (
        f"rejected on {TODAY - timedelta(days=30)} because “No DPA and "
        f"no SSO”: request again with what changed (your request "
        f"reopens its review)"
    )
    by_domain = request_match.matches(session, "hubspot.com")
    assert by_domain[0].tool.slug == "hubspot"
    assert request_match.matches(session, "Totally New Thing") == []


def test_typo_and_vendor_are_hints_but_only_a_name_match_holds_a_request(session):
    _catalog(session)
    assert request_match.matches(session, "Hubsopt")[0].tool.slug == "hubspot"
    vendor_only = request_match.matches(session, "HubSpot Inc.")
    assert vendor_only and vendor_only[0].same is True  # name "HubSpot" is in "HubSpot Inc."


def test_requesting_a_sanctioned_tool_shows_the_notice_and_creates_nothing(session):
    _catalog(session)
    raw = {
        "name": "HubSpot Marketing Hub",
        "business_owner": "mia@example.com",
        "technical_owner": "ivan@example.com",
    }
    with pytest.raises(ValidationError) as info:
        review.request_tool(session, raw, actor="mia@example.com", today=TODAY)
    assert info.value.errors == {
        "name": "HubSpot is already sanctioned: ask its owner (Otto) for access."
    }
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Tool)) == 3


def test_requesting_a_rejected_tool_reopens_its_review(session):
    _catalog(session)
    raw = {
        "name": "Mailchimp",
        "description": "Now with a DPA",
        "business_owner": "mia@example.com",
        "technical_owner": "ivan@example.com",
    }
    tool = review.request_tool(session, raw, actor="mia@example.com", today=TODAY)
    session.commit()
    assert (tool.slug, tool.lifecycle, tool.requested_at, tool.decided_at) == (
        "mailchimp",
        "requested",
        TODAY,
        None,
    )
    assert tool.description == "Now with a DPA"
    reopen = session.scalar(sa.select(ChangeRecord).where(ChangeRecord.action == "reopen"))
    assert (reopen.actor, reopen.after["was"], reopen.after["round"]) == (
        "mia@example.com",
        "rejected",
        TODAY.isoformat(),
    )
    assert review.signoffs(session, tool) == {}
    assert [i.tool.slug for i in review.queue(session, TODAY, 10)] == ["mailchimp"]


def test_request_page_answers_with_the_notice_and_reopens_a_rejected_tool(web):
    mia = signed_in(web, "mia@example.com")
    response = mia.post("/review/request", data=_form())
    assert response.status_code == 400
    assert "HubSpot is already sanctioned: ask its owner (Otto) for access." in response.text
    response = mia.post("/review/request", data=_form(name="Mailchimp"), follow_redirects=True)
    assert response.request.path == "/review/mailchimp"
    assert "Requested Mailchimp again: its review is reopened." in response.text
    with web.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tool)) == 3


def test_matches_endpoint_and_the_form_marks(web):
    mia = signed_in(web, "mia@example.com")
    data = mia.get("/review/request/matches?name=HubSpot%20Marketing%20Hub").get_json()
    assert data["matches"][0] | {} == data["matches"][0]
    assert (data["matches"][0]["slug"], data["matches"][0]["status"]) == ("hubspot", "sanctioned")
    assert mia.get("/review/request/matches?name=").get_json() == {"matches": []}
    page = mia.get("/review/request").text
    for field in ("name", "business_owner", "technical_owner"):
        assert f'id="{field}" name="{field}" required' in page or (
            f'name="{field}"' in page and "required" in page
        )
    assert page.count('class="required"') >= 4  # three fields and the legend of the marks
    assert 'class="checks"' in page and "js/request-matches.js" in page
