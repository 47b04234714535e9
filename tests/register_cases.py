"""The registers the shared page tests (test_register_views.py) run against, one `Case` each.

Like NetBox's `utilities/testing/views.py`: a case says how to make one record, what a valid and
an invalid form look like, what someone else changes under an open form, and what the delete
confirmation must list; the tests are written once for all of them.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa

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
from tests.pages import tools


@dataclass(frozen=True)
class Register:
    prefix: str  # where the register's pages live
    model: type
    save: t.Callable[..., t.Any]  # the service's save, for someone else's change
    record: t.Callable[[t.Any], dict[str, t.Any]]  # the record's fields, as a form posts them
    key: str = "id"  # the column naming a record in URLs


REGISTERS = {
    "tool": Register("/tools", Tool, entities.save_tool, records.tool_record, "slug"),
    "person": Register("/people", Person, entities.save_person, records.person_record),
    "flow": Register("/flows", DataFlow, entities.save_flow, records.flow_record),
    "dependency": Register(
        "/dependencies", Dependency, entities.save_dependency, records.dependency_record
    ),
}


@dataclass(frozen=True)
class Case:
    kind: str  # the change log's object type, and the keyword the service's save takes
    make: t.Callable[[t.Any], t.Any]  # make(session) -> the record to edit and delete
    shown: str  # the record's label, as the list shows it
    goes: tuple[str, ...]  # what the delete confirmation lists
    it_may_change: bool  # IT may edit and delete it (else only an administrator may)
    setup: t.Callable[[t.Any], t.Any] = field(default=lambda s: None)
    prefill: tuple[str, str] | None = None  # a query argument that prefills the create form
    unknown: str = "999"  # a key no record has

    def __str__(self) -> str:
        return self.kind

    def __getattr__(self, name: str) -> t.Any:
        # Only for what the dataclass lacks: prefix, model, save and record are the register's.
        return getattr(REGISTERS[self.kind], name)

    def key_of(self, obj: t.Any) -> t.Any:
        return getattr(obj, REGISTERS[self.kind].key)

    def get(self, session: t.Any, key: t.Any) -> t.Any:
        model = self.model
        return session.scalar(
            sa.select(model).where(getattr(model, REGISTERS[self.kind].key) == key)
        )


CASES = [
    Case(
        kind="tool",
        setup=tools("crm"),
        make=lambda s: (
            make_tool(s, slug="zapier", name="Zapier", vendor="Zapier"),
            make_flow(s, "crm", "zapier"),
        )[0],
        shown="Zapier",
        goes=("1 data flow", "Crm → Zapier"),
        it_may_change=True,
        unknown="no-such-tool",
    ),
    Case(
        kind="person",
        setup=lambda s: (
            make_person(s, email="ann@example.com", name="Ann", department="marketing"),
            make_tool(s, slug="looker", name="Looker", business_owner="ann@example.com"),
        ),
        make=lambda s: entities.person_by_email(s, "ann@example.com"),
        shown="Ann",
        goes=("1 tool will lose this owner", 'href="/tools/looker"'),
        it_may_change=False,
    ),
    Case(
        kind="flow",
        setup=tools("shopify", "klaviyo", "segment"),
        make=lambda s: make_flow(s, "shopify", "klaviyo", data_classes=["contact_pii"]),
        shown="Klaviyo",
        prefill=("source", "shopify"),  # the tool page's "add a flow" links
        goes=("api flow carrying", "Contact PII", "only this flow goes"),
        it_may_change=True,
    ),
    Case(
        kind="dependency",
        setup=tools("segment", "okta", "hubspot"),
        make=lambda s: make_dependency(s, "segment", "okta"),
        prefill=("tool", "segment"),
        shown="Okta",
        goes=("only this data dependency goes",),
        it_may_change=True,
    ),
]

BY_KIND = {case.kind: case for case in CASES}

# A valid create form of each register, the change log key of what it creates and where it leads.
CREATED = {
    "tool": ({"name": "Canva", "lifecycle": "requested"}, "canva", "/tools/canva"),
    "person": ({"email": "bo@example.com", "department": "it"}, "bo@example.com", "/people"),
    "flow": (
        {"source": "segment", "target": "klaviyo", "mechanism": "api"},
        "segment->klaviyo (api)",
        "/tools/segment",
    ),
    "dependency": (
        {"tool": "hubspot", "depends_on": "okta", "kind": "data"},
        "hubspot->okta",
        "/tools/hubspot",
    ),
}
# The field an edit changes (and to what), and someone else's change under the open form
# (field, value, and the value as the conflict table shows it).
EDITS = {
    "tool": (("name", "Zapier Pro"), ("vendor", "Zapier Inc.", "Zapier Inc.")),
    "person": (("name", "Ann B."), ("department", "it", "it")),
    "flow": (("frequency", "daily"), ("managed_by_it", True, "yes")),
    "dependency": (("description", "SSO"), ("kind", "identity", "identity")),
}

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
