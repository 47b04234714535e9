"""An administrator extends the taxonomy; every place that knows categories sees the additions."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from catalog import taxonomy
from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.services import taxonomy as taxonomy_service
from catalog.services.records import ValidationError
from tests.accounts import admin_client
from tests.conftest import make_app
from tests.factories import make_tool


@pytest.fixture(autouse=True)
def _shipped_taxonomy():
    """Leave the process-wide registry as shipped for the next test, whatever this one added."""
    yield
    taxonomy.reset()


def _add(client, name, group="content-experience"):
    return client.post("/admin/taxonomy/categories", data={"name": name, "group": group})


def _entry_id(app, kind, key):
    with app.app_context():
        entry = next(
            e for e in taxonomy_service.entries(db.session) if e.kind == kind and e.key == key
        )
        return entry.id


def _refused(client, url, data):
    """Post `data` to `url`, check the change is refused (400), and return the page."""
    response = client.post(url, data=data)
    assert response.status_code == 400
    return response.text


def _chatbots_used_by(app, client, *slugs):
    """Add the subcategory Chatbots, register a tool in it per slug; return its entry's id."""
    _add(client, "Chatbots")
    with app.app_context():
        for slug in slugs:
            make_tool(db.session, slug=slug, category="chatbots")
        db.session.commit()
    return _entry_id(app, "category", "chatbots")


def test_added_category_is_offered_in_the_tool_form_and_accepted(app, client):
    response = _add(client, "Conversational AI & chatbots")
    assert response.status_code == 303
    page = client.get("/admin/taxonomy").text
    assert "Category &#39;Conversational AI &amp; chatbots&#39; added" in page
    assert "<code>conversational-ai-chatbots</code>" in page
    form = client.get("/tools/new").text
    group = re.search(r'<optgroup label="Content &amp; Experience">(.*?)</optgroup>', form, re.S)
    assert group and 'value="conversational-ai-chatbots"' in group.group(1)
    drift = {"name": "Drift", "category": "conversational-ai-chatbots", "lifecycle": "requested"}
    response = client.post("/tools/new", data=drift | {"currency": "USD"})
    assert response.status_code == 302
    with app.app_context():
        tool = db.session.scalar(sa.select(Tool).where(Tool.slug == "drift"))
        assert tool.category == "conversational-ai-chatbots"
        change = db.session.scalar(
            sa.select(ChangeRecord).where(ChangeRecord.object_type == "taxonomy")
        )
        assert (change.action, change.object_key) == (
            "create",
            "category:conversational-ai-chatbots",
        )
        assert change.after == {
            "kind": "category",
            "key": "conversational-ai-chatbots",
            "name": "Conversational AI & chatbots",
            "retired": False,
            "group": "content-experience",
        }
    detail = client.get("/tools/drift").text
    assert "Content &amp; Experience › Conversational AI &amp; chatbots" in detail
    listing = client.get("/tools?group=content-experience").text
    assert 'href="/tools/drift"' in listing


@pytest.mark.parametrize(
    ("name", "group", "message"),
    [
        ("CRM", "data", "name: the category &#39;CRM&#39; already has the key &#39;crm&#39;"),
        ("  ", "data", "name: is required"),
        ("&&&", "data", "name: must contain a letter or a digit"),
        ("Chatbots", "no-such-group", "group: unknown group &#39;no-such-group&#39;"),
    ],
)
def test_bad_addition_is_refused_with_a_message(app, client, name, group, message):
    response = _add(client, name, group)
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        assert taxonomy_service.entries(db.session) == []


def test_bundle_with_a_custom_key_needs_the_addition_in_the_target_catalog(app, client, tmp_path):
    bundle = {"tools": [{"slug": "drift", "name": "Drift", "category": "chatbots"}]}
    response = client.post("/api/v1/bundle", json=bundle)
    assert response.status_code == 400
    assert response.json["record"] == "tools[0] (slug='drift', name='Drift')"
    assert response.json["fields"] == {"category": "unknown category 'chatbots'"}
    assert _add(client, "Chatbots", "social-relationships").status_code == 303
    response = client.post("/api/v1/bundle", json=bundle)
    assert response.status_code == 200
    exported = client.get("/api/v1/bundle").json
    assert exported["tools"][0]["category"] == "chatbots"
    assert set(exported) == {"people", "tools", "flows", "dependencies", "sightings"}
    # Additions do not travel with the bundle: a catalog without them refuses it, naming it.
    (tmp_path / "other").mkdir()
    other = make_app(tmp_path / "other")
    taxonomy.reset()
    response = admin_client(other).post("/api/v1/bundle", json=exported)
    assert response.status_code == 400
    assert response.json["fields"] == {"category": "unknown category 'chatbots'"}
    with other.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tool)) == 0
        db.engine.dispose()


def test_bundle_import_outside_a_request_sees_additions(app, session):
    # As `martech import bundle` does: no request ran, so no per-request sync either.
    from catalog.services import bundle

    taxonomy_service.add_category(session, name="Chatbots", group="data", actor="test")
    session.commit()
    taxonomy.reset()
    summary = bundle.import_bundle(
        session,
        {"tools": [{"slug": "drift", "name": "Drift", "category": "chatbots"}]},
        actor="test",
    )
    assert summary["tools"]["created"] == 1


def test_a_change_made_by_another_process_is_seen_on_the_next_request(app, client):
    with app.app_context():
        taxonomy_service.add_category(db.session, name="Chatbots", group="data", actor="cli")
        db.session.commit()
    assert "chatbots" not in taxonomy.CATEGORIES  # the service never touches the live registry
    assert 'value="chatbots"' in client.get("/tools/new").text
    with app.app_context():
        entry = taxonomy_service.entries(db.session)[0]
        taxonomy_service.rename(db.session, entry, name="Chat & bots", actor="cli")
        db.session.commit()
    assert ">Chat &amp; bots</option>" in client.get("/tools/new").text


def test_rename_keeps_the_key_and_the_tools(app, client):
    entry_id = _chatbots_used_by(app, client, "drift")
    response = client.post(f"/admin/taxonomy/{entry_id}/rename", data={"name": "Chat assistants"})
    assert response.status_code == 303
    assert "Content &amp; Experience › Chat assistants" in client.get("/tools/drift").text
    page = _refused(client, f"/admin/taxonomy/{entry_id}/rename", {"name": "EMAIL  marketing"})
    assert (
        "chatbots: name: &#39;EMAIL marketing&#39; reads the same as the category "
        "&#39;Email marketing&#39;"
    ) in page


def test_retiring_is_refused_while_tools_use_the_category(app, client):
    entry_id = _chatbots_used_by(app, client, "drift", "intercom")
    page = _refused(client, f"/admin/taxonomy/{entry_id}/retire", {"active": "0"})
    assert (
        "Chatbots: retired: 2 tools still use it (drift, intercom); move them to another "
        "category first"
    ) in page
    with app.app_context():
        for slug in ("drift", "intercom"):
            tool = db.session.scalar(sa.select(Tool).where(Tool.slug == slug))
            raw = records.tool_record(tool) | {"category": "seo"}
            entities.save_tool(db.session, raw, actor="test", tool=tool)
        db.session.commit()
    response = client.post(f"/admin/taxonomy/{entry_id}/retire", data={"active": "0"})
    assert response.status_code == 303
    assert 'value="chatbots"' not in client.get("/tools/new").text
    with pytest.raises(ValidationError) as caught:
        records.clean(records.TOOL_FIELDS, {"name": "X", "category": "chatbots"})
    assert caught.value.errors == {"category": "unknown category 'chatbots'"}
    # The key stays reserved: adding the same name again says to restore it.
    response = _add(client, "Chatbots")
    assert "already has the key &#39;chatbots&#39; (retired; restore it instead)" in response.text
    assert (
        client.post(f"/admin/taxonomy/{entry_id}/retire", data={"active": "1"}).status_code == 303
    )
    assert 'value="chatbots"' in client.get("/tools/new").text


def test_new_group_clusters_its_tools_in_the_graph_and_filters_the_list(app, client):
    assert client.post("/admin/taxonomy/groups", data={"name": "Martech Ops"}).status_code == 303
    assert _add(client, "Stack governance", "martech-ops").status_code == 303
    with app.app_context():
        for slug, category in ("zylo", "stack-governance"), ("mailchimp", "email-marketing"):
            make_tool(
                db.session, slug=slug, name=slug.title(), category=category, lifecycle="sanctioned"
            )
        db.session.commit()
    dot = client.get("/graph?format=dot").text
    clusters = re.findall(r"subgraph cluster_\d+ \{(.*?)\n\t\}", dot, re.S)
    ops = [c for c in clusters if 'label="Martech Ops"' in c]
    assert len(ops) == 1 and "Zylo" in ops[0] and "Mailchimp" not in ops[0]
    listing = client.get("/tools?group=martech-ops").text
    assert 'href="/tools/zylo"' in listing and 'href="/tools/mailchimp"' not in listing
    assert '<option value="martech-ops"' in listing
    # A group with categories in it cannot be retired.
    group_id = _entry_id(app, "group", "martech-ops")
    page = _refused(client, f"/admin/taxonomy/{group_id}/retire", {"active": "0"})
    assert "Martech Ops: retired: it still has categories (Stack governance)" in page


def test_redundant_tools_sees_a_custom_category(app, client):
    _add(client, "Chatbots", "social-relationships")
    with app.app_context():
        for slug, cost in (("drift", 100), ("intercom", 200)):
            make_tool(
                db.session,
                slug=slug,
                name=slug.title(),
                category="chatbots",
                lifecycle="sanctioned",
                annual_cost=cost,
            )
        db.session.commit()
    findings = client.get("/audit.json").json["findings"]
    redundant = [f for f in findings if f["rule"] == "REDUNDANT_TOOLS"]
    assert [(f["subject"], f["message"][:40]) for f in redundant] == [
        ({"type": "category", "key": "chatbots"}, "2 tools in use for Chatbots: Drift and I")
    ]


def test_additions_do_not_outlive_their_catalog(app, client, tmp_path):
    _add(client, "Chatbots")
    assert "chatbots" in taxonomy.CATEGORIES
    (tmp_path / "fresh").mkdir()
    other = make_app(tmp_path / "fresh")
    other.test_client().get("/tools")  # a request on another database reloads the registry
    assert "chatbots" not in taxonomy.CATEGORIES
    with other.app_context():
        db.engine.dispose()
