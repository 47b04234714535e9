"""Refuse to commit a write to the catalog that records no change.

See docs/architecture.md#caches-and-invalidation.

Every cache of catalog-derived results, in this process and in every other server process on the
same database, is emptied when `catalog_version` moves, and it moves because every write adds a
change record. A write that forgot its record would leave every process serving the old audit,
graph and search results until something else changed. So the app's engines are watched: each
insert, update or delete statement notes its table on the connection (ORM flushes and Core
statements alike), and a commit that wrote to a table the caches read without also writing a
change record raises `UnrecordedWrite` before the database commits: nothing is saved, and the
missing `record_change` shows up in the first test of that path.
"""

from __future__ import annotations

import typing as t
import weakref

import sqlalchemy as sa

# The tables the cached results are computed from (the snapshot, findings' states, aliases in
# the search index, taxonomy additions). Others (accounts, notices, saved views, proposals) feed
# no cache: they may record their changes, but need not.
GUARDED = frozenset(
    {
        "person",
        "tool",
        "data_flow",
        "dependency",
        "sighting",
        "finding_state",
        "tool_alias",
        "taxonomy_entry",
    }
)
RECORD = "change_record"
_KEY = "catalog_written_tables"
_watched: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


class UnrecordedWrite(RuntimeError):
    """A transaction changed tables the caches read but recorded no change."""

    def __init__(self, tables: t.Iterable[str]) -> None:
        self.tables = sorted(tables)
        super().__init__(
            f"a write to {', '.join(self.tables)} recorded no change: call record_change() in "
            "the same transaction, or every process's caches keep the old catalog"
        )


def watch(engine: sa.Engine) -> None:
    """Check every commit on `engine` (once per engine; the app factory calls it)."""
    if engine in _watched:
        return
    _watched.add(engine)
    sa.event.listen(engine, "before_execute", _note)
    sa.event.listen(engine, "commit", _check)
    sa.event.listen(engine, "rollback", _forget)
    sa.event.listen(engine, "checkin", _forget_record)


def _note(
    conn: sa.Connection,
    statement: t.Any,
    multiparams: t.Any,
    params: t.Any,
    execution_options: t.Any,
) -> None:
    if getattr(statement, "is_dml", False):
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        if name is not None:
            conn.info.setdefault(_KEY, set()).add(name)


def _check(conn: sa.Connection) -> None:
    written: set[str] = conn.info.pop(_KEY, set())
    if RECORD not in written and written & GUARDED:
        raise UnrecordedWrite(written & GUARDED)


def _forget(conn: sa.Connection) -> None:
    conn.info.pop(_KEY, None)


def _forget_record(dbapi_connection: t.Any, record: t.Any) -> None:
    # A connection returned to the pool without commit or rollback through SQLAlchemy.
    if record is not None:
        record.info.pop(_KEY, None)
