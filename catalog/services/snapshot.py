"""Read the whole catalog into the frozen records that `catalog.analysis` consumes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.analysis.snapshot import DependencyEdge
from catalog.analysis.snapshot import FlowEdge
from catalog.analysis.snapshot import PersonRec
from catalog.analysis.snapshot import SightingRec
from catalog.analysis.snapshot import Snapshot
from catalog.analysis.snapshot import ToolNode
from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Sighting
from catalog.models import Tool


def catalog_version(session: Session) -> str:
    """Return a token that changes whenever the catalog changes (every change is recorded)."""
    last, tools = session.execute(
        sa.select(sa.select(sa.func.max(ChangeRecord.id)).scalar_subquery(),
                  sa.select(sa.func.count(Tool.id)).scalar_subquery())
    ).one()
    return f"{last or 0}.{tools}"


def load_snapshot(session: Session) -> Snapshot:
    """Return the catalog as frozen records: one query per table, no ORM objects."""
    people = session.execute(
        sa.select(Person.id, Person.email, Person.name, Person.department, Person.active)
    ).all()
    email_of = {row.id: row.email for row in people}
    tool_rows = session.execute(
        sa.select(
            Tool.id, Tool.slug, Tool.name, Tool.vendor, Tool.category, Tool.lifecycle,
            Tool.business_owner_id, Tool.technical_owner_id, Tool.data_classes,
            Tool.system_of_record, Tool.sso_enabled, Tool.dpa_signed, Tool.security_reviewed,
            Tool.annual_cost, Tool.currency, Tool.seats, Tool.renewal_date, Tool.requested_at,
            Tool.decided_at, Tool.retired_at,
        )
    ).all()
    slug_of = {row.id: row.slug for row in tool_rows}
    tools = tuple(
        ToolNode(
            slug=r.slug, name=r.name, vendor=r.vendor, category=r.category, lifecycle=r.lifecycle,
            business_owner=email_of.get(r.business_owner_id),
            technical_owner=email_of.get(r.technical_owner_id),
            data_classes=frozenset(r.data_classes or ()), system_of_record=r.system_of_record,
            sso_enabled=r.sso_enabled, dpa_signed=r.dpa_signed,
            security_reviewed=r.security_reviewed,
            annual_cost=float(r.annual_cost) if r.annual_cost is not None else None,
            currency=r.currency, seats=r.seats, renewal_date=r.renewal_date,
            requested_at=r.requested_at, decided_at=r.decided_at, retired_at=r.retired_at,
        )
        for r in tool_rows
    )
    flows = tuple(
        FlowEdge(
            source=slug_of[r.source_id], target=slug_of[r.target_id],
            data_classes=frozenset(r.data_classes or ()), mechanism=r.mechanism,
            managed_by_it=r.managed_by_it, anonymized=r.anonymized, active=r.active,
            frequency=r.frequency,
        )
        for r in session.execute(
            sa.select(DataFlow.source_id, DataFlow.target_id, DataFlow.data_classes,
                      DataFlow.mechanism, DataFlow.managed_by_it, DataFlow.anonymized,
                      DataFlow.active, DataFlow.frequency)
        )
    )
    dependencies = tuple(
        DependencyEdge(tool=slug_of[r.tool_id], depends_on=slug_of[r.depends_on_id], kind=r.kind)
        for r in session.execute(
            sa.select(Dependency.tool_id, Dependency.depends_on_id, Dependency.kind)
        )
    )
    sightings = tuple(
        SightingRec(
            source=r.source, observed_name=r.observed_name, tool=slug_of.get(r.tool_id),
            first_seen=r.first_seen, last_seen=r.last_seen, users=r.users, events=r.events,
            spend=float(r.spend) if r.spend is not None else None, currency=r.currency,
        )
        for r in session.execute(
            sa.select(Sighting.source, Sighting.observed_name, Sighting.tool_id,
                      Sighting.first_seen, Sighting.last_seen, Sighting.users, Sighting.events,
                      Sighting.spend, Sighting.currency)
        )
    )
    return Snapshot(
        people=tuple(PersonRec(r.email, r.name, r.department, r.active) for r in people),
        tools=tools,
        flows=flows,
        dependencies=dependencies,
        sightings=sightings,
        version=catalog_version(session),
    )
