"""Every create, update and delete of a register record writes one change record, and only
then: an unchanged save writes none; a delete records what it took with it."""

from __future__ import annotations

import sqlalchemy as sa

from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Sighting
from catalog.services import entities
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool
from tests.service_checks import changes

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
    [updated] = changes(session, 1)
    assert (updated.actor, updated.action) == ("it@example.com", "update")
    assert updated.before["active"] is True and updated.after["active"] is False

    entities.delete_person(session, person, actor="it@example.com")
    session.commit()
    [deleted] = changes(session, 2)
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
    [updated] = changes(session, 1)
    assert updated.action == "update"
    assert (updated.before["annual_cost"], updated.after["annual_cost"]) == (None, 48000)
    assert tool.version == 2

    entities.delete_tool(session, tool, actor="sam", expected_version=2)
    session.commit()
    [deleted] = changes(session, 2)
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
    created = changes(session, start)
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
    updated = changes(session, start + 2)
    assert [(c.action, c.object_type) for c in updated] == [
        ("update", "flow"),
        ("update", "dependency"),
    ]
    assert (updated[0].before["managed_by_it"], updated[0].after["managed_by_it"]) == (False, True)
    assert (updated[1].before["kind"], updated[1].after["kind"]) == ("data", "hosting")

    entities.delete_flow(session, flow, actor="it", expected_version=2)
    entities.delete_dependency(session, dep, actor="it", expected_version=2)
    session.commit()
    deleted = changes(session, start + 4)
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
    assert changes(session, start) == []


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
    recorded = [(c.action, c.object_type, c.object_key) for c in changes(session, start)]
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
    assert {c.actor for c in changes(session, start)} == {"alex"}


def test_deleting_a_person_records_the_tools_that_lost_an_owner(session):
    make_person(session, email="derek@example.com")
    make_person(session, email="carla@example.com", department="it")
    make_tool(session, slug="hotjar", name="Hotjar", business_owner="derek@example.com")
    owners = {"business_owner": "derek@example.com", "technical_owner": "carla@example.com"}
    make_tool(session, slug="semrush", name="Semrush", **owners)
    make_tool(session, slug="slack", name="Slack", technical_owner="carla@example.com")
    session.commit()
    start = len(changes(session))

    entities.delete_person(
        session, entities.person_by_email(session, "derek@example.com"), actor="hr"
    )
    session.commit()
    recorded = changes(session, start)
    assert [(c.action, c.object_type, c.object_key) for c in recorded] == [
        ("update", "tool", "hotjar"),
        ("update", "tool", "semrush"),
        ("delete", "person", "derek@example.com"),
    ]
    assert recorded[1].before["business_owner"] == "derek@example.com"
    assert recorded[1].after["business_owner"] is None
    assert recorded[1].after["technical_owner"] == "carla@example.com"
    assert entities.tool_by_slug(session, "semrush").technical_owner.email == "carla@example.com"
