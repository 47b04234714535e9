"""Above a few hundred tools the whole-stack graph starts as an overview of taxonomy groups."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from catalog.extensions import db
from tests.conftest import make_app
from tests.factories import make_flow
from tests.factories import make_tool


@pytest.fixture
def app(tmp_path: Path, _postgres_schema: None) -> Flask:
    # The threshold is lowered so a handful of tools stands for a large catalog.
    app = make_app(tmp_path, GRAPH_OVERVIEW_TOOLS=3, AUTH_ENABLED=False)
    with app.app_context():
        s = db.session
        make_tool(
            s, slug="crm", name="CRM", category="crm", lifecycle="sanctioned", system_of_record=True
        )
        make_tool(s, slug="mail", name="Mail", category="email-marketing", lifecycle="sanctioned")
        make_tool(
            s,
            slug="quiz",
            name="Quiz",
            category="email-marketing",
            lifecycle="discovered",
            data_classes=["contact_pii"],
        )
        make_tool(s, slug="loose", name="Loose", category=None, lifecycle="sanctioned")
        make_flow(s, "crm", "mail", data_classes=["contact_pii"], managed_by_it=True)
        make_flow(s, "crm", "quiz", mechanism="manual_export", data_classes=["contact_pii"])
        s.commit()
    return app


def test_whole_stack_of_a_large_catalog_is_an_overview_of_groups(app: Flask) -> None:
    page = app.test_client().get("/graph")
    assert page.status_code == 200
    text = page.text
    assert "holds 4 tools, too many to draw one by one" in text
    assert "<svg" in text
    # One box per group, linking to that group's graph; two flows from one group to the other.
    assert 'href="/graph?group=content-experience"' in text
    assert 'href="/graph?group=social-relationships"' in text
    assert "Content &amp; Experience" in text and "2 tools" in text and "1 shadow" in text
    assert "No category" in text
    rows = text.split("<tbody>", 1)[1]
    assert "<td>Content &amp; Experience</td>" not in rows  # rows link to the group
    assert ">Content &amp; Experience</a></td>\n      <td>2</td><td>1</td><td>2</td>" in rows


def test_a_group_or_all_draws_the_tools(app: Flask) -> None:
    client = app.test_client()
    group = client.get("/graph?group=content-experience").text
    assert "too many to draw" not in group and "Quiz" in group and "Mail" in group
    everything = client.get("/graph?all=1").text
    assert "too many to draw" not in everything and "Loose" in everything


def test_small_catalogs_draw_every_tool(tmp_path: Path, _postgres_schema: None) -> None:
    app = make_app(tmp_path, AUTH_ENABLED=False)  # the graph's overview at scale, not permissions
    with app.app_context():
        make_tool(db.session, slug="one", name="One")
        db.session.commit()
    text = app.test_client().get("/graph").text
    assert "too many to draw" not in text and "One" in text


def test_drawing_every_tool_does_not_replace_the_overview(app: Flask) -> None:
    client = app.test_client()
    assert "Loose" in client.get("/graph?all=1").text
    assert "too many to draw" in client.get("/graph").text
