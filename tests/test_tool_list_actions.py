"""Saved views (per user) and IT's bulk actions on the tool list: all or nothing, recorded."""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import SavedView
from catalog.models import Tool
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.factories import make_person
from tests.pages import make_tools


def setup(tmp_path: Path) -> Flask:
    app = auth_app(tmp_path)
    add_user(app, "ivy@example.com", "it")
    add_user(app, "max@example.com", "marketing")
    with app.app_context():
        make_person(db.session, email="jenna@example.com", name="Jenna Brooks")
        make_person(db.session, email="omar@example.com", name="Omar Haddad", department="it")
        make_tools(
            db.session,
            "slug name category lifecycle",
            ("hubspot", "HubSpot", "crm", "requested"),
            ("klaviyo", "Klaviyo", "email-marketing", "requested"),
            ("zoom", "Zoom", "events-meetings-webinars", "sanctioned"),
        )
        db.session.commit()
    return app


def records(app: Flask, object_type: str) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            tuple(r)
            for r in db.session.execute(
                sa.select(ChangeRecord.action, ChangeRecord.object_key)
                .where(ChangeRecord.object_type == object_type)
                .order_by(ChangeRecord.id)
            )
        ]


def tools(app: Flask) -> dict[str, dict[str, t.Any]]:
    with app.app_context():
        return {
            tool.slug: {
                "lifecycle": tool.lifecycle,
                "category": tool.category,
                "business": tool.business_owner.email if tool.business_owner else None,
                "version": tool.version,
            }
            for tool in db.session.scalars(sa.select(Tool))
        }


def test_saved_views_are_per_user_recorded_and_deletable(tmp_path: Path) -> None:
    app = setup(tmp_path)
    max_ = signed_in(app, "max@example.com")
    page = max_.get("/tools").text
    assert "My saved views" in page and "None yet" in page
    response = max_.post(
        "/tool-list/views",
        data={
            "name": "CRM requests",
            "q": "crm",
            "lifecycle": "requested",
            "page": "3",
            "junk": "x",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tools?q=crm&lifecycle=requested")
    page = max_.get("/tools").text
    assert '<a href="/tools?q=crm&amp;lifecycle=requested">CRM requests</a>' in page
    assert records(app, "saved_view") == [("create", "max@example.com:CRM requests")]

    # Another user does not see it, and cannot delete it.
    ivy = signed_in(app, "ivy@example.com")
    assert "CRM requests" not in ivy.get("/tools").text
    with app.app_context():
        view_id = db.session.scalar(sa.select(SavedView.id))
    assert ivy.post(f"/tool-list/views/{view_id}/delete").status_code == 404

    # A nameless view is refused with a message; nothing saved.
    response = max_.post(
        "/tool-list/views", data={"name": "  ", "q": "zoom"}, follow_redirects=True
    )
    assert "View not saved: give the view a name." in response.text
    assert len(records(app, "saved_view")) == 1

    response = max_.post(f"/tool-list/views/{view_id}/delete", follow_redirects=True)
    assert "Deleted the view “CRM requests”." in response.text
    assert "CRM requests</a>" not in response.text
    assert records(app, "saved_view")[-1] == ("delete", "max@example.com:CRM requests")


def bulk(client: t.Any, app: Flask, action: str, slugs: list[str], **values: str) -> t.Any:
    current = tools(app)
    data: dict[str, t.Any] = {"action": action, "tools": slugs} | values
    for slug in slugs:
        if slug in current:
            data[f"version-{slug}"] = str(current[slug]["version"])
    return client.post("/tool-list/bulk", data=data, follow_redirects=True)


def test_bulk_assign_owners_and_category_one_record_per_tool(tmp_path: Path) -> None:
    app = setup(tmp_path)
    ivy = signed_in(app, "ivy@example.com")
    assert 'name="tools" value="hubspot"' in ivy.get("/tools").text
    before = len(records(app, "tool"))
    response = bulk(ivy, app, "owners", ["hubspot", "klaviyo"], business_owner="jenna@example.com")
    assert "Assign owners: done for 2 tools (HubSpot, Klaviyo)." in response.text
    state = tools(app)
    assert state["hubspot"]["business"] == state["klaviyo"]["business"] == "jenna@example.com"
    assert state["zoom"]["business"] is None
    assert records(app, "tool")[before:] == [("update", "hubspot"), ("update", "klaviyo")]

    response = bulk(ivy, app, "category", ["zoom", "klaviyo"], category="crm")
    assert "Change category: done for 2 tools" in response.text
    assert tools(app)["zoom"]["category"] == "crm"


def test_bulk_is_all_or_nothing_and_names_the_tool_and_field(tmp_path: Path) -> None:
    app = setup(tmp_path)
    ivy = signed_in(app, "ivy@example.com")
    before, changes = tools(app), len(records(app, "tool"))

    # Zoom is sanctioned: it cannot be put in review, so HubSpot is not either.
    response = bulk(ivy, app, "review", ["hubspot", "zoom"])
    assert "Nothing changed: Zoom: lifecycle: Zoom is sanctioned" in response.text
    assert tools(app) == before and len(records(app, "tool")) == changes

    response = bulk(ivy, app, "category", ["hubspot", "zoom"], category="no-such-thing")
    assert "Nothing changed: HubSpot: category: unknown category" in response.text
    assert tools(app) == before

    # A tool edited since the list was shown is a conflict, named.
    data = {
        "action": "category",
        "tools": ["hubspot", "klaviyo"],
        "category": "crm",
        "version-hubspot": str(before["hubspot"]["version"]),
        "version-klaviyo": str(before["klaviyo"]["version"] - 1),
    }
    response = ivy.post("/tool-list/bulk", data=data, follow_redirects=True)
    assert "Nothing changed: Klaviyo: version: someone changed this tool" in response.text
    assert tools(app) == before

    response = bulk(ivy, app, "review", ["hubspot", "klaviyo"])
    assert "Start review: done for 2 tools" in response.text
    state = tools(app)
    assert state["hubspot"]["lifecycle"] == state["klaviyo"]["lifecycle"] == "in_review"
    assert len(records(app, "tool")) == changes + 2


def test_bulk_actions_are_for_it(tmp_path: Path) -> None:
    app = setup(tmp_path)
    max_ = signed_in(app, "max@example.com")
    html = max_.get("/tools").text
    assert 'name="tools"' not in html and 'id="bulk"' not in html
    response = max_.post("/tool-list/bulk", data={"action": "review", "tools": ["hubspot"]})
    assert response.status_code == 403
    assert tools(app)["hubspot"]["lifecycle"] == "requested"


def test_bulk_form_keeps_the_filters(tmp_path: Path) -> None:
    app = setup(tmp_path)
    ivy = signed_in(app, "ivy@example.com")
    response = ivy.post(
        "/tool-list/bulk", data={"action": "review", "tools": ["hubspot"], "lifecycle": "requested"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/tools?lifecycle=requested")
    html = ivy.get("/tools?lifecycle=requested").text
    assert re.search(r'<form id="bulk"[^>]*>.*?name="lifecycle" value="requested"', html, re.S)
