"""Dependency pages: what only dependencies have (the tool page links to them, kinds).

Create, edit, stale edits, delete, prefilled forms and roles: test_register_views.py.
"""

from __future__ import annotations

from flask import Flask

from tests.factories import make_dependency
from tests.factories import seed
from tests.pages import tools


def test_tool_page_links_to_register_a_dependency(app: Flask, client) -> None:
    seed(app, tools("segment", "okta"))
    assert 'href="/dependencies/new?tool=segment"' in client.get("/tools/segment").text


def test_dependency_list_filters_by_kind(app: Flask, client) -> None:
    def fixture(s) -> None:
        tools("segment", "okta", "aws")(s)
        make_dependency(s, "segment", "okta", kind="identity")
        make_dependency(s, "segment", "aws", kind="hosting")

    seed(app, fixture)
    hosting = client.get("/dependencies?kind=hosting").text
    assert 'href="/tools/aws"' in hosting and 'href="/tools/okta"' not in hosting
    assert "Okta" in client.get("/dependencies").text
