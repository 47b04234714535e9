"""Frozen records of the catalog, the only input the analysis code accepts.

`catalog.services.snapshot.load_snapshot(session)` builds a `Snapshot` with one query per table.
Everything here is plain data: no ORM objects, no lazy loads, hashable, safe to cache.

The records use `slots`: about half the memory of a dict-backed instance at 100,000 tools, and
the fastest attribute reads the audit's loops can get (named tuples build faster but read
slower: measured, the audit lost more than the load gained).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from catalog.analysis.taxonomy import SHIPPED
from catalog.analysis.taxonomy import Taxonomy
from catalog.vocab import Lifecycle
from catalog.vocab import Mechanism


@dataclass(frozen=True, slots=True)
class PersonRec:
    email: str
    name: str = ""
    department: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class ToolNode:
    slug: str
    name: str = ""
    vendor: str = ""
    category: str | None = None
    lifecycle: str = Lifecycle.REQUESTED
    business_owner: str | None = None  # person email
    technical_owner: str | None = None  # person email
    data_classes: frozenset[str] = frozenset()
    system_of_record: bool = False
    sso_enabled: bool = False
    dpa_signed: bool = False
    security_reviewed: bool = False
    annual_cost: float | None = None
    currency: str = "USD"
    seats: int | None = None
    renewal_date: date | None = None
    requested_at: date | None = None
    decided_at: date | None = None
    retired_at: date | None = None


@dataclass(frozen=True, slots=True)
class FlowEdge:
    source: str
    target: str
    data_classes: frozenset[str] = frozenset()
    mechanism: str = Mechanism.API
    managed_by_it: bool = False
    anonymized: bool = False
    active: bool = True
    frequency: str = ""

    @property
    def key(self) -> str:
        return f"{self.source}->{self.target}"


@dataclass(frozen=True, slots=True)
class DependencyEdge:
    tool: str
    depends_on: str
    kind: str = "other"


@dataclass(frozen=True, slots=True)
class SightingRec:
    source: str
    observed_name: str
    tool: str | None = None  # slug once matched
    first_seen: date | None = None
    last_seen: date | None = None
    users: int = 0
    events: int = 0
    spend: float | None = None
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The whole catalog at one moment; `version` changes whenever anything in it changes.

    `taxonomy` is the one the catalog was loaded with (the analysis reads no other). `derived`
    holds what the analysis builds from the snapshot once and shares (its networkx graph, see
    `catalog.analysis.graph`): a snapshot never changes, so neither does anything built from
    it, and whoever keeps the snapshot keeps those with it. Not part of equality.
    """

    people: tuple[PersonRec, ...] = ()
    tools: tuple[ToolNode, ...] = ()
    flows: tuple[FlowEdge, ...] = ()
    dependencies: tuple[DependencyEdge, ...] = ()
    sightings: tuple[SightingRec, ...] = ()
    version: str = field(default="0")
    taxonomy: Taxonomy = SHIPPED
    derived: dict[str, t.Any] = field(default_factory=dict, init=False, repr=False, compare=False)
