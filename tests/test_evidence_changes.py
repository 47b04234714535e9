"""The whole change log at /changes, and a deleted tool's history at its old address."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import ToolAlias
from catalog.services import entities
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool


def keys_on(html: str) -> list[str]:
    return re.findall(r'<tr id="change-(\d+)"', html)


def seed(app: Flask) -> None:
    with app.app_context():
        ana = make_person(db.session, email="ana@example.com", name="Ana")
        make_tool(
            db.session,
            slug="typeform",
            name="Typeform",
            business_owner=ana.email,
            lifecycle="discovered",
        )
        make_tool(db.session, slug="mailchimp", name="Mailchimp")
        make_flow(
            db.session, "typeform", "mailchimp", mechanism="ipaas", data_classes=["contact_pii"]
        )
        db.session.add(
            ToolAlias(
                tool=entities.tool_by_slug(db.session, "typeform"),
                source="okta",
                value="0oa-typeform",
            )
        )
        db.session.commit()


def test_deleting_a_tool_lists_what_goes_and_keeps_its_history_readable(app, client):
    seed(app)
    page = client.get("/tools/typeform/delete")
    assert "Typeform → Mailchimp" in page.text
    assert "<code>okta:0oa-typeform</code>" in page.text  # the alias that stops matching
    version = re.search(r'name="version"[^>]*value="(\d+)"', page.text).group(1)
    done = client.post("/tools/typeform/delete", data={"version": version})
    assert done.status_code == 302

    gone = client.get("/tools/typeform")
    assert gone.status_code == 410
    assert "This tool no longer exists" in gone.text and "deleted" in gone.text
    assert "<h1>Typeform" in gone.text  # its name, from its history
    assert "/changes?type=tool&amp;key=typeform" in gone.text
    assert client.get("/tools/never-was").status_code == 404

    log = client.get("/changes?type=tool&key=typeform")
    assert log.status_code == 200
    assert "Deleted." in log.text and "deleted\n    by admin@example.com" in log.text
    assert len(keys_on(log.text)) == 2  # create, delete
    alias = client.get("/changes?type=alias&action=delete")
    assert "okta:0oa-typeform" in alias.text  # the cascade is recorded
    flow = client.get("/changes?type=flow&q=typeform-%3Email")
    assert len(keys_on(flow.text)) == 2  # the flow's create and delete


def test_a_deleted_person_keeps_a_readable_history(app, client):
    seed(app)
    with app.app_context():
        entities.delete_person(
            db.session,
            entities.person_by_email(db.session, "ana@example.com"),
            actor="admin@example.com",
        )
        db.session.commit()
    log = client.get("/changes?type=person&key=ana@example.com")
    assert "Deleted." in log.text and "by admin@example.com" in log.text
    assert len(keys_on(log.text)) == 2
    # The tool Ana owned lost its owner, recorded on the tool.
    assert "ana@example.com" in client.get("/changes?type=tool&key=typeform&action=update").text


def test_filters_newest_first_dates_and_pagination(app, client):
    seed(app)
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count(ChangeRecord.id)))
        newest = db.session.scalar(sa.select(sa.func.max(ChangeRecord.id)))
    page = client.get("/changes")
    ids = [int(i) for i in keys_on(page.text)]
    assert ids[0] == newest and ids == sorted(ids, reverse=True) and len(ids) == total
    assert len(keys_on(client.get("/changes?actor=test").text)) == total
    assert keys_on(client.get("/changes?actor=nobody").text) == []
    assert len(keys_on(client.get("/changes?type=person").text)) == 1

    today = date.today()
    assert len(keys_on(client.get(f"/changes?since={today}&until={today}").text)) == total
    tomorrow = today + timedelta(days=1)
    assert keys_on(client.get(f"/changes?since={tomorrow}").text) == []
    bad = client.get("/changes?since=2026-13-01")
    assert bad.status_code == 400 and "From &#39;2026-13-01&#39; is not a date" in bad.text
    backwards = client.get(f"/changes?since={today}&until={today - timedelta(days=3)}")
    assert backwards.status_code == 400 and "is before From" in backwards.text
    assert client.get("/changes.csv?until=nope").status_code == 400

    with app.app_context():
        for n in range(30):
            make_tool(db.session, slug=f"bulk-{n}", name=f"Bulk {n}")
        db.session.commit()
    first = client.get("/changes?type=tool&action=create")
    assert len(keys_on(first.text)) == 25 and "Page 1 of 2" in first.text
    second = client.get("/changes?type=tool&action=create&page=2")
    assert len(keys_on(second.text)) == 2 + 30 - 25
    assert not set(keys_on(first.text)) & set(keys_on(second.text))


def test_csv_export_has_every_matching_record_with_formulas_defused(app, client):
    with app.app_context():
        make_person(db.session, email="=cmd|calc@example.com", name="+SUM(A1)")
        make_tool(db.session, slug="hubspot", name="HubSpot")
        db.session.commit()
    response = client.get("/changes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == "id at actor action object_type object_key before after request_id".split()
    # (the signed-in administrator's own account record comes with them; admins see those)
    rows = [row for row in table[1:] if row[4] != "user"]
    assert [row[5] for row in rows] == ["hubspot", "'=cmd|calc@example.com"]
    assert '"name": "+SUM(A1)"' in rows[1][7]  # inside JSON text, which starts with {
    only = list(csv.reader(io.StringIO(client.get("/changes.csv?type=tool").text)))
    assert [row[5] for row in only[1:]] == ["hubspot"]


def test_viewers_read_the_log_but_only_admins_see_account_records(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    try:
        add_user(app, "viewer@example.com", "viewer")
        add_user(app, "boss@example.com", "admin")
        seed(app)
        viewer = signed_in(app, "viewer@example.com")
        page = viewer.get("/changes")
        assert page.status_code == 200
        assert ">typeform</a>" in page.text and "viewer@example.com</a></td>" not in page.text
        assert 'href="/changes"' in page.text  # in the navigation
        assert "boss@example.com" not in viewer.get("/changes.csv").text
        assert "boss@example.com" not in viewer.get("/changes?type=user").text
        admin = signed_in(app, "boss@example.com")
        assert "boss@example.com" in admin.get("/changes?type=user").text
    finally:
        with app.app_context():
            db.engine.dispose()
