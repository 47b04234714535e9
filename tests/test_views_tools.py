"""Tool pages: what only tools have (the registration form's checks, the tool page, what a delete
takes with it, list filters, escaping, CSRF).

Create, edit, stale edits, delete and roles: test_register_views.py, for every register.
"""

from __future__ import annotations

import re
import typing as t

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import entities
from tests.accounts import admin_client
from tests.conftest import make_app
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool
from tests.factories import seed
from tests.pages import error_beside
from tests.pages import make_tools
from tests.pages import tool_row
from tests.service_checks import change_keys

VALID = {
    "name": "HubSpot Marketing Hub",
    "vendor": "HubSpot",
    "category": "email-marketing",
    "lifecycle": "requested",
    "website": "https://www.hubspot.com",
    "currency": "EUR",
    "annual_cost": "12000",
    "seats": "15",
    "renewal_date": "2027-03-31",
    "data_classes": ["contact_pii", "campaign_metrics"],
    "dpa_signed": "y",
}


def test_register_tool_writes_tool_and_change_record(app: Flask, client) -> None:
    seed(app, lambda s: make_person(s, email="mia@example.com", department="marketing"))
    response = client.post("/tools/new", data=VALID | {"business_owner": "mia@example.com"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/tools/hubspot-marketing-hub"
    tool = tool_row(app, "hubspot-marketing-hub")
    assert tool is not None and tool.currency == "EUR" and tool.seats == 15
    assert tool.data_classes == ["contact_pii", "campaign_metrics"] and tool.dpa_signed
    assert change_keys(app) == [("create", "hubspot-marketing-hub")]
    page = client.get(response.headers["Location"]).text
    assert "Registered HubSpot Marketing Hub." in page
    assert "Contact PII · personal" in page and "12,000.00 EUR" in page


def test_registration_form_groups_categories_and_orders_owners(app: Flask, client) -> None:
    seed(
        app,
        lambda s: (
            make_person(s, name="Zed IT", email="zed@example.com", department="it"),
            make_person(s, name="Amy Mkt", email="amy@example.com", department="marketing"),
        ),
    )
    html = client.get("/tools/new").text
    assert '<optgroup label="Data">' in html and '<optgroup label="Management">' in html
    business = html[html.index('id="business_owner"') :]
    business = business[: business.index("</select>")]
    assert business.index("amy@example.com") < business.index("zed@example.com")
    technical = html[html.index('id="technical_owner"') :]
    technical = technical[: technical.index("</select>")]
    assert technical.index("zed@example.com") < technical.index("amy@example.com")
    assert 'for="name"' in html and 'id="name"' in html


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"name": ""}, "name", "is required"),
        ({"website": "javascript:alert(1)"}, "website", "must be an http:// or https:// URL"),
        ({"website": "ftp://files.example.com"}, "website", "must be an http:// or https:// URL"),
        ({"category": "not-a-category"}, "category", "unknown category &#39;not-a-category&#39;"),
        ({"annual_cost": "-5"}, "annual_cost", "must not be negative"),
        ({"annual_cost": "lots"}, "annual_cost", "Not a valid decimal value."),
        ({"seats": "many"}, "seats", "Not a valid integer value."),
        ({"renewal_date": "31/03/2027"}, "renewal_date", "Not a valid date value."),
        (
            {"business_owner": "ghost@example.com"},
            "business_owner",
            "no person with e-mail ghost@example.com (register them first)",
        ),
        ({"slug": "Bad Slug"}, "slug", "&#39;Bad Slug&#39; is not a slug"),
        ({"currency": "EURO"}, "currency", "&#39;EURO&#39; is not an ISO 4217 currency code"),
        (
            {"data_classes": ["contact_pii", "gossip"]},
            "data_classes",
            "unknown value &#39;gossip&#39;",
        ),
    ],
)
def test_invalid_registration_shows_message_beside_field_and_writes_nothing(
    app: Flask, client, override: dict, field: str, message: str
) -> None:
    response = client.post("/tools/new", data=VALID | override)
    assert response.status_code == 422
    assert message in error_beside(response.text, field)
    assert "Nothing was saved" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tool)) == 0
    assert change_keys(app) == []


def test_every_problem_is_reported_in_one_round(app: Flask, client) -> None:
    response = client.post(
        "/tools/new",
        data={
            "name": "",
            "seats": "lots",
            "website": "ftp://x",
            "category": "nope",
            "annual_cost": "-3",
            "lifecycle": "requested",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert "is required" in error_beside(html, "name")  # the form's own checks...
    assert "Not a valid integer value." in error_beside(html, "seats")
    assert "http:// or https://" in error_beside(html, "website")  # ...and the service's
    assert "unknown category" in error_beside(html, "category")
    assert "must not be negative" in error_beside(html, "annual_cost")
    assert change_keys(app) == []


def test_duplicate_slug_is_refused_beside_the_slug(app: Flask, client) -> None:
    seed(app, lambda s: make_tool(s, slug="hubspot", name="HubSpot"))
    response = client.post("/tools/new", data=VALID | {"name": "HubSpot"})
    assert response.status_code == 422
    assert "&#39;hubspot&#39; is already used by the tool &#39;HubSpot&#39;" in error_beside(
        response.text, "slug"
    )
    assert change_keys(app) == [("create", "hubspot")]  # the factory's, nothing new


def test_edit_saves_and_records_field_changes_in_history(app: Flask, client) -> None:
    seed(app, lambda s: make_tool(s, slug="canva", name="Canva", category="dam-mrm"))
    form = client.get("/tools/canva/edit").text
    assert (
        'value="1"' in form
        and "readonly" in form[form.index('id="slug"') - 200 : form.index('id="slug"') + 200]
    )
    response = client.post(
        "/tools/canva/edit",
        data={
            "name": "Canva Pro",
            "category": "dam-mrm",
            "lifecycle": "in_review",
            "currency": "USD",
            "version": "1",
            "slug": "hijacked",
        },
    )
    assert response.status_code == 302
    tool = tool_row(app, "canva")
    assert tool is not None and tool.name == "Canva Pro" and tool.lifecycle == "in_review"
    assert tool_row(app, "hijacked") is None  # slugs are stable
    assert change_keys(app) == [("create", "canva"), ("update", "canva")]
    page = client.get("/tools/canva").text
    history = page[page.index("Change history") :]
    assert history.index("update") < history.index("create")  # newest first
    assert re.search(
        r"<th scope=\"row\">name</th><td class=\"before\">Canva</td>"
        r"<td class=\"after\">Canva Pro</td>",
        history,
    )
    assert "admin@example.com" in history  # the signed-in administrator


def _tool_with_everything(session: t.Any) -> None:
    make_tool(session, slug="crm", name="CRM")
    make_tool(session, slug="esp", name="ESP")
    make_tool(session, slug="okta", name="Okta")
    make_flow(session, "crm", "esp", data_classes=["contact_pii"])
    make_dependency(session, "esp", "okta", kind="identity")
    entities.save_sighting(
        session, {"source": "okta", "observed_name": "ESP Web", "tool": "esp"}, actor="test"
    )


def test_delete_confirmation_lists_what_goes_with_the_tool(app: Flask, client) -> None:
    seed(app, _tool_with_everything)
    html = client.get("/tools/esp/delete").text
    assert "1 data flow" in html and "CRM → ESP" in html
    assert "1 dependency" in html and "ESP depends on Okta" in html
    assert "1 sighting become unmatched" in html and "ESP Web" in html


def test_delete_removes_tool_flows_and_dependencies_with_change_records(app: Flask, client) -> None:
    seed(app, _tool_with_everything)
    assert client.get("/tools/esp/delete").status_code == 200
    response = client.post("/tools/esp/delete", data={"version": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/tools"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DataFlow)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Dependency)) == 0
        assert db.session.scalar(sa.select(Sighting.tool_id)) is None
    assert ("delete", "esp") in change_keys(app)
    assert [a for a, _ in change_keys(app, "flow")] == ["create", "delete"]
    assert [a for a, _ in change_keys(app, "dependency")] == ["create", "delete"]


def _list_fixture(session: t.Any) -> None:
    mia, ian, ok = "mia@example.com", "ian@example.com", "sanctioned"
    make_person(session, email=mia, department="marketing")
    make_person(session, email=ian, department="it")
    automation = "marketing-automation-campaign-lead-management"
    pii, content = ["contact_pii"], ["transactional", "content"]
    make_tools(
        session,
        "slug name vendor category lifecycle business_owner technical_owner data_classes"
        " annual_cost",
        ("hubspot", "HubSpot", "HubSpot Inc.", automation, ok, mia, ian, pii, 50000),
        ("looker", "Looker", "Google", "dashboards-data-visualization", ok, mia, None, None, 30000),
        ("canva", "Canva", "Canva", "dam-mrm", "discovered", None, None, None, None),
        ("snowflake", "Snowflake", "Snowflake", "data-warehouse", ok, None, ian, content, 90000),
    )


def listed(client, query: str) -> list[str]:
    html = client.get("/tools" + query).text
    return re.findall(r'<a class="strong" href="/tools/([a-z0-9-]+)">', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["canva", "hubspot", "looker", "snowflake"]),
        ("?q=goog", ["looker"]),
        ("?q=HUB", ["hubspot"]),
        ("?q=%25", []),
        ("?group=data", ["looker", "snowflake"]),
        ("?category=dam-mrm", ["canva"]),
        ("?lifecycle=discovered", ["canva"]),
        ("?owner=ian@example.com", ["hubspot", "snowflake"]),
        ("?owner=MIA@example.com", ["hubspot", "looker"]),
        ("?data_class=contact_pii", ["hubspot"]),
        ("?data_class=content", ["snowflake"]),
        ("?missing_owner=1", ["canva", "looker", "snowflake"]),
        ("?sort=cost", ["snowflake", "hubspot", "looker", "canva"]),
        ("?sort=category", ["canva", "looker", "snowflake", "hubspot"]),
        ("?group=data&missing_owner=1&sort=cost", ["snowflake", "looker"]),
    ],
)
def test_tool_list_search_filters_and_sort(app: Flask, client, query: str, expected: list) -> None:
    seed(app, _list_fixture)
    assert listed(client, query) == expected


def test_tool_list_paginates(tmp_path) -> None:
    app = make_app(tmp_path, PAGE_SIZE=2)
    seed(app, _list_fixture)
    client = admin_client(app)
    assert listed(client, "") == ["canva", "hubspot"]
    page2 = client.get("/tools?page=2").text
    assert "Page 2 of 2" in page2
    assert listed(client, "?page=2") == ["looker", "snowflake"]
    assert listed(client, "?page=2&lifecycle=sanctioned") == ["snowflake"]
    prev = re.search(
        r'rel="prev" href="([^"]+)"', client.get("/tools?page=2&lifecycle=sanctioned").text
    ).group(1)
    assert sorted(prev.split("?")[1].split("&amp;")) == ["lifecycle=sanctioned", "page=1"]
    with app.app_context():
        db.engine.dispose()


def test_tool_page_shows_owners_flows_dependencies_and_add_flow_links(app: Flask, client) -> None:
    seed(app, _tool_with_everything)
    html = client.get("/tools/esp").text
    assert 'href="/flows/new?target=esp"' in html and 'href="/flows/new?source=esp"' in html
    flows_in = html[html.index("Data flows in") : html.index("Depends on")]
    assert 'href="/tools/crm"' in flows_in and "unmanaged" in flows_in
    assert "Okta" in html[html.index("Depends on") : html.index("Depended on by")]
    assert "ESP Web" in html
    assert client.get("/tools/nope").status_code == 404


def test_tool_name_with_markup_is_escaped_everywhere(app: Flask, client) -> None:
    evil = "<script>alert(1)</script>"
    response = client.post(
        "/tools/new",
        data={"name": evil, "slug": "evil", "lifecycle": "requested", "description": evil},
    )
    assert response.status_code == 302
    for url in ("/tools", "/tools/evil", "/tools/evil/edit", "/tools/evil/delete"):
        html = client.get(url).text
        assert evil not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_post_without_csrf_token_is_rejected(tmp_path) -> None:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = admin_client(app)
    response = client.post("/tools/new", data=VALID)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tool)) == 0
    # With the token from the form, the same post goes through.
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/tools/new").text
    ).group(1)
    assert client.post("/tools/new", data=VALID | {"csrf_token": token}).status_code == 302
    with app.app_context():
        db.engine.dispose()
