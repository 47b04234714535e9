"""The batched bundle import writes what the per-record services would, and refuses stale rows."""

from __future__ import annotations

import copy
import json

import pytest
import sqlalchemy as sa

from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import bundle
from catalog.services import bundle_load
from catalog.services import records
from catalog.services.demo import DEMO_BUNDLE
from catalog.services.records import ValidationError
from catalog.services.registers import REGISTERS
from tests.factories import make_person
from tests.factories import make_tool


@pytest.fixture
def demo() -> dict:
    return json.loads(DEMO_BUNDLE.read_text(encoding="utf-8"))


def test_each_created_record_has_one_change_record_as_the_services_write_it(session, demo):
    bundle.import_bundle(session, demo, actor="importer")
    session.commit()
    changes = list(session.scalars(sa.select(ChangeRecord).order_by(ChangeRecord.id)))
    assert [(c.action, c.actor, c.before) for c in changes] == [("create", "importer", None)] * (
        sum(len(demo[s]) for s in bundle.SECTIONS)
    )
    assert [c.object_type for c in changes] == [
        r.object_type for s, r in REGISTERS.items() for _ in demo[s]
    ]
    tools = {c.object_key: c.after for c in changes if c.object_type == "tool"}
    for tool in session.scalars(sa.select(Tool)):
        assert tools[tool.slug] == records.tool_record(tool)
        assert tool.version == 1
    flow = session.scalars(sa.select(DataFlow).order_by(DataFlow.id)).first()
    key = f"{flow.source.slug}->{flow.target.slug} ({flow.mechanism})"
    assert [c.after for c in changes if c.object_key == key] == [records.flow_record(flow)]
    sighting = session.scalars(sa.select(Sighting).order_by(Sighting.id)).first()
    assert [c.after for c in changes if c.object_key == sighting.key] == [
        records.sighting_record(sighting)
    ]


def test_changed_records_in_every_section_are_updated_once_each(session, demo):
    bundle.import_bundle(session, demo, actor="test")
    session.commit()
    edited = copy.deepcopy(demo)
    for tool in edited["tools"][:5]:
        tool["description"] = "edited " + tool["slug"]
    for flow in edited["flows"][:3]:
        flow["frequency"] = "hourly"
    edited["people"][0]["name"] = "Renamed"
    edited["dependencies"][0]["description"] = "edited"
    edited["sightings"][0]["users"] = 4321
    before_changes = session.scalar(sa.select(sa.func.count(ChangeRecord.id)))
    summary = bundle.import_bundle(session, edited, actor="second")
    session.commit()
    assert {s: c["updated"] for s, c in summary.items()} == {
        "people": 1,
        "tools": 5,
        "flows": 3,
        "dependencies": 1,
        "sightings": 1,
    }
    assert bundle.export_bundle(session) == edited
    versions = dict(session.execute(sa.select(Tool.slug, Tool.version)).all())
    assert {s for s, v in versions.items() if v == 2} == {t["slug"] for t in edited["tools"][:5]}
    assert set(versions.values()) == {1, 2}
    updates = list(
        session.scalars(
            sa.select(ChangeRecord)
            .where(ChangeRecord.id > before_changes)
            .order_by(ChangeRecord.id)
        )
    )
    assert len(updates) == 11
    assert updates[1].object_key == edited["tools"][0]["slug"]
    assert (
        updates[1].before["description"]
        != updates[1].after["description"]
        == ("edited " + edited["tools"][0]["slug"])
    )


def test_objects_held_by_the_session_see_the_imported_values(session):
    tool = make_tool(session, slug="canva", name="Canva")
    make_person(session, email="ann@example.com")
    bundle.import_bundle(
        session,
        {"tools": [{"slug": "canva", "name": "Canva", "business_owner": "ann@example.com"}]},
        actor="t",
    )
    assert tool.business_owner.email == "ann@example.com"
    assert tool.version == 2


def test_a_row_changed_between_reading_and_writing_is_not_overwritten(session, demo, monkeypatch):
    bundle.import_bundle(session, demo, actor="test")
    session.commit()
    edited = copy.deepcopy(demo)
    edited["tools"][0]["description"] = "from the bundle"
    slug = edited["tools"][0]["slug"]
    real_write = bundle_load.Loader._write

    def someone_saves_first(self, register, inserts, updates):
        if register.name == "tools":  # another writer's save lands between our read and our write
            self.conn.execute(
                sa.update(Tool)
                .where(Tool.slug == slug)
                .values(description="a user's edit", version=Tool.version + 1)
            )
        return real_write(self, register, inserts, updates)

    monkeypatch.setattr(bundle_load.Loader, "_write", someone_saves_first)
    with pytest.raises(ValidationError, match="tools: record: changed by someone else"):
        bundle.import_bundle(session, edited, actor="test")
    session.rollback()
    assert session.scalar(sa.select(Tool.description).where(Tool.slug == slug)) != "from the bundle"
