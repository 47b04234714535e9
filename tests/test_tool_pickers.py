"""Tool pickers: suggestions from the fuzzy search, and typed names that work without script."""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Tool
from tests.accounts import auth_app
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool
from tests.pages import page_text


def seed(app: Flask) -> None:
    with app.app_context():
        make_person(db.session, email="ivan@example.com", name="Ivan", department="it")
        hubspot = {"slug": "hubspot", "name": "HubSpot Marketing Hub", "category": "crm"}
        make_tool(db.session, **hubspot, lifecycle="sanctioned")
        make_tool(db.session, slug="mailchimp", name="Mailchimp", lifecycle="sanctioned")
        make_tool(
            db.session,
            slug="typeform",
            name="Typeform",
            lifecycle="discovered",
            data_classes=["contact_pii"],
        )
        make_flow(db.session, "typeform", "mailchimp", data_classes=["contact_pii"])
        db.session.commit()


def test_suggest_returns_the_best_matches_as_slug_and_name(app: Flask, client: t.Any) -> None:
    seed(app)
    response = client.get("/api/v1/tools/suggest?q=hubsopt")
    assert response.status_code == 200
    assert response.get_json() == [{"slug": "hubspot", "name": "HubSpot Marketing Hub"}]
    assert client.get("/api/v1/tools/suggest?q=").get_json() == []
    assert client.get("/api/v1/tools/suggest?q=crm&limit=abc").get_json() == [
        {"slug": "hubspot", "name": "HubSpot Marketing Hub"}
    ]
    many = client.get("/api/v1/tools/suggest?q=m&limit=1").get_json()
    assert len(many) == 1


def test_suggest_needs_sign_in(tmp_path: Path) -> None:
    app = auth_app(tmp_path)
    seed(app)
    assert app.test_client().get("/api/v1/tools/suggest?q=hub").status_code == 401


def test_pickers_replace_selects_of_every_tool(app: Flask, client: t.Any) -> None:
    seed(app)
    for path, names in [
        ("/graph", ("focus", "blast")),
        ("/flows/new", ("source", "target")),
        ("/dependencies/new", ("tool", "depends_on")),
        ("/audit", ("tool",)),
        ("/review/request", ("sources",)),
        ("/imports/triage", ("into",)),
    ]:
        html = client.get(path).text
        for name in names:
            assert re.search(
                rf'<input[^>]*name="{name}"[^>]*data-suggest="/api/v1/tools/suggest"'
                rf'|<input[^>]*data-suggest="/api/v1/tools/suggest"[^>]*'
                rf'name="{name}"',
                html,
            ), (path, name)
        assert '<option value="mailchimp"' not in html, path
        assert "/static/js/tool-picker.js" in html


def test_typed_names_resolve_to_slugs_without_script(app: Flask, client: t.Any) -> None:
    seed(app)
    page = page_text(client, "/graph?focus=HubSpot+Marketing+Hub")
    assert 'id="focus" name="focus" value="hubspot"' in page
    assert "There is no tool" in page_text(client, "/graph?focus=Nothing+Like+It", 404)

    response = client.post(
        "/flows/new",
        data={"source": "hubspot marketing hub", "target": "Mailchimp", "mechanism": "api"},
    )
    assert response.status_code == 302
    response = client.post(
        "/dependencies/new", data={"tool": "Mailchimp", "depends_on": "hubspot", "kind": "data"}
    )
    assert response.status_code == 302
    with app.app_context():
        flow = db.session.scalar(
            sa.select(DataFlow).join(DataFlow.source).where(Tool.slug == "hubspot")
        )
        assert flow is not None and flow.target.slug == "mailchimp"
        dep = db.session.scalar(sa.select(Dependency))
        assert (dep.tool.slug, dep.depends_on.slug) == ("mailchimp", "hubspot")

    refused = client.post(
        "/flows/new", data={"source": "Nope", "target": "Mailchimp", "mechanism": "api"}
    )
    assert refused.status_code in (400, 422)
    assert "no tool with slug &#39;Nope&#39; (nor with that exact name)" in refused.text

    audit = client.get("/audit?tool=Typeform").text
    assert 'id="tool" name="tool" value="typeform"' in audit


def test_triage_merge_target_accepts_a_typed_name(app: Flask, client: t.Any) -> None:
    seed(app)
    assert "Mailchimp" in page_text(client, "/imports/triage/typeform/merge?into=Mailchimp")
    page = client.get("/imports/triage/typeform/merge?into=Mailchmp+Pro", follow_redirects=True)
    assert "no tool with the slug or name &#39;Mailchmp Pro&#39;" in page.text
