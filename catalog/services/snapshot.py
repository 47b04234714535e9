"""Read the whole catalog into the frozen records that `catalog.analysis` consumes."""

from __future__ import annotations

import json
import typing as t
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import taxonomy
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
from catalog.services import caches


def catalog_version(session: Session) -> str:
    """Return a token that changes whenever the catalog changes (every change is recorded).

    Every cache of analyses and pictures keys on it, so it must also tell two databases apart
    (one process can serve several, as the tests do, whose ids restart after a truncate): the
    database URL (password hidden) and the time of the last change go into it.
    """
    last, at, tools = session.execute(
        sa.select(
            sa.select(sa.func.max(ChangeRecord.id)).scalar_subquery(),
            sa.select(ChangeRecord.at).order_by(ChangeRecord.id.desc()).limit(1).scalar_subquery(),
            sa.select(sa.func.count(Tool.id)).scalar_subquery(),
        )
    ).one()
    return f"{session.get_bind().engine.url}|{last or 0}.{tools}|{at}"


def current_snapshot(session: Session, version: str | None = None) -> Snapshot:
    """Return the catalog's snapshot, loaded once per catalog version (the "snapshot" region).

    Every cached analysis of one version (the audit, the graph's marks, the networkx graph the
    analysis memoizes on the snapshot) then starts from the same frozen records. `version` is the
    catalog_version() the caller already read, if any (one query less).
    """
    store = caches.current()
    version = version if version is not None else catalog_version(session)
    store.check(version)
    region = store.region("snapshot")
    snapshot: Snapshot | None = region.get(version)
    if snapshot is None:
        snapshot = load_snapshot(session)
        # A write between the two reads: the records are newer than `version`, so keep them
        # only under their own version.
        if snapshot.version == version:
            region.put(version, snapshot)
    return snapshot


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
    """Return the catalog as frozen records: one query per table, no ORM objects.

    The statements are SQLAlchemy Core, but their rows are read straight from the DB-API
    cursor: at 10,000 tools SQLAlchemy's result layer (a Row and type processors per row) costs
    as much as the audit itself, about twice the cursor's own time. The few conversions the
    result layer would make are done here, once per value: JSON lists arrive as text (decoded
    once per distinct text), money as floats, and on SQLite booleans as 0/1 and dates as ISO
    text.
    """
    with collector_paused():
        return _load(session)


def _reader(
    session: Session,
) -> tuple[Callable[[sa.Select[t.Any]], list[t.Any]], Callable[[t.Any], date | None]]:
    conn = session.connection()
    dialect = conn.dialect
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def rows(statement: sa.Select[t.Any]) -> list[t.Any]:
        # The statements take no parameters, so their compiled text is the whole query.
        cursor.execute(str(statement.compile(dialect=dialect)))
        return t.cast(list[t.Any], cursor.fetchall())

    if dialect.name == "sqlite":
        return rows, _iso_date
    return rows, _same


def _iso_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _same(value: t.Any) -> t.Any:
    return value


def _load(session: Session) -> Snapshot:
    rows, day = _reader(session)
    classes = _class_sets()
    person, tool, flow = Person.__table__.c, Tool.__table__.c, DataFlow.__table__.c
    dep, sighting = Dependency.__table__.c, Sighting.__table__.c
    people_rows = rows(
        sa.select(person.id, person.email, person.name, person.department, person.active)
    )
    email_of = {row[0]: row[1] for row in people_rows}
    slug_of: dict[int, str] = {}
    tools = []
    for (
        id_,
        slug,
        name,
        vendor,
        category,
        lifecycle,
        business,
        technical,
        data_classes,
        sor,
        sso,
        dpa,
        reviewed,
        cost,
        currency,
        seats,
        renewal,
        requested,
        decided,
        retired,
    ) in rows(
        sa.select(
            tool.id,
            tool.slug,
            tool.name,
            tool.vendor,
            tool.category,
            tool.lifecycle,
            tool.business_owner_id,
            tool.technical_owner_id,
            sa.cast(tool.data_classes, sa.Text),
            tool.system_of_record,
            tool.sso_enabled,
            tool.dpa_signed,
            tool.security_reviewed,
            sa.cast(tool.annual_cost, sa.Float),
            tool.currency,
            tool.seats,
            tool.renewal_date,
            tool.requested_at,
            tool.decided_at,
            tool.retired_at,
        )
    ):
        slug_of[id_] = slug
        tools.append(
            ToolNode(
                slug=slug,
                name=name,
                vendor=vendor,
                category=category,
                lifecycle=lifecycle,
                business_owner=email_of.get(business),
                technical_owner=email_of.get(technical),
                data_classes=classes(data_classes),
                system_of_record=bool(sor),
                sso_enabled=bool(sso),
                dpa_signed=bool(dpa),
                security_reviewed=bool(reviewed),
                annual_cost=_money(cost),
                currency=currency,
                seats=seats,
                renewal_date=day(renewal),
                requested_at=day(requested),
                decided_at=day(decided),
                retired_at=day(retired),
            )
        )
    flows = tuple(
        FlowEdge(
            source=slug_of[source],
            target=slug_of[target],
            data_classes=classes(data_classes),
            mechanism=mechanism,
            managed_by_it=bool(managed),
            anonymized=bool(anonymized),
            active=bool(active),
            frequency=frequency,
        )
        for source, target, data_classes, mechanism, managed, anonymized, active, frequency in rows(
            sa.select(
                flow.source_id,
                flow.target_id,
                sa.cast(flow.data_classes, sa.Text),
                flow.mechanism,
                flow.managed_by_it,
                flow.anonymized,
                flow.active,
                flow.frequency,
            )
        )
    )
    dependencies = tuple(
        DependencyEdge(tool=slug_of[tool_id], depends_on=slug_of[depends_on], kind=kind)
        for tool_id, depends_on, kind in rows(sa.select(dep.tool_id, dep.depends_on_id, dep.kind))
    )
    sightings = tuple(
        SightingRec(
            source=source,
            observed_name=observed,
            tool=slug_of.get(tool_id),
            first_seen=day(first),
            last_seen=day(last),
            users=users,
            events=events,
            spend=_money(spend),
            currency=currency,
        )
        for source, observed, tool_id, first, last, users, events, spend, currency in rows(
            sa.select(
                sighting.source,
                sighting.observed_name,
                sighting.tool_id,
                sighting.first_seen,
                sighting.last_seen,
                sighting.users,
                sighting.events,
                sa.cast(sighting.spend, sa.Float),
                sighting.currency,
            )
        )
    )
    return Snapshot(
        people=tuple(
            PersonRec(email=email, name=name, department=department, active=bool(active))
            for _, email, name, department, active in people_rows
        ),
        tools=tuple(tools),
        flows=flows,
        dependencies=dependencies,
        sightings=sightings,
        version=catalog_version(session),
        taxonomy=taxonomy.current(),
    )
