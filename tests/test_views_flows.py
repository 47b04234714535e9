"""Data flow pages: prefilled registration, validation beside fields, stale edits, delete."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import DataFlow
from catalog.services import entities
from tests.factories import make_flow
from tests.factories import make_tool
from tests.test_views_tools import changes
from tests.test_views_tools import error_beside
from tests.test_views_tools import seed


def two_tools(s) -> None:
    make_tool(s, slug="shopify", name="Shopify")
    make_tool(s, slug="klaviyo", name="Klaviyo")


def flow_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(DataFlow))


def selected(html: str, field: str) -> str | None:
    """Return the tool a picker (text field) or a select of the form shows as chosen."""
    picker = re.search(rf'<input[^>]*id="{field}"[^>]*>', html)
    if picker:
        value = re.search(r'value="([^"]*)"', picker.group(0))
        return value.group(1) if value and value.group(1) else None
    select = html[html.index(f'id="{field}"') :]
    select = select[: select.index("</select>")]
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select)
    return (match.group(1) or match.group(2)) if match else None


def test_add_flow_links_prefill_the_form(app: Flask, client) -> None:
    seed(app, two_tools)
    assert selected(client.get("/flows/new?source=shopify").text, "source") == "shopify"
    assert selected(client.get("/flows/new?target=klaviyo").text, "target") == "klaviyo"


def test_register_flow_defaults_to_unmanaged_and_records_change(app: Flask, client) -> None:
    seed(app, two_tools)
    response = client.post(
        "/flows/new",
        data={
            "source": "shopify",
            "target": "klaviyo",
            "mechanism": "native_connector",
            "data_classes": ["contact_pii", "transactional"],
            "active": "y",
            "frequency": "hourly",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/tools/shopify"
    with app.app_context():
        flow = db.session.scalar(sa.select(DataFlow))
        assert flow.managed_by_it is False and flow.active is True
        assert flow.data_classes == ["contact_pii", "transactional"]
    assert changes(app, "flow") == [("create", "shopify->klaviyo (native_connector)")]
    listing = client.get("/flows").text
    assert "unmanaged" in listing and 'href="/tools/klaviyo"' in listing


def test_invalid_flows_show_messages_beside_fields(app: Flask, client) -> None:
    seed(app, lambda s: (two_tools(s), make_flow(s, "shopify", "klaviyo", mechanism="api")))
    cases = [
        (
            {"source": "shopify", "target": "shopify", "mechanism": "api"},
            "target",
            "must be a different tool",
        ),
        (
            {"source": "ghost", "target": "klaviyo", "mechanism": "api"},
            "source",
            "no tool with slug &#39;ghost&#39;",
        ),
        (
            {"source": "shopify", "target": "klaviyo", "mechanism": "carrier_pigeon"},
            "mechanism",
            "unknown value &#39;carrier_pigeon&#39;",
        ),
        (
            {"source": "shopify", "target": "klaviyo", "mechanism": "api"},
            "mechanism",
            "a api flow from shopify to klaviyo is already registered",
        ),
        ({"source": "", "target": "klaviyo", "mechanism": "api"}, "source", "is required"),
    ]
    for data, field, message in cases:
        response = client.post("/flows/new", data=data)
        assert response.status_code == 422, data
        assert message in error_beside(response.text, field), data
    assert flow_count(app) == 1
    assert len(changes(app, "flow")) == 1


def test_stale_flow_edit_conflict_then_reapply(app: Flask, client) -> None:
    fid = seed(app, lambda s: (two_tools(s), make_flow(s, "shopify", "klaviyo"))[1].id)
    assert 'value="1"' in client.get(f"/flows/{fid}/edit").text
    seed(
        app,
        lambda s: entities.save_flow(
            s,
            {"source": "shopify", "target": "klaviyo", "mechanism": "api", "managed_by_it": True},
            actor="it@example.com",
            flow=s.get(DataFlow, fid),
            expected_version=1,
        ),
    )
    data = {
        "source": "shopify",
        "target": "klaviyo",
        "mechanism": "api",
        "frequency": "daily",
        "active": "y",
        "version": "1",
    }
    stale = client.post(f"/flows/{fid}/edit", data=data)
    assert stale.status_code == 409 and "This flow changed since you opened it" in stale.text
    assert re.search(
        r'<th scope="row">managed_by_it</th><td class="now">yes</td>'
        r'<td class="yours">no</td>',
        stale.text,
    )
    with app.app_context():
        assert db.session.get(DataFlow, fid).frequency == ""
    assert (
        client.post(
            f"/flows/{fid}/edit", data=data | {"version": "2", "managed_by_it": "y"}
        ).status_code
        == 302
    )
    with app.app_context():
        flow = db.session.get(DataFlow, fid)
        assert flow.frequency == "daily" and flow.managed_by_it is True


def test_delete_flow(app: Flask, client) -> None:
    fid = seed(app, lambda s: (two_tools(s), make_flow(s, "shopify", "klaviyo"))[1].id)
    assert "Delete the flow Shopify → Klaviyo?" in client.get(f"/flows/{fid}/delete").text
    assert client.post(f"/flows/{fid}/delete", data={"version": "7"}).status_code == 409
    assert flow_count(app) == 1
    assert client.post(f"/flows/{fid}/delete", data={"version": "1"}).status_code == 302
    assert flow_count(app) == 0
    assert [a for a, _ in changes(app, "flow")] == ["create", "delete"]
