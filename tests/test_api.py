"""The JSON API: bundle round trip and all-or-nothing import, ETag/If-Match concurrency, errors."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import Tool
from tests.accounts import admin_client
from tests.conftest import make_app
from tests.factories import BUNDLE_PEOPLE
from tests.factories import make_person
from tests.factories import make_tool
from tests.factories import seed
from tests.service_checks import change_keys

BUNDLE = {
    "people": BUNDLE_PEOPLE,
    "tools": [
        {
            "slug": "hubspot",
            "name": "HubSpot",
            "category": "email-marketing",
            "lifecycle": "sanctioned",
            "business_owner": "mia@example.com",
            "technical_owner": "ian@example.com",
            "data_classes": ["contact_pii"],
            "annual_cost": 50000.5,
            "renewal_date": "2027-01-31",
        },
        {
            "slug": "snowflake",
            "name": "Snowflake",
            "category": "data-warehouse",
            "system_of_record": True,
        },
    ],
    "flows": [
        {
            "source": "hubspot",
            "target": "snowflake",
            "mechanism": "reverse_etl",
            "data_classes": ["contact_pii"],
            "managed_by_it": True,
        }
    ],
    "dependencies": [{"tool": "hubspot", "depends_on": "snowflake", "kind": "data"}],
    "sightings": [{"source": "okta", "observed_name": "HubSpot", "tool": "hubspot", "users": 4}],
}


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        tools = db.session.scalar(sa.select(sa.func.count()).select_from(Tool))
        records = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ChangeRecord)
            .where(ChangeRecord.object_type != "user")
        )  # not the signed-in test administrator
        return tools, records


def test_bundle_round_trip(app: Flask, client, tmp_path) -> None:
    # Its sanctioned tools are registered as pre-existing estate, explicitly.
    response = client.post("/api/v1/bundle", json=BUNDLE)
    assert response.status_code == 403
    assert "register it explicitly as pre-existing estate" in response.json["error"]
    response = client.post("/api/v1/bundle?estate_reason=running+stack", json=BUNDLE)
    assert response.status_code == 200
    assert response.json["summary"]["tools"] == {"created": 2, "updated": 0, "unchanged": 0}
    exported = client.get("/api/v1/bundle").json
    assert exported["tools"][0]["annual_cost"] == 50000.5
    assert exported["flows"][0]["managed_by_it"] is True
    # Into an empty catalog (on PostgreSQL: the same database, emptied), the export
    # reproduces itself exactly.
    (tmp_path / "other").mkdir()
    other = make_app(tmp_path / "other")
    other_client = admin_client(other)
    assert (
        other_client.post("/api/v1/bundle?estate_reason=restore", json=exported).status_code == 200
    )
    assert other_client.get("/api/v1/bundle").json == exported
    # Importing it again changes nothing.
    again = other_client.post("/api/v1/bundle", json=exported).json["summary"]
    assert all(s["created"] == s["updated"] == 0 for s in again.values())
    with other.app_context():
        db.engine.dispose()


def test_bad_bundle_is_rejected_whole_naming_record_and_field(app: Flask, client) -> None:
    bad = json.loads(json.dumps(BUNDLE))
    bad["tools"].append({"slug": "x", "name": "X", "website": "javascript:alert(1)"})
    response = client.post("/api/v1/bundle?estate_reason=running+stack", json=bad)
    assert response.status_code == 400
    body = response.json
    assert body["record"] == "tools[2] (slug='x', name='X')"
    assert body["fields"] == {"website": "must be an http:// or https:// URL"}
    assert counts(app) == (0, 0)  # the valid records before it were rolled back too
    assert client.get("/api/v1/bundle").json["people"] == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "request body is not valid JSON"),
        ("", "request body is empty"),
        ("[1, 2]", "bundle: must be a JSON object"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_json_is_a_400_json_answer(client, data: str, message: str) -> None:
    response = client.post("/api/v1/bundle", data=data, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json and message in response.json["error"]


def test_tool_crud_with_etags(app: Flask, client) -> None:
    seed(app, lambda s: make_person(s, email="mia@example.com"))
    created = client.post(
        "/api/v1/tools",
        json={"name": "Hot Jar", "lifecycle": "requested", "business_owner": "mia@example.com"},
    )
    assert created.status_code == 201
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == "/api/v1/tools/hot-jar"
    assert created.json["slug"] == "hot-jar" and created.json["version"] == 1
    got = client.get("/api/v1/tools/hot-jar")
    assert got.json["business_owner"] == "mia@example.com" and got.headers["ETag"] == '"1"'
    record = got.json | {"lifecycle": "in_review"}
    saved = client.put("/api/v1/tools/hot-jar", json=record, headers={"If-Match": '"1"'})
    assert saved.status_code == 200 and saved.headers["ETag"] == '"2"'
    assert saved.json["lifecycle"] == "in_review" and saved.json["version"] == 2
    listing = client.get("/api/v1/tools?lifecycle=in_review").json
    assert [t["slug"] for t in listing["items"]] == ["hot-jar"] and listing["count"] == 1
    assert client.delete("/api/v1/tools/hot-jar", headers={"If-Match": '"2"'}).status_code == 204
    assert client.get("/api/v1/tools/hot-jar").status_code == 404
    assert [a for a, _ in change_keys(app)] == ["create", "update", "delete"]


def test_stale_put_and_delete_get_409_with_current_record(app: Flask, client) -> None:
    seed(app, lambda s: make_tool(s, slug="canva", name="Canva"))
    first = client.put(
        "/api/v1/tools/canva",
        json={"name": "Canva", "vendor": "Canva Pty"},
        headers={"If-Match": '"1"'},
    )
    assert first.status_code == 200
    stale = client.put(
        "/api/v1/tools/canva", json={"name": "Canva Teams"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 409 and stale.headers["ETag"] == '"2"'
    assert stale.json["current"]["vendor"] == "Canva Pty" and stale.json["current"]["version"] == 2
    by_body = client.put("/api/v1/tools/canva", json={"name": "Canva Teams", "version": 1})
    assert by_body.status_code == 409
    assert client.delete("/api/v1/tools/canva", headers={"If-Match": 'W/"1"'}).status_code == 409
    assert client.get("/api/v1/tools/canva").json["name"] == "Canva"
    assert [a for a, _ in change_keys(app)] == ["create", "update"]


def test_writes_without_a_version_get_428(app: Flask, client) -> None:
    seed(app, lambda s: make_tool(s, slug="canva", name="Canva"))
    put = client.put("/api/v1/tools/canva", json={"name": "Canva Teams"})
    assert put.status_code == 428 and "If-Match" in put.json["error"]
    assert client.delete("/api/v1/tools/canva").status_code == 428
    assert (
        client.put("/api/v1/tools/canva", json={"name": "X"}, headers={"If-Match": "*"}).status_code
        == 428
    )
    assert client.get("/api/v1/tools/canva").json["name"] == "Canva"


def test_invalid_tool_is_400_naming_fields(app: Flask, client) -> None:
    response = client.post("/api/v1/tools", json={"name": "", "annual_cost": -1, "colour": "red"})
    assert response.status_code == 400
    assert response.json["fields"] == {
        "colour": "unknown field",
        "name": "is required",
        "annual_cost": "must not be negative",
    }
    assert counts(app) == (0, 0)


def test_people_flows_and_dependencies_share_the_contract(app: Flask, client) -> None:
    seed(app, lambda s: (make_tool(s, slug="a", name="A"), make_tool(s, slug="b", name="B")))
    person = client.post("/api/v1/people", json={"email": "Zoe@Example.com"})
    assert person.status_code == 201
    assert person.headers["Location"] == "/api/v1/people/zoe@example.com"
    flow = client.post("/api/v1/flows", json={"source": "a", "target": "b", "mechanism": "api"})
    assert flow.status_code == 201 and flow.json["managed_by_it"] is False
    fid = flow.json["id"]
    assert client.get(f"/api/v1/flows/{fid}").headers["ETag"] == '"1"'
    assert (
        client.put(f"/api/v1/flows/{fid}", json=flow.json | {"managed_by_it": True}).status_code
        == 200
    )  # `version` in the body stands in for If-Match
    assert client.put(f"/api/v1/flows/{fid}", json=flow.json).status_code == 409
    dep = client.post("/api/v1/dependencies", json={"tool": "a", "depends_on": "a"})
    assert dep.status_code == 400
    assert dep.json["fields"] == {"depends_on": "must be a different tool"}
    assert client.get("/api/v1/flows/999").status_code == 404
    assert client.get("/api/v1/people").json["count"] == 1


def test_openapi_document_describes_the_endpoints(client) -> None:
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    for path in (
        "/bundle",
        "/tools",
        "/tools/{slug}",
        "/people/{email}",
        "/flows/{id}",
        "/dependencies/{id}",
        "/openapi.json",
    ):
        assert path in doc["paths"], path
    assert set(doc["paths"]["/tools/{slug}"]) >= {"get", "put", "delete", "parameters"}
    assert "409" in doc["paths"]["/tools/{slug}"]["put"]["responses"]
    assert "428" in doc["paths"]["/tools/{slug}"]["delete"]["responses"]
    tool = doc["components"]["schemas"]["Tool"]
    assert tool["required"] == ["name"] and "lifecycle" in tool["properties"]
    # Every $ref resolves.
    refs = re.findall(r'"\$ref": "#/components/schemas/([A-Za-z]+)"', json.dumps(doc))
    assert refs and set(refs) <= set(doc["components"]["schemas"])
