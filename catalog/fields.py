"""The fields of each record type (docs/formats.md#records): names, kinds, defaults, limits.

Pure data, read by the services (validation, the registers, the field permissions), the forms,
the OpenAPI document and the parse-only importers alike, so a field is declared once.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from catalog.vocab import DATA_CLASSES
from catalog.vocab import DEPENDENCY_KINDS
from catalog.vocab import LIFECYCLES
from catalog.vocab import MECHANISMS
from catalog.vocab import DependencyKind
from catalog.vocab import Lifecycle


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, bool, date, int, money, choice, choices, email, slug, url, currency, category
    default: t.Any = None
    required: bool = False
    max_length: int = 200
    choices: tuple[str, ...] = ()
    multiline: bool = False  # text that may hold newlines (descriptions)
    # The record type this field names by its key ("person" by e-mail, "tool" by slug); the row
    # stores the id in `<name>_id` and the object is reached through the relationship `<name>`.
    refers: str | None = None
    # IT's decision: a marketer's change to it waits for IT as a proposal (docs/governance.md).
    it: bool = False


PERSON_FIELDS = (
    Field("email", "email", required=True),
    Field("name", "text", default=""),
    Field("department", "text", default="", max_length=100),
    Field("active", "bool", default=True),
)

TOOL_FIELDS = (
    Field("slug", "slug"),
    Field("name", "text", required=True),
    Field("vendor", "text", default=""),
    Field("description", "text", default="", max_length=10_000, multiline=True),
    Field("website", "url", default="", max_length=500),
    Field("category", "category"),
    Field("lifecycle", "choice", default=Lifecycle.REQUESTED, choices=LIFECYCLES, it=True),
    Field("business_owner", "email", refers="person"),
    Field("technical_owner", "email", refers="person"),
    Field("data_classes", "choices", default=(), choices=DATA_CLASSES),
    Field("system_of_record", "bool", default=False, it=True),
    Field("sso_enabled", "bool", default=False, it=True),
    Field("dpa_signed", "bool", default=False, it=True),
    Field("security_reviewed", "bool", default=False, it=True),
    Field("annual_cost", "money"),
    Field("currency", "currency", default="USD"),
    Field("seats", "int"),
    Field("renewal_date", "date"),
    Field("requested_at", "date", it=True),
    Field("decided_at", "date", it=True),
    Field("retired_at", "date", it=True),
)

FLOW_FIELDS = (
    Field("source", "slug", required=True, refers="tool"),
    Field("target", "slug", required=True, refers="tool"),
    Field("data_classes", "choices", default=(), choices=DATA_CLASSES),
    Field("mechanism", "choice", required=True, choices=MECHANISMS),
    Field("managed_by_it", "bool", default=False, it=True),
    Field("anonymized", "bool", default=False, it=True),
    Field("frequency", "text", default="", max_length=100),
    Field("description", "text", default="", max_length=10_000, multiline=True),
    Field("active", "bool", default=True),
)

DEPENDENCY_FIELDS = (
    Field("tool", "slug", required=True, refers="tool"),
    Field("depends_on", "slug", required=True, refers="tool"),
    Field("kind", "choice", default=DependencyKind.OTHER, choices=DEPENDENCY_KINDS),
    Field("description", "text", default="", max_length=10_000, multiline=True),
)

SIGHTING_FIELDS = (
    Field("source", "text", required=True, max_length=40),
    Field("observed_name", "text", required=True, max_length=500),
    Field("tool", "slug", refers="tool"),
    Field("first_seen", "date"),
    Field("last_seen", "date"),
    Field("users", "int", default=0),
    Field("events", "int", default=0),
    Field("spend", "money"),
    Field("currency", "currency", default="USD"),
)


def it_fields(fields: tuple[Field, ...]) -> tuple[str, ...]:
    """Return the names of the fields that are IT's decision, in declaration order."""
    return tuple(f.name for f in fields if f.it)
