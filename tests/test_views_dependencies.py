"""Dependency pages: registration, validation beside fields, stale edits, delete."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import Dependency
from catalog.services import entities
from tests.factories import make_dependency
from tests.factories import make_tool
from tests.test_views_flows import selected
from tests.test_views_tools import changes
from tests.test_views_tools import error_beside
from tests.test_views_tools import seed


def tools(s) -> None:
    make_tool(s, slug="segment", name="Segment")
    make_tool(s, slug="okta", name="Okta")


def dep_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Dependency))


def test_register_dependency_from_tool_page_link(app: Flask, client) -> None:
    seed(app, tools)
    assert 'href="/dependencies/new?tool=segment"' in client.get("/tools/segment").text
    assert selected(client.get("/dependencies/new?tool=segment").text, "tool") == "segment"
    response = client.post(
        "/dependencies/new",
        data={"tool": "segment", "depends_on": "okta", "kind": "identity", "description": "SSO"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/tools/segment"
    assert changes(app, "dependency") == [("create", "segment->okta")]
    assert "Okta" in client.get("/dependencies").text


def test_invalid_dependencies_show_messages_beside_fields(app: Flask, client) -> None:
    seed(app, lambda s: (tools(s), make_dependency(s, "segment", "okta")))
    cases = [
        (
            {"tool": "okta", "depends_on": "okta", "kind": "data"},
            "depends_on",
            "must be a different tool",
        ),
        (
            {"tool": "segment", "depends_on": "okta", "kind": "data"},
            "depends_on",
            "segment already depends on okta",
        ),
        (
            {"tool": "okta", "depends_on": "segment", "kind": "friendship"},
            "kind",
            "unknown value &#39;friendship&#39;",
        ),
        (
            {"tool": "nope", "depends_on": "segment", "kind": "data"},
            "tool",
            "no tool with slug &#39;nope&#39;",
        ),
    ]
    for data, field, message in cases:
        response = client.post("/dependencies/new", data=data)
        assert response.status_code == 422, data
        assert message in error_beside(response.text, field), data
    assert dep_count(app) == 1 and len(changes(app, "dependency")) == 1


def test_stale_dependency_edit_and_delete(app: Flask, client) -> None:
    did = seed(app, lambda s: (tools(s), make_dependency(s, "segment", "okta"))[1].id)
    seed(
        app,
        lambda s: entities.save_dependency(
            s,
            {"tool": "segment", "depends_on": "okta", "kind": "identity"},
            actor="it@example.com",
            dependency=s.get(Dependency, did),
            expected_version=1,
        ),
    )
    stale = client.post(
        f"/dependencies/{did}/edit",
        data={"tool": "segment", "depends_on": "okta", "kind": "hosting", "version": "1"},
    )
    assert stale.status_code == 409
    assert '<td class="now">identity</td><td class="yours">hosting</td>' in stale.text
    with app.app_context():
        assert db.session.get(Dependency, did).kind == "identity"
    assert client.post(f"/dependencies/{did}/delete", data={"version": "1"}).status_code == 409
    assert dep_count(app) == 1
    assert client.post(f"/dependencies/{did}/delete", data={"version": "2"}).status_code == 302
    assert dep_count(app) == 0
    assert [a for a, _ in changes(app, "dependency")] == ["create", "update", "delete"]
