"""Bundles reject two records with the same key, naming both positions, and write nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.models import ChangeRecord
from catalog.services import bundle
from catalog.services.records import ValidationError


def _sightings(n: int) -> list[dict]:
    return [{"source": "okta", "observed_name": f"Tool t{i}", "users": i} for i in range(n)]


def _error(session, data) -> str:
    with pytest.raises(ValidationError) as exc_info:
        bundle.import_bundle(session, data, actor="test")
    session.rollback()
    return str(exc_info.value)


def test_two_sightings_with_one_key_are_rejected_naming_both_positions(session):
    sightings = _sightings(44)
    sightings[40] = {"source": "okta", "observed_name": "Tool t34", "users": 99}
    message = _error(session, {"tools": [{"slug": "crm", "name": "CRM"}], "sightings": sightings})
    assert "sightings[34] and sightings[40] share (okta, 'Tool t34')" in message
    assert message.startswith("sightings[40] (source='okta', observed_name='Tool t34')")
    assert bundle.export_bundle(session) == {s: [] for s in bundle.SECTIONS}
    assert session.scalar(sa.select(sa.func.count(ChangeRecord.id))) == 0


@pytest.mark.parametrize(
    ("section", "records", "expected"),
    [
        (
            "people",
            [
                {"email": "ann@example.com"},
                {"email": "bob@example.com"},
                {"email": " ANN@example.com"},
            ],
            "people[0] and people[2] share (ann@example.com)",
        ),
        (
            "tools",
            [{"slug": "smile-io", "name": "Smile"}, {"name": "Smile.io"}],
            "tools[0] and tools[1] share (smile-io)",
        ),
        (
            "flows",
            [
                {"source": "a", "target": "b", "mechanism": "api"},
                {"source": "a", "target": "b", "mechanism": "webhook"},
                {"source": "a", "target": "b", "mechanism": "api", "frequency": "daily"},
            ],
            "flows[0] and flows[2] share (a, b, api)",
        ),
        (
            "dependencies",
            [
                {"tool": "a", "depends_on": "b"},
                {"tool": "b", "depends_on": "a"},
                {"tool": "a", "depends_on": "b", "kind": "identity"},
            ],
            "dependencies[0] and dependencies[2] share (a, b)",
        ),
    ],
)
def test_every_section_rejects_duplicate_keys(session, section, records, expected):
    data = {"tools": [{"slug": "a", "name": "A"}, {"slug": "b", "name": "B"}]}
    data[section] = records if section != "tools" else data["tools"] + records
    if section == "tools":
        expected = expected.replace("[0]", "[2]").replace("[1]", "[3]")
    message = _error(session, data)
    assert expected in message
    assert bundle.export_bundle(session) == {s: [] for s in bundle.SECTIONS}


def test_the_same_name_from_two_sources_is_not_a_duplicate(session):
    data = {
        "sightings": [
            {"source": "okta", "observed_name": "Canva"},
            {"source": "entra", "observed_name": "Canva"},
        ]
    }
    summary = bundle.import_bundle(session, data, actor="test")
    assert summary["sightings"]["created"] == 2


def test_the_api_answers_400_naming_both_positions(client):
    data = {"people": [{"email": "ann@example.com"}, {"email": "Ann@Example.com", "name": "Ann"}]}
    response = client.post("/api/v1/bundle", json=data)
    assert response.status_code == 400
    assert response.json["record"] == "people[1] (email='Ann@Example.com')"
    assert response.json["fields"] == {"email": "people[0] and people[1] share (ann@example.com)"}
    assert client.get("/api/v1/bundle").json["people"] == []
