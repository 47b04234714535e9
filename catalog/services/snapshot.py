"""Read the whole catalog into the frozen records that `catalog.analysis` consumes."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.analysis.gcpause import collector_paused
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


def _class_sets() -> Callable[[str | None], frozenset[str]]:
    # A catalog holds a handful of distinct data-class lists over tens of thousands of rows, so
    # decode each JSON text once and share the (immutable) frozenset between rows.
    seen: dict[str | None, frozenset[str]] = {None: frozenset()}

    def decode(text: str | None) -> frozenset[str]:
        value = seen.get(text)
        if value is None:
            value = seen[text] = frozenset(json.loads(text) or ())  # type: ignore[arg-type]
        return value

    return decode


def _money(value: float | None) -> float | None:
    # Same value as float(Decimal) of a Numeric(14, 2) column: the stored amount to the cent.
    return None if value is None else round(value, 2)


def load_snapshot(session: Session) -> Snapshot:
    """Return the catalog as frozen records: one Core query per table, no ORM objects.

    JSON columns come back as text (decoded once per distinct value) and money as floats, and
    rows are unpacked by position: at 10,000 tools the ORM result layer and per-row JSON and
    Decimal conversions cost more than the audit itself.
    """
    with collector_paused():
        return _load(session)


def _load(session: Session) -> Snapshot:
    conn = session.connection()
    classes = _class_sets()
    person, tool, flow = Person.__table__.c, Tool.__table__.c, DataFlow.__table__.c
    dep, sighting = Dependency.__table__.c, Sighting.__table__.c
    people_rows = conn.execute(
        sa.select(person.id, person.email, person.name, person.department, person.active)
    ).all()
    email_of = {row[0]: row[1] for row in people_rows}
    slug_of: dict[int, str] = {}
    tools = []
    for (id_, slug, name, vendor, category, lifecycle, business, technical, data_classes, sor,
         sso, dpa, reviewed, cost, currency, seats, renewal, requested, decided,
         retired) in conn.execute(sa.select(
            tool.id, tool.slug, tool.name, tool.vendor, tool.category, tool.lifecycle,
            tool.business_owner_id, tool.technical_owner_id, sa.cast(tool.data_classes, sa.Text),
            tool.system_of_record, tool.sso_enabled, tool.dpa_signed, tool.security_reviewed,
            sa.cast(tool.annual_cost, sa.Float), tool.currency, tool.seats, tool.renewal_date,
            tool.requested_at, tool.decided_at, tool.retired_at)):
        slug_of[id_] = slug
        tools.append(ToolNode(
            slug=slug, name=name, vendor=vendor, category=category, lifecycle=lifecycle,
            business_owner=email_of.get(business), technical_owner=email_of.get(technical),
            data_classes=classes(data_classes), system_of_record=sor, sso_enabled=sso,
            dpa_signed=dpa, security_reviewed=reviewed, annual_cost=_money(cost),
            currency=currency, seats=seats, renewal_date=renewal, requested_at=requested,
            decided_at=decided, retired_at=retired,
        ))
    flows = tuple(
        FlowEdge(source=slug_of[source], target=slug_of[target],
                 data_classes=classes(data_classes), mechanism=mechanism, managed_by_it=managed,
                 anonymized=anonymized, active=active, frequency=frequency)
        for source, target, data_classes, mechanism, managed, anonymized, active, frequency
        in conn.execute(sa.select(
            flow.source_id, flow.target_id, sa.cast(flow.data_classes, sa.Text), flow.mechanism,
            flow.managed_by_it, flow.anonymized, flow.active, flow.frequency))
    )
    dependencies = tuple(
        DependencyEdge(tool=slug_of[tool_id], depends_on=slug_of[depends_on], kind=kind)
        for tool_id, depends_on, kind
        in conn.execute(sa.select(dep.tool_id, dep.depends_on_id, dep.kind))
    )
    sightings = tuple(
        SightingRec(source=source, observed_name=observed, tool=slug_of.get(tool_id),
                    first_seen=first, last_seen=last, users=users, events=events,
                    spend=_money(spend), currency=currency)
        for source, observed, tool_id, first, last, users, events, spend, currency
        in conn.execute(sa.select(
            sighting.source, sighting.observed_name, sighting.tool_id, sighting.first_seen,
            sighting.last_seen, sighting.users, sighting.events,
            sa.cast(sighting.spend, sa.Float), sighting.currency))
    )
    return Snapshot(
        people=tuple(PersonRec(email=email, name=name, department=department, active=active)
                     for _, email, name, department, active in people_rows),
        tools=tuple(tools),
        flows=flows,
        dependencies=dependencies,
        sightings=sightings,
        version=catalog_version(session),
    )
