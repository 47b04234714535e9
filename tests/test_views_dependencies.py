"""Dependency pages: what only dependencies have (the tool page's link prefills the form).

Create, edit, stale edits, delete and roles: test_register_views.py, for every register.
"""

from __future__ import annotations

from flask import Flask

from tests.factories import make_dependency
from tests.factories import make_tool
from tests.pages import changes
from tests.pages import seed
from tests.pages import selected


def tools(s) -> None:
    make_tool(s, slug="segment", name="Segment")
    make_tool(s, slug="okta", name="Okta")


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


def test_dependency_list_filters_by_kind(app: Flask, client) -> None:
    def fixture(s) -> None:
        tools(s)
        make_tool(s, slug="aws", name="AWS")
        make_dependency(s, "segment", "okta", kind="identity")
        make_dependency(s, "segment", "aws", kind="hosting")

    seed(app, fixture)
    hosting = client.get("/dependencies?kind=hosting").text
    assert 'href="/tools/aws"' in hosting and 'href="/tools/okta"' not in hosting
