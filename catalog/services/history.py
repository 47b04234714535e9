"""The catalog as it was on any day, rebuilt from the change log (docs/governance.md).

`snapshot_as_of(session, day)` reads the latest change-log entry of every person, tool, flow,
dependency and sighting recorded up to the end of `day` (UTC) and rebuilds the catalog from
their states; the audit, the scorecard's trends and the compare view run over it. Entries are
written by the services (`entities.record_change`), dated now, or at the moment given by
`recorded_at` (a setup that loads a story with its past, like the demo).
"""

from __future__ import annotations

import json
import typing as t
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import taxonomy
from catalog.analysis.gcpause import collector_paused
from catalog.analysis.history import TYPES
from catalog.analysis.history import snapshot_from_records
from catalog.analysis.snapshot import Snapshot
from catalog.models import ChangeRecord


def end_of(day: date) -> datetime:
    """The first moment after `day` (UTC): entries before it are part of that day's catalog."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def is_past(day: date) -> bool:
    """True when `day` is before today (UTC): its catalog comes from the change log."""
    return day < datetime.now(UTC).date()


def states_as_of(session: Session, day: date) -> dict[str, list[dict[str, t.Any]]]:
    """Return the state of every record at the end of `day`, by type (deleted ones left out)."""
    cr = ChangeRecord.__table__.c
    ranked = (
        sa.select(
            cr.object_type,
            cr.object_key,
            sa.cast(cr.after, sa.Text).label("after"),
            sa.func.row_number()
            .over(
                partition_by=(cr.object_type, cr.object_key), order_by=(cr.at.desc(), cr.id.desc())
            )
            .label("n"),
        )
        .where(cr.object_type.in_(TYPES), cr.at < end_of(day))
        .subquery()
    )
    rows = session.execute(
        sa.select(ranked.c.object_type, ranked.c.after).where(ranked.c.n == 1)
    ).all()
    states: dict[str, list[dict[str, t.Any]]] = {kind: [] for kind in TYPES}
    for kind, after in rows:
        if after is not None and after != "null":
            states[str(kind)].append(json.loads(str(after)))
    return states


def snapshot_as_of(session: Session, day: date, *, version: str) -> Snapshot:
    """Return the catalog as it was at the end of `day`."""
    with collector_paused():
        return snapshot_from_records(
            states_as_of(session, day), version=f"{version}@{day}", taxonomy=taxonomy.current()
        )


def first_day(session: Session) -> date | None:
    """The day of the first change record: the catalog's history starts there."""
    first = session.scalar(sa.select(sa.func.min(ChangeRecord.at)))
    if first is None:
        return None
    return first.date() if isinstance(first, datetime) else date.fromisoformat(str(first)[:10])
