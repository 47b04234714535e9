"""The entity services refuse bad input with a message naming the field, and write nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.models import DataFlow
from catalog.models import Tool
from catalog.services import entities
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool
from tests.service_checks import changes
from tests.service_checks import field_errors

# Validation messages name the field ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, errors",
    [
        ({"category": "crm-ish"}, {"category": "unknown category 'crm-ish'"}),
        ({"website": "javascript:alert(1)"}, {"website": "must be an http:// or https:// URL"}),
        ({"annual_cost": -5}, {"annual_cost": "must not be negative"}),
        (
            {"business_owner": "ghost@example.com"},
            {"business_owner": "no person with e-mail ghost@example.com (register them first)"},
        ),
        (
            {"renewal_date": "31/12/2026"},
            {"renewal_date": "'31/12/2026' is not a date (YYYY-MM-DD)"},
        ),
    ],
)
def test_tool_validation_messages_name_the_field(session, raw, errors):
    assert field_errors(entities.save_tool, session, {"name": "X"} | raw, actor="x") == errors
    assert session.scalar(sa.select(sa.func.count(Tool.id))) == 0
    assert changes(session) == []


def test_slug_clash_names_the_existing_tool(session):
    make_tool(session, slug="hubspot", name="HubSpot Marketing Hub")
    # the slug derived from the name clashes
    assert field_errors(entities.save_tool, session, {"name": "HubSpot"}, actor="x") == {
        "slug": "'hubspot' is already used by the tool 'HubSpot Marketing Hub'"
    }


def test_slug_cannot_change_on_update(session):
    tool = make_tool(session, slug="canva", name="Canva")
    raw = {"slug": "canva-pro", "name": "Canva"}
    assert "slug" in field_errors(entities.save_tool, session, raw, actor="x", tool=tool)


def test_flow_to_a_missing_tool_and_self_flow_are_rejected(session):
    make_tool(session, slug="shopify", name="Shopify")
    assert field_errors(make_flow, session, "shopify", "smile-io") == {
        "target": "no tool with slug 'smile-io'"
    }
    assert field_errors(make_flow, session, "shopify", "shopify") == {
        "target": "must be a different tool"
    }
    assert field_errors(make_dependency, session, "shopify", "shopify") == {
        "depends_on": "must be a different tool"
    }
    bad = field_errors(make_flow, session, "shopify", "klaviyo", mechanism="carrier_pigeon")
    assert set(bad) == {"mechanism"}
    assert session.scalar(sa.select(sa.func.count(DataFlow.id))) == 0


def test_duplicate_flow_and_dependency_name_the_field(session):
    make_tool(session, slug="a", name="A")
    make_tool(session, slug="b", name="B")
    make_flow(session, "a", "b")
    make_dependency(session, "a", "b")
    assert field_errors(make_flow, session, "a", "b") == {
        "mechanism": "a api flow from a to b is already registered"
    }
    assert field_errors(make_dependency, session, "a", "b") == {
        "depends_on": "a already depends on b"
    }


def test_person_validation_names_the_field(session):
    save = entities.save_person
    assert set(field_errors(save, session, {"email": "not-an-email"}, actor="x")) == {"email"}
    make_person(session, email="ann@example.com")
    assert field_errors(save, session, {"email": "ANN@example.com"}, actor="x") == {
        "email": "ann@example.com is already registered"
    }
    raw = {"email": "bo@example.com", "active": "yes"}
    assert field_errors(save, session, raw, actor="x") == {"active": "must be true or false"}


def test_slug_new_is_reserved_for_the_registration_form(session):
    assert field_errors(make_tool, session, slug=None, name="New") == {
        "slug": "'new' is reserved by the catalog's pages; choose another"
    }
