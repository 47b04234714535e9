"""The catalog as it was: frozen records rebuilt from change-log entries (pure, no session).

Every create, update and delete is recorded with the record's whole state after it, so the
latest entry of each record up to a moment is the record as it was then (a delete leaves it
out). `catalog.services.history` reads those entries; this module turns them into a Snapshot
the audit accepts like the present one (docs/governance.md, "As of a date").
"""

from __future__ import annotations

import typing as t
from datetime import date

from catalog.analysis.snapshot import DependencyEdge
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import PersonRec
from catalog.analysis.snapshot import SightingRec
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.snapshot import ToolNode
from catalog.analysis.taxonomy import SHIPPED
from catalog.analysis.taxonomy import Taxonomy
from catalog.vocab import Lifecycle
from catalog.vocab import Mechanism

Record = t.Mapping[str, t.Any]
#: The change log's record types that make up a snapshot.
TYPES = ("person", "tool", "flow", "dependency", "sighting")


def _day(value: t.Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _money(value: t.Any) -> float | None:
    return None if value is None or value == "" else round(float(value), 2)


def snapshot_from_records(
    records: t.Mapping[str, t.Iterable[Record]], *, version: str, taxonomy: Taxonomy = SHIPPED
) -> Snapshot:
    """Return the Snapshot of these record states (by type, as the change log stores them).

    Flows, dependencies and sightings that point at a tool absent from `records` are left out
    (or unmatched), as the database's cascades would have done.

    >>> snap = snapshot_from_records({
    ...     "tool": [{"slug": "a", "name": "A", "lifecycle": "sanctioned", "data_classes": []},
    ...              {"slug": "b", "name": "B", "requested_at": "2026-01-02"}],
    ...     "flow": [{"source": "a", "target": "b", "mechanism": "api"},
    ...              {"source": "a", "target": "gone", "mechanism": "api"}]}, version="v")
    >>> [t.slug for t in snap.tools], [f.key for f in snap.flows], snap.tools[1].requested_at
    (['a', 'b'], ['a->b'], datetime.date(2026, 1, 2))
    """
    classes: dict[tuple[str, ...], frozenset[str]] = {}

    def class_set(value: t.Any) -> frozenset[str]:
        key = tuple(value or ())
        found = classes.get(key)
        if found is None:
            found = classes[key] = frozenset(key)
        return found

    tools = tuple(
        sorted(
            (
                ToolNode(
                    slug=r["slug"],
                    name=r.get("name") or "",
                    vendor=r.get("vendor") or "",
                    category=r.get("category"),
                    lifecycle=r.get("lifecycle") or Lifecycle.REQUESTED,
                    business_owner=r.get("business_owner"),
                    technical_owner=r.get("technical_owner"),
                    data_classes=class_set(r.get("data_classes")),
                    system_of_record=bool(r.get("system_of_record")),
                    sso_enabled=bool(r.get("sso_enabled")),
                    dpa_signed=bool(r.get("dpa_signed")),
                    security_reviewed=bool(r.get("security_reviewed")),
                    annual_cost=_money(r.get("annual_cost")),
                    currency=r.get("currency") or "USD",
                    seats=r.get("seats"),
                    renewal_date=_day(r.get("renewal_date")),
                    requested_at=_day(r.get("requested_at")),
                    decided_at=_day(r.get("decided_at")),
                    retired_at=_day(r.get("retired_at")),
                )
                for r in records.get("tool", ())
            ),
            key=lambda node: node.slug,
        )
    )
    slugs = {node.slug for node in tools}
    flows = tuple(
        FlowEdge(
            source=r["source"],
            target=r["target"],
            data_classes=class_set(r.get("data_classes")),
            mechanism=r.get("mechanism") or Mechanism.API,
            managed_by_it=bool(r.get("managed_by_it")),
            anonymized=bool(r.get("anonymized")),
            active=r.get("active", True) is not False,
            frequency=r.get("frequency") or "",
        )
        for r in records.get("flow", ())
        if r["source"] in slugs and r["target"] in slugs
    )
    dependencies = tuple(
        DependencyEdge(tool=r["tool"], depends_on=r["depends_on"], kind=r.get("kind") or "other")
        for r in records.get("dependency", ())
        if r["tool"] in slugs and r["depends_on"] in slugs
    )
    sightings = tuple(
        SightingRec(
            source=r["source"],
            observed_name=r["observed_name"],
            tool=r.get("tool") if r.get("tool") in slugs else None,
            first_seen=_day(r.get("first_seen")),
            last_seen=_day(r.get("last_seen")),
            users=int(r.get("users") or 0),
            events=int(r.get("events") or 0),
            spend=_money(r.get("spend")),
            currency=r.get("currency") or "USD",
        )
        for r in records.get("sighting", ())
    )
    people = tuple(
        PersonRec(
            email=r["email"],
            name=r.get("name") or "",
            department=r.get("department") or "",
            active=r.get("active", True) is not False,
        )
        for r in records.get("person", ())
    )
    return Snapshot(people, tools, flows, dependencies, sightings, version, taxonomy)
