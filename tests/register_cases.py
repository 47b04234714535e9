"""The registers the shared page tests (test_register_views.py) run against, one `Case` each.

Like NetBox's `utilities/testing/views.py`: a case says how to make one record, what a valid and
an invalid form look like, what someone else changes under an open form, and what the delete
confirmation must list; the tests are written once for all of them.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool


@dataclass(frozen=True)
class Case:
    kind: str  # the change log's object type, and the keyword the service's save takes
    prefix: str  # where the register's pages live
    model: type
    make: t.Callable[[t.Any], t.Any]  # make(session) -> the record to edit and delete
    key: t.Callable[[t.Any], t.Any]  # the URL key of a record
    get: t.Callable[[t.Any, t.Any], t.Any]  # get(session, key) -> the record or None
    save: t.Callable[..., t.Any]  # the service's save, for someone else's change
    record: t.Callable[[t.Any], dict[str, t.Any]]  # the record's fields, as a form posts them
    shown: str  # the record's label, as the list shows it
    created: dict[str, t.Any]  # a valid create form
    created_key: str  # ...and the change log key of what it creates
    created_at: str  # ...and where it leads
    mine: tuple[str, t.Any]  # the field an edit changes, and to what
    theirs: tuple[str, t.Any, str]  # someone else's change: field, value, as the 409 shows it
    goes: tuple[str, ...]  # what the delete confirmation lists
    it_may_change: bool  # IT may edit and delete it (else only an administrator may)
    unknown: str = "999"  # a key no record has
    setup: t.Callable[[t.Any], t.Any] = field(default=lambda s: None)

    def __str__(self) -> str:
        return self.kind


def _tools(*slugs: str) -> t.Callable[[t.Any], None]:
    def make(session: t.Any) -> None:
        for slug in slugs:
            make_tool(session, slug=slug, name=slug.capitalize())

    return make


def _get(model: type) -> t.Callable[[t.Any, t.Any], t.Any]:
    return lambda session, key: session.get(model, key)


CASES = [
    Case(
        kind="tool",
        prefix="/tools",
        model=Tool,
        setup=_tools("crm"),
        make=lambda s: (
            make_tool(s, slug="zapier", name="Zapier", vendor="Zapier"),
            make_flow(s, "crm", "zapier"),
        )[0],
        key=lambda tool: tool.slug,
        get=lambda s, slug: entities.tool_by_slug(s, slug),
        save=entities.save_tool,
        record=records.tool_record,
        shown="Zapier",
        created={"name": "Canva", "lifecycle": "requested", "currency": "USD"},
        created_key="canva",
        created_at="/tools/canva",
        mine=("name", "Zapier Pro"),
        theirs=("vendor", "Zapier Inc.", "Zapier Inc."),
        goes=("1 data flow", "Crm → Zapier"),
        it_may_change=True,
        unknown="no-such-tool",
    ),
    Case(
        kind="person",
        prefix="/people",
        model=Person,
        setup=lambda s: (
            make_person(s, email="ann@example.com", name="Ann", department="marketing"),
            make_tool(s, slug="looker", name="Looker", business_owner="ann@example.com"),
        ),
        make=lambda s: entities.person_by_email(s, "ann@example.com"),
        key=lambda person: person.id,
        get=_get(Person),
        save=entities.save_person,
        record=records.person_record,
        shown="Ann",
        created={"email": "bo@example.com", "name": "Bo", "department": "it", "active": "y"},
        created_key="bo@example.com",
        created_at="/people",
        mine=("name", "Ann B."),
        theirs=("department", "it", "it"),
        goes=("1 tool will lose this owner", 'href="/tools/looker"'),
        it_may_change=False,
    ),
    Case(
        kind="flow",
        prefix="/flows",
        model=DataFlow,
        setup=_tools("shopify", "klaviyo", "segment"),
        make=lambda s: make_flow(s, "shopify", "klaviyo", data_classes=["contact_pii"]),
        key=lambda flow: flow.id,
        get=_get(DataFlow),
        save=entities.save_flow,
        record=records.flow_record,
        shown="Klaviyo",
        created={"source": "segment", "target": "klaviyo", "mechanism": "api", "active": "y"},
        created_key="segment->klaviyo (api)",
        created_at="/tools/segment",
        mine=("frequency", "daily"),
        theirs=("managed_by_it", True, "yes"),
        goes=("api flow carrying", "Contact PII", "only this flow goes"),
        it_may_change=True,
    ),
    Case(
        kind="dependency",
        prefix="/dependencies",
        model=Dependency,
        setup=_tools("segment", "okta", "hubspot"),
        make=lambda s: make_dependency(s, "segment", "okta"),
        key=lambda dep: dep.id,
        get=_get(Dependency),
        save=entities.save_dependency,
        record=records.dependency_record,
        shown="Okta",
        created={"tool": "hubspot", "depends_on": "okta", "kind": "identity"},
        created_key="hubspot->okta",
        created_at="/tools/hubspot",
        mine=("description", "SSO"),
        theirs=("kind", "identity", "identity"),
        goes=("only this data dependency goes",),
        it_may_change=True,
    ),
]

BY_KIND = {case.kind: case for case in CASES}

# Create forms each register refuses, the field named and the message beside it (the record
# of the case exists, so a second one with its key is a duplicate).
INVALID = [
    ("tool", {"name": "X", "website": "javascript:alert(1)"}, "website", "http:// or https://"),
    ("tool", {"name": "Zapier", "lifecycle": "requested"}, "slug", "is already used by the tool"),
    ("person", {"email": "not-an-email"}, "email", "is not a valid e-mail address"),
    ("person", {"email": "ANN@example.com"}, "email", "ann@example.com is already registered"),
    ("person", {"email": ""}, "email", "is required"),
    ("flow", {"source": "shopify", "target": "shopify"}, "target", "must be a different tool"),
    (
        "flow",
        {"source": "ghost", "target": "klaviyo"},
        "source",
        "no tool with slug &#39;ghost&#39;",
    ),
    ("flow", {"source": "", "target": "klaviyo"}, "source", "is required"),
    (
        "flow",
        {"mechanism": "carrier_pigeon"},
        "mechanism",
        "unknown value &#39;carrier_pigeon&#39;",
    ),
    ("flow", {"mechanism": "api"}, "mechanism", "a api flow from shopify to klaviyo is already"),
    ("dependency", {"depends_on": "segment"}, "depends_on", "must be a different tool"),
    ("dependency", {}, "depends_on", "segment already depends on okta"),
    ("dependency", {"kind": "friendship"}, "kind", "unknown value &#39;friendship&#39;"),
    ("dependency", {"tool": "nope"}, "tool", "no tool with slug &#39;nope&#39;"),
]
# What an invalid form above starts from: the case's record's own fields where it has them.
INVALID_BASE = {
    "tool": {"lifecycle": "requested"},
    "person": {},
    "flow": {"source": "shopify", "target": "klaviyo", "mechanism": "api"},
    "dependency": {"tool": "segment", "depends_on": "okta", "kind": "data"},
}
