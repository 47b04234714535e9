"""The write services: one change record per change and field-named errors.

Optimistic locking has its own module, tests/test_optimistic_locking.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import entities
from catalog.services.records import ValidationError
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool


def changes(session) -> list[ChangeRecord]:
    return list(session.scalars(sa.select(ChangeRecord).order_by(ChangeRecord.id)))


def new_changes(session, since: int) -> list[ChangeRecord]:
    return changes(session)[since:]


def field_error(exc_info) -> dict[str, str]:
    return exc_info.value.errors


# Change records --------------------------------------------------------------------------------


def test_person_create_update_delete_each_write_one_change_record(session):
    person = entities.save_person(
        session,
        {"email": "Ann@Example.com", "name": "Ann", "department": "marketing"},
        actor="ann@example.com",
    )
    session.commit()
    [created] = changes(session)
    assert (created.actor, created.action, created.object_type, created.object_key) == (
        "ann@example.com",
        "create",
        "person",
        "ann@example.com",
    )
    assert created.before is None
    assert created.after == {
        "email": "ann@example.com",
        "name": "Ann",
        "department": "marketing",
        "active": True,
    }

    left = {"email": "ann@example.com", "name": "Ann", "active": False, "department": "marketing"}
    entities.save_person(session, left, actor="it@example.com", person=person)
    session.commit()
    [updated] = new_changes(session, 1)
    assert (updated.actor, updated.action) == ("it@example.com", "update")
    assert updated.before["active"] is True and updated.after["active"] is False

    entities.delete_person(session, person, actor="it@example.com")
    session.commit()
    [deleted] = new_changes(session, 2)
    assert (deleted.action, deleted.object_key, deleted.after) == (
        "delete",
        "ann@example.com",
        None,
    )
    assert deleted.before["active"] is False
    assert session.scalar(sa.select(sa.func.count(Person.id))) == 0


def test_tool_create_update_delete_each_write_one_change_record(session):
    tool = entities.save_tool(
        session, {"name": "Klaviyo", "category": "email-marketing"}, actor="sam"
    )
    session.commit()
    [created] = changes(session)
    assert (created.action, created.object_type, created.object_key) == (
        "create",
        "tool",
        "klaviyo",
    )
    assert created.after["lifecycle"] == "requested"
    assert tool.version == 1

    entities.save_tool(
        session,
        {"name": "Klaviyo", "category": "email-marketing", "annual_cost": 48000},
        actor="sam",
        tool=tool,
        expected_version=1,
    )
    session.commit()
    [updated] = new_changes(session, 1)
    assert updated.action == "update"
    assert (updated.before["annual_cost"], updated.after["annual_cost"]) == (None, 48000)
    assert tool.version == 2

    entities.delete_tool(session, tool, actor="sam", expected_version=2)
    session.commit()
    [deleted] = new_changes(session, 2)
    assert (deleted.action, deleted.object_key, deleted.before["annual_cost"]) == (
        "delete",
        "klaviyo",
        48000,
    )


def test_flow_and_dependency_create_update_delete_write_one_record_each(session):
    make_tool(session, slug="shopify", name="Shopify")
    make_tool(session, slug="klaviyo", name="Klaviyo")
    session.commit()
    start = len(changes(session))

    flow = make_flow(session, "shopify", "klaviyo", data_classes=["contact_pii"])
    dep = make_dependency(session, "klaviyo", "shopify")
    session.commit()
    created = new_changes(session, start)
    assert [(c.action, c.object_type, c.object_key) for c in created] == [
        ("create", "flow", "shopify->klaviyo (api)"),
        ("create", "dependency", "klaviyo->shopify"),
    ]

    entities.save_flow(
        session,
        {
            "source": "shopify",
            "target": "klaviyo",
            "mechanism": "api",
            "data_classes": ["contact_pii"],
            "managed_by_it": True,
        },
        actor="it",
        flow=flow,
        expected_version=1,
    )
    entities.save_dependency(
        session,
        {"tool": "klaviyo", "depends_on": "shopify", "kind": "hosting"},
        actor="it",
        dependency=dep,
        expected_version=1,
    )
    session.commit()
    updated = new_changes(session, start + 2)
    assert [(c.action, c.object_type) for c in updated] == [
        ("update", "flow"),
        ("update", "dependency"),
    ]
    assert (updated[0].before["managed_by_it"], updated[0].after["managed_by_it"]) == (False, True)
    assert (updated[1].before["kind"], updated[1].after["kind"]) == ("data", "hosting")

    entities.delete_flow(session, flow, actor="it", expected_version=2)
    entities.delete_dependency(session, dep, actor="it", expected_version=2)
    session.commit()
    deleted = new_changes(session, start + 4)
    assert [(c.action, c.object_type, c.object_key) for c in deleted] == [
        ("delete", "flow", "shopify->klaviyo (api)"),
        ("delete", "dependency", "klaviyo->shopify"),
    ]
    assert session.scalar(sa.select(sa.func.count(DataFlow.id))) == 0
    assert session.scalar(sa.select(sa.func.count(Dependency.id))) == 0


def test_unchanged_save_writes_no_record_and_keeps_the_version(session):
    make_person(session, email="ann@example.com")
    tool = make_tool(
        session,
        slug="hotjar",
        name="Hotjar",
        business_owner="ann@example.com",
        data_classes=["behavioral"],
        annual_cost="3840.00",
        renewal_date="2026-12-31",
    )
    session.commit()
    start = len(changes(session))
    same = {
        "slug": "hotjar",
        "name": "Hotjar",
        "category": "email-marketing",
        "business_owner": "ANN@example.com",
        "data_classes": ["behavioral"],
        "annual_cost": 3840,
        "renewal_date": "2026-12-31",
    }
    entities.save_tool(session, same, actor="x", tool=tool, expected_version=1)
    session.commit()
    session.refresh(tool)
    assert tool.version == 1
    assert new_changes(session, start) == []


def test_deleting_a_tool_records_its_flows_dependencies_and_unmatched_sightings(session):
    for slug in ("zapier", "typeform", "mailchimp"):
        make_tool(session, slug=slug, name=slug.title())
    make_flow(session, "typeform", "zapier")
    make_flow(session, "zapier", "mailchimp", mechanism="ipaas")
    make_dependency(session, "mailchimp", "zapier")
    entities.save_sighting(
        session,
        {
            "source": "card_csv",
            "observed_name": "ZAPIER.COM",
            "tool": "zapier",
            "last_seen": "2026-11-01",
        },
        actor="x",
    )
    session.commit()
    start = len(changes(session))

    entities.delete_tool(session, entities.tool_by_slug(session, "zapier"), actor="alex")
    session.commit()
    recorded = [(c.action, c.object_type, c.object_key) for c in new_changes(session, start)]
    assert recorded == [
        ("delete", "flow", "typeform->zapier (api)"),
        ("delete", "flow", "zapier->mailchimp (ipaas)"),
        ("delete", "dependency", "mailchimp->zapier"),
        ("update", "sighting", "card_csv:ZAPIER.COM"),
        ("delete", "tool", "zapier"),
    ]
    sighting = session.scalar(sa.select(Sighting))
    assert sighting.tool is None  # kept as evidence, waiting for triage again
    assert session.scalar(sa.select(sa.func.count(DataFlow.id))) == 0
    assert session.scalar(sa.select(sa.func.count(Dependency.id))) == 0
    assert {c.actor for c in new_changes(session, start)} == {"alex"}


def test_deleting_a_person_records_the_tools_that_lost_an_owner(session):
    make_person(session, email="derek@example.com")
    make_person(session, email="carla@example.com", department="it")
    make_tool(session, slug="hotjar", name="Hotjar", business_owner="derek@example.com")
    make_tool(
        session,
        slug="semrush",
        name="Semrush",
        business_owner="derek@example.com",
        technical_owner="carla@example.com",
    )
    make_tool(session, slug="slack", name="Slack", technical_owner="carla@example.com")
    session.commit()
    start = len(changes(session))

    entities.delete_person(
        session, entities.person_by_email(session, "derek@example.com"), actor="hr"
    )
    session.commit()
    recorded = new_changes(session, start)
    assert [(c.action, c.object_type, c.object_key) for c in recorded] == [
        ("update", "tool", "hotjar"),
        ("update", "tool", "semrush"),
        ("delete", "person", "derek@example.com"),
    ]
    assert recorded[1].before["business_owner"] == "derek@example.com"
    assert recorded[1].after["business_owner"] is None
    assert recorded[1].after["technical_owner"] == "carla@example.com"
    assert entities.tool_by_slug(session, "semrush").technical_owner.email == "carla@example.com"


# Validation messages name the field ------------------------------------------------------------


def test_tool_validation_messages_name_the_field(session):
    with pytest.raises(ValidationError) as exc_info:
        entities.save_tool(session, {"name": "X", "category": "crm-ish"}, actor="x")
    assert field_error(exc_info) == {"category": "unknown category 'crm-ish'"}

    with pytest.raises(ValidationError) as exc_info:
        entities.save_tool(session, {"name": "X", "website": "javascript:alert(1)"}, actor="x")
    assert field_error(exc_info) == {"website": "must be an http:// or https:// URL"}

    with pytest.raises(ValidationError) as exc_info:
        entities.save_tool(session, {"name": "X", "annual_cost": -5}, actor="x")
    assert field_error(exc_info) == {"annual_cost": "must not be negative"}

    with pytest.raises(ValidationError) as exc_info:
        entities.save_tool(session, {"name": "X", "business_owner": "ghost@example.com"}, actor="x")
    assert field_error(exc_info) == {
        "business_owner": "no person with e-mail ghost@example.com (register them first)"
    }

    with pytest.raises(ValidationError) as exc_info:
        entities.save_tool(session, {"name": "X", "renewal_date": "31/12/2026"}, actor="x")
    assert field_error(exc_info) == {"renewal_date": "'31/12/2026' is not a date (YYYY-MM-DD)"}
    assert session.scalar(sa.select(sa.func.count(Tool.id))) == 0
    assert changes(session) == []


def test_slug_clash_names_the_existing_tool(session):
    make_tool(session, slug="hubspot", name="HubSpot Marketing Hub")
    with pytest.raises(ValidationError) as exc_info:
        entities.save_tool(session, {"name": "HubSpot"}, actor="x")  # derived slug clashes
    assert field_error(exc_info) == {
        "slug": "'hubspot' is already used by the tool 'HubSpot Marketing Hub'"
    }


def test_slug_cannot_change_on_update(session):
    tool = make_tool(session, slug="canva", name="Canva")
    with pytest.raises(ValidationError) as exc_info:
        entities.save_tool(session, {"slug": "canva-pro", "name": "Canva"}, actor="x", tool=tool)
    assert "slug" in field_error(exc_info)


def test_flow_to_a_missing_tool_and_self_flow_are_rejected(session):
    make_tool(session, slug="shopify", name="Shopify")
    with pytest.raises(ValidationError) as exc_info:
        make_flow(session, "shopify", "smile-io")
    assert field_error(exc_info) == {"target": "no tool with slug 'smile-io'"}

    with pytest.raises(ValidationError) as exc_info:
        make_flow(session, "shopify", "shopify")
    assert field_error(exc_info) == {"target": "must be a different tool"}

    with pytest.raises(ValidationError) as exc_info:
        make_dependency(session, "shopify", "shopify")
    assert field_error(exc_info) == {"depends_on": "must be a different tool"}

    with pytest.raises(ValidationError) as exc_info:
        make_flow(session, "shopify", "klaviyo", mechanism="carrier_pigeon")
    assert set(field_error(exc_info)) == {"mechanism"}
    assert session.scalar(sa.select(sa.func.count(DataFlow.id))) == 0


def test_duplicate_flow_and_dependency_name_the_field(session):
    make_tool(session, slug="a", name="A")
    make_tool(session, slug="b", name="B")
    make_flow(session, "a", "b")
    make_dependency(session, "a", "b")
    with pytest.raises(ValidationError) as exc_info:
        make_flow(session, "a", "b")
    assert field_error(exc_info) == {"mechanism": "a api flow from a to b is already registered"}
    with pytest.raises(ValidationError) as exc_info:
        make_dependency(session, "a", "b")
    assert field_error(exc_info) == {"depends_on": "a already depends on b"}


def test_person_validation_names_the_field(session):
    with pytest.raises(ValidationError) as exc_info:
        entities.save_person(session, {"email": "not-an-email"}, actor="x")
    assert set(field_error(exc_info)) == {"email"}
    make_person(session, email="ann@example.com")
    with pytest.raises(ValidationError) as exc_info:
        entities.save_person(session, {"email": "ANN@example.com"}, actor="x")
    assert field_error(exc_info) == {"email": "ann@example.com is already registered"}
    with pytest.raises(ValidationError) as exc_info:
        entities.save_person(session, {"email": "bo@example.com", "active": "yes"}, actor="x")
    assert field_error(exc_info) == {"active": "must be true or false"}
