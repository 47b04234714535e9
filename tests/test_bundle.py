"""The bundle (docs/formats.md#the-bundle): round trip, idempotent upsert, all-or-nothing errors."""

from __future__ import annotations

import copy
import json

import pytest
import sqlalchemy as sa

from catalog.models import ChangeRecord
from catalog.models import Tool
from catalog.services import bundle
from catalog.services.demo import DEMO_BUNDLE
from catalog.services.records import ValidationError
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool


@pytest.fixture
def demo() -> dict:
    return json.loads(DEMO_BUNDLE.read_text(encoding="utf-8"))


def change_count(session) -> int:
    return session.scalar(sa.select(sa.func.count(ChangeRecord.id)))


def import_error(session, data) -> ValidationError:
    with pytest.raises(ValidationError) as exc_info:
        bundle.import_bundle(session, data, actor="test")
    session.rollback()
    return exc_info.value


def test_demo_export_import_export_is_identical(session, demo):
    summary = bundle.import_bundle(session, demo, actor="test")
    session.commit()
    assert {s: c["created"] for s, c in summary.items()} == {
        s: len(demo[s]) for s in bundle.SECTIONS
    }
    assert bundle.export_bundle(session) == demo
    # ...and serialised, byte for byte, as `martech export` writes it
    text = json.dumps(bundle.export_bundle(session), indent=2, ensure_ascii=False) + "\n"
    assert text == DEMO_BUNDLE.read_text(encoding="utf-8")


def test_importing_the_same_bundle_twice_changes_nothing_the_second_time(session, demo):
    bundle.import_bundle(session, demo, actor="test")
    session.commit()
    records_after_first = change_count(session)
    assert records_after_first == sum(len(demo[s]) for s in bundle.SECTIONS)
    versions = dict(session.execute(sa.select(Tool.slug, Tool.version)).all())

    summary = bundle.import_bundle(session, demo, actor="test")
    session.commit()
    assert all(c["created"] == 0 and c["updated"] == 0 for c in summary.values())
    assert summary["tools"]["unchanged"] == len(demo["tools"])
    assert change_count(session) == records_after_first
    assert dict(session.execute(sa.select(Tool.slug, Tool.version)).all()) == versions


def test_changed_record_is_updated_with_one_change_record(session, demo):
    bundle.import_bundle(session, demo, actor="test")
    session.commit()
    before = change_count(session)
    demo["tools"][0]["annual_cost"] = 999
    summary = bundle.import_bundle(session, demo, actor="importer")
    session.commit()
    assert summary["tools"] == {"created": 0, "updated": 1, "unchanged": len(demo["tools"]) - 1}
    last = session.scalar(sa.select(ChangeRecord).order_by(ChangeRecord.id.desc()).limit(1))
    assert (last.actor, last.action, last.object_key) == (
        "importer",
        "update",
        demo["tools"][0]["slug"],
    )
    assert last.after["annual_cost"] == 999
    assert change_count(session) == before + 1


BAD_RECORDS = [
    # (section, mutate the demo record at index 1, expected message fragment)
    (
        "tools",
        {"category": "crm-and-more"},
        "tools[1] (slug='{slug}', name='{name}'): category: unknown category 'crm-and-more'",
    ),
    (
        "flows",
        {"target": "no-such-tool"},
        "flows[1] (source='{source}', target='no-such-tool', "
        "mechanism='{mechanism}'): target: no tool with slug 'no-such-tool'",
    ),
    (
        "tools",
        {"renewal_date": "2027-02-30"},
        "tools[1] (slug='{slug}', name='{name}'): "
        "renewal_date: '2027-02-30' is not a date (YYYY-MM-DD)",
    ),
    (
        "tools",
        {"technical_owner": "nobody@northwind-outfitters.com"},
        "tools[1] (slug='{slug}', name='{name}'): technical_owner: no person with e-mail "
        "nobody@northwind-outfitters.com (register them first)",
    ),
    (
        "sightings",
        {"users": "many"},
        "sightings[1] (source='{source}', observed_name="
        "'{observed_name}'): users: must be a whole number",
    ),
    ("people", {"colour": "green"}, "people[1] (email='{email}'): colour: unknown field"),
    (
        "dependencies",
        {"kind": "friendship"},
        "dependencies[1] (tool='{tool}', depends_on="
        "'{depends_on}'): kind: unknown value 'friendship'",
    ),
]


@pytest.mark.parametrize(
    ("section", "change", "message"),
    BAD_RECORDS,
    ids=[f"{s}-{next(iter(c))}" for s, c, _ in BAD_RECORDS],
)
def test_one_bad_record_rejects_the_whole_bundle(session, demo, section, change, message):
    demo[section][1].update(change)
    expected = message.format(**demo[section][1])
    error = import_error(session, demo)
    assert str(error).startswith(expected)
    assert error.record.startswith(f"{section}[1]")
    # nothing at all was written, not even the valid records before the bad one
    assert bundle.export_bundle(session) == {s: [] for s in bundle.SECTIONS}
    assert change_count(session) == 0


def test_bad_record_leaves_an_existing_catalog_exactly_as_it_was(session, demo):
    bundle.import_bundle(session, demo, actor="test")
    session.commit()
    before, records_before = bundle.export_bundle(session), change_count(session)
    edited = copy.deepcopy(demo)
    edited["tools"][0]["annual_cost"] = 1  # a valid change that must not survive...
    edited["sightings"][-1]["first_seen"] = "yesterday"  # ...because of this one
    error = import_error(session, edited)
    assert "first_seen: 'yesterday' is not a date" in str(error)
    assert bundle.export_bundle(session) == before
    assert change_count(session) == records_before


def test_wrong_section_types_and_unknown_sections_are_named(session):
    assert str(import_error(session, {"tools": {"slug": "x"}})) == "bundle: tools: must be a list"
    assert str(import_error(session, {"tool": []})).startswith("bundle: tool: unknown section")
    assert str(import_error(session, ["not", "a", "bundle"])).startswith("bundle: must be")
    error = import_error(session, {"tools": ["shopify"]})
    assert str(error) == "tools[0]: record: must be a JSON object"
    assert str(import_error(session, {"tools": [{"slug": 5, "name": "X"}]})) == (
        "tools[0] (slug=5, name='X'): slug: must be text"
    )
    assert str(
        import_error(session, {"sightings": [{"source": ["okta"], "observed_name": "X"}]})
    ).endswith("source: must be text")
    assert str(
        import_error(session, {"flows": [{"source": {}, "target": "b", "mechanism": "api"}]})
    ).endswith("source: must be text")
    assert change_count(session) == 0


def test_records_absent_from_the_bundle_are_left_alone(session):
    make_person(session, email="local@example.com")
    make_tool(session, slug="in-house-crm", name="In-house CRM")
    session.commit()
    bundle.import_bundle(session, {"tools": [{"slug": "canva", "name": "Canva"}]}, actor="t")
    session.commit()
    out = bundle.export_bundle(session)
    assert [t["slug"] for t in out["tools"]] == ["canva", "in-house-crm"]
    assert [p["email"] for p in out["people"]] == ["local@example.com"]


def test_omitted_fields_take_the_defaults(session):
    data = {
        "tools": [{"name": "Smile.io"}, {"slug": "yotpo", "name": "Yotpo"}],
        "flows": [{"source": "yotpo", "target": "smile-io", "mechanism": "webhook"}],
        "dependencies": [{"tool": "smile-io", "depends_on": "yotpo"}],
        "sightings": [{"source": "card_csv", "observed_name": "SMILE.IO"}],
    }
    bundle.import_bundle(session, data, actor="t")
    session.commit()
    out = bundle.export_bundle(session)
    smile = out["tools"][0]
    assert smile["slug"] == "smile-io"  # derived from the name
    assert (smile["lifecycle"], smile["data_classes"], smile["currency"]) == (
        "requested",
        [],
        "USD",
    )
    assert (smile["system_of_record"], smile["sso_enabled"], smile["annual_cost"]) == (
        False,
        False,
        None,
    )
    flow = out["flows"][0]
    assert (flow["managed_by_it"], flow["anonymized"], flow["active"], flow["data_classes"]) == (
        False,
        False,
        True,
        [],
    )
    assert out["dependencies"][0]["kind"] == "other"
    assert out["sightings"][0] | {} == {
        "source": "card_csv",
        "observed_name": "SMILE.IO",
        "tool": None,
        "first_seen": None,
        "last_seen": None,
        "users": 0,
        "events": 0,
        "spend": None,
        "currency": "USD",
    }


def test_people_are_keyed_case_insensitively(session):
    bundle.import_bundle(
        session, {"people": [{"email": "Ann@Example.com", "name": "Ann"}]}, actor="t"
    )
    summary = bundle.import_bundle(
        session, {"people": [{"email": "ann@example.com", "name": "Ann"}]}, actor="t"
    )
    session.commit()
    assert summary["people"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_export_order_is_by_code_point_whatever_the_database_collation(session):
    # A locale collation would put "ab" before "a-c"; the bundle must not depend on it.
    for slug in ("ab", "a-c", "a-b"):
        make_tool(session, slug=slug, name=slug)
    for email in ("az@example.com", "a.z@example.com"):
        make_person(session, email=email)
    session.commit()
    out = bundle.export_bundle(session)
    assert [t["slug"] for t in out["tools"]] == ["a-b", "a-c", "ab"]
    assert [p["email"] for p in out["people"]] == ["a.z@example.com", "az@example.com"]


def test_export_lists_tools_by_slug_and_flows_by_their_ends(session):
    make_person(session, email="ann@example.com", department="marketing")
    ann = {"business_owner": "ann@example.com"}
    make_tool(session, slug="crm", name="CRM", data_classes=["contact_pii"], **ann)
    make_tool(session, slug="esp", name="ESP")
    make_flow(session, "crm", "esp", data_classes=["contact_pii"])
    session.commit()
    out = bundle.export_bundle(session)
    assert [t["slug"] for t in out["tools"]] == ["crm", "esp"]
    assert out["flows"][0]["source"] == "crm"
