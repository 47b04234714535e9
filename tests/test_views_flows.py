"""Data flow pages: what only flows have (unmanaged by default, the list's filters).

Create, edit, stale edits, delete, prefilled forms and roles: test_register_views.py.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import DataFlow
from tests.factories import make_flow
from tests.factories import seed
from tests.pages import selected
from tests.pages import tools
from tests.service_checks import change_keys


def test_register_flow_defaults_to_unmanaged_and_records_change(app: Flask, client) -> None:
    seed(app, tools("shopify", "klaviyo"))
    assert selected(client.get("/flows/new?target=klaviyo").text, "target") == "klaviyo"
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
    assert "Registered the flow Shopify → Klaviyo." in client.get("/tools/shopify").text
    with app.app_context():
        flow = db.session.scalar(sa.select(DataFlow))
        assert flow.managed_by_it is False and flow.active is True
        assert flow.data_classes == ["contact_pii", "transactional"]
    assert change_keys(app, "flow") == [("create", "shopify->klaviyo (native_connector)")]
    listing = client.get("/flows").text
    assert "unmanaged" in listing and 'href="/tools/klaviyo"' in listing


def test_flow_list_filters_by_tool_and_unmanaged(app: Flask, client) -> None:
    def fixture(s) -> None:
        tools("shopify", "klaviyo", "looker")(s)
        make_flow(s, "shopify", "klaviyo")
        make_flow(s, "klaviyo", "looker", managed_by_it=True)

    seed(app, fixture)
    assert client.get("/flows?tool=looker").text.count('class="row-actions"') == 1
    assert client.get("/flows?tool=klaviyo").text.count('class="row-actions"') == 2
    unmanaged = client.get("/flows?unmanaged=1").text
    assert 'href="/tools/shopify"' in unmanaged and 'href="/tools/looker"' not in unmanaged


def test_the_mechanism_choices_read_as_words(client) -> None:
    """The form offers "API", "iPaaS" and "Reverse ETL", not "Api", "Ipaas", "Reverse etl"."""
    page = client.get("/flows/new").text
    offered = re.findall(r'<option value="([a-z_]+)">([^<]+)</option>', page)
    assert ("api", "API") in offered
    assert ("ipaas", "iPaaS") in offered
    assert ("reverse_etl", "Reverse ETL") in offered
    assert ("native_connector", "Native connector") in offered
