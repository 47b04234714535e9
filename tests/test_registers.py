"""A register's declaration drives the JSON API, the bundle and the field permissions alike."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.extensions import db
from catalog.fields import Field
from catalog.services import records
from catalog.services.registers import REGISTERS
from catalog.services.registers import Register
from tests.accounts import add_user
from tests.accounts import signed_in
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

SIGHTING = {"source": "okta", "observed_name": "Hub Spot", "tool": "hub", "users": 3}


@pytest.fixture
def stack(app: Flask) -> Flask:
    """Mia (marketing) owns `mine`; one record of every register exists."""
    add_user(app, "mia@example.com", "marketing")
    with app.app_context():
        s = db.session
        make_person(s, email="mia@example.com", name="Mia", department="marketing")
        make_person(s, email="otto@example.com", name="Otto", department="marketing")
        make_tool(s, slug="hub", name="Hub")
        make_tool(s, slug="mine", name="Mine", business_owner="mia@example.com")
        make_flow(s, "hub", "mine", data_classes=["contact_pii"])
        make_dependency(s, "mine", "hub")
        REGISTERS["sightings"].write(s, SIGHTING, actor="test")
        s.commit()
    return app


def _names(register: Register, *extra: str) -> list[str]:
    # The API answers with sorted keys, so compare the field names as a sorted list.
    return sorted([f.name for f in register.fields] + list(extra))


def test_every_register_is_a_bundle_section_and_an_api_resource_with_its_fields(
    stack: Flask, client: FlaskClient
) -> None:
    exported = client.get("/api/v1/bundle").json
    assert sorted(exported) == sorted(REGISTERS)
    for name, register in REGISTERS.items():
        assert exported[name], name
        assert [sorted(r) for r in exported[name]] == [_names(register)] * len(exported[name])
        listed = client.get(f"/api/v1/{name}")
        if not register.api:
            assert listed.status_code == 404
            continue
        extra = ("id", "version") if register.lookup == "id" else ("version",)
        assert [sorted(item) for item in listed.json["items"]] == [_names(register, *extra)] * len(
            exported[name]
        )
        # The API's item and the bundle's record are the same record.
        items = [
            {k: v for k, v in i.items() if k not in ("id", "version")} for i in listed.json["items"]
        ]
        assert sorted(items, key=register.key) == sorted(exported[name], key=register.key)


@pytest.fixture
def without_department() -> t.Iterator[Register]:
    """The people register declared without `department` (the one declaration, edited)."""
    people = REGISTERS["people"]
    declared = people.fields
    # The declaration is frozen in the app; the test edits it in place to show that every door
    # reads this one object.
    object.__setattr__(people, "fields", tuple(f for f in declared if f.name != "department"))
    try:
        yield people
    finally:
        object.__setattr__(people, "fields", declared)


def test_a_field_left_out_of_the_declaration_leaves_api_and_bundle_together(
    stack: Flask, client: FlaskClient, without_department: Register
) -> None:
    assert "department" not in client.get("/api/v1/people/mia@example.com").json
    assert all("department" not in p for p in client.get("/api/v1/bundle").json["people"])
    created = client.post("/api/v1/people", json={"email": "new@example.com", "department": "x"})
    assert created.status_code == 400
    assert created.json["fields"] == {"department": "unknown field"}
    imported = client.post(
        "/api/v1/bundle", json={"people": [{"email": "b@example.com", "department": "it"}]}
    )
    assert imported.status_code == 400
    assert imported.json["record"] == "people[0] (email='b@example.com')"
    assert imported.json["fields"] == {"department": "unknown field"}
    # Without the field the same requests go through.
    assert client.post("/api/v1/people", json={"email": "new@example.com"}).status_code == 201


# A changed value for each kind of tool field, as a marketer would send it.
CHANGED: dict[str, t.Any] = {
    "text": "changed",
    "url": "https://changed.example.com",
    "category": "mobile-marketing",
    "email": "otto@example.com",
    "choices": ["contact_pii", "content"],
    "bool": True,
    "money": 1234,
    "currency": "EUR",
    "int": 7,
    "date": "2027-02-03",
}
TOOL_FIELDS = [f for f in REGISTERS["tools"].fields if f.name != "slug"]  # a slug never changes


@pytest.mark.parametrize("field", TOOL_FIELDS, ids=lambda f: f.name)
def test_a_marketer_change_waits_for_it_exactly_on_the_fields_declared_its(
    stack: Flask, field: Field
) -> None:
    client = signed_in(stack, "mia@example.com")
    current = client.get("/api/v1/tools/mine").json
    value = "retired" if field.name == "lifecycle" else CHANGED[field.kind]
    assert current[field.name] != value
    answer = client.put("/api/v1/tools/mine", json=current | {field.name: value})
    if field.it:
        assert answer.status_code == 202, answer.json
        assert [p["changes"] for p in answer.json["proposals"]] == [{field.name: value}]
        assert answer.json[field.name] == current[field.name]  # not applied yet
    else:
        assert answer.status_code == 200, answer.json
        assert "proposals" not in answer.json
        assert answer.json[field.name] == records.plain(value)
