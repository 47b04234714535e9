"""Import runs: every discovery import, committed or failed, is part of the record.

A committed run keeps its files, sources, who ran it and when, and the import summary (counts by
outcome and reason). The change records the import wrote carry `import-run:<id>` as their
request id, so a run lists exactly what it changed. A failed import writes nothing of what it
read (all-or-nothing) but is itself recorded, in its own transaction, with the reason it failed:
"someone tried to import this and it was refused" is worth knowing.
"""

from __future__ import annotations

import contextlib
import json
import typing as t
from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import scoped_session

from catalog.analysis.facts import RECENT_DAYS
from catalog.discovery_models import ImportRun
from catalog.models import ChangeRecord
from catalog.services.discovery_types import Plan
from catalog.services.discovery_write import apply_plan

PER_PAGE = 20


@contextlib.contextmanager
def tagging(session: Session, tag: str) -> t.Iterator[None]:
    """Stamp every change record flushed inside the block with `tag` as its request id."""
    real = session.registry() if isinstance(session, scoped_session) else session

    def stamp(sess: Session, _context: t.Any, _instances: t.Any) -> None:
        for obj in sess.new:
            if isinstance(obj, ChangeRecord) and obj.request_id is None:
                obj.request_id = tag

    sa.event.listen(real, "before_flush", stamp)
    try:
        yield
        real.flush()
    finally:
        sa.event.remove(real, "before_flush", stamp)


def stale_evidence(newest: date | None, today: date) -> dict[str, str] | None:
    """Return the 90-day-window note when the newest evidence is too old to count as in use."""
    since = today - timedelta(days=RECENT_DAYS)
    if newest is None or newest >= since:
        return None
    return {"newest": newest.isoformat(), "since": since.isoformat(), "days": str(RECENT_DAYS)}


def run_import(
    session: Session,
    plan: Plan,
    *,
    actor: str,
    via: str,
    confirm: t.Mapping[str, str] | None = None,
    today: date | None = None,
) -> dict[str, t.Any]:
    """Apply a plan as one recorded import run; return its summary. The caller commits."""
    run = ImportRun(actor=actor[:254], via=via, files=plan.files, sources=plan.sources)
    session.add(run)
    session.flush()
    with tagging(session, f"import-run:{run.id}"):
        summary = apply_plan(session, plan, actor=actor, confirm=confirm or {}, run_id=run.id)
    newest = date.fromisoformat(summary["newest_evidence"]) if summary["newest_evidence"] else None
    summary["stale"] = stale_evidence(newest, today or date.today())
    summary["run"] = run.id
    # JSON round trip: the stored counts are exactly what a reader of the run gets back.
    run.counts = json.loads(json.dumps(summary, default=str))
    run.changes = summary["changes"]
    return summary


def record_failure(
    session: Session, *, actor: str, via: str, files: list[str], sources: list[str], message: str
) -> ImportRun:
    """Record a refused import (call after rolling the import back; the caller commits)."""
    run = ImportRun(
        actor=actor[:254],
        via=via,
        files=files,
        sources=sources,
        status="failed",
        counts={},
        changes=0,
        message=message[:20000],
    )
    session.add(run)
    session.flush()
    return run


def page(session: Session, number: int, per_page: int = PER_PAGE) -> tuple[list[ImportRun], int]:
    """Return one page of runs, newest first, and the number of pages."""
    total = session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(number, 1), pages)
    runs = session.scalars(
        sa.select(ImportRun)
        .order_by(ImportRun.at.desc(), ImportRun.id.desc())
        .limit(per_page)
        .offset((number - 1) * per_page)
    )
    return list(runs), pages


def changes(
    session: Session, run: ImportRun, number: int, per_page: int = 100
) -> tuple[list[ChangeRecord], int]:
    """Return one page of the change records a run wrote, in order, and the number of pages."""
    where = ChangeRecord.request_id == f"import-run:{run.id}"
    total = session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord).where(where)) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(number, 1), pages)
    rows = session.scalars(
        sa.select(ChangeRecord)
        .where(where)
        .order_by(ChangeRecord.id)
        .limit(per_page)
        .offset((number - 1) * per_page)
    )
    return list(rows), pages
