"""The whole database as one file: dump, restore into an empty database, and SQLite backups.

A dump carries every table of the model (whatever later versions add), every column, ids
included, so that restoring it reproduces the catalog exactly: records, accounts, sign-offs,
settings, the change history and the scorecard's past. The file is JSON Lines, gzipped when its
name ends in .gz:

    {"format": "martech-dump", "version": 1, "alembic_revision": ..., "tables": [...]}
    {"table": "person", "columns": ["id", "email", ...]}
    [1, "ann@example.com", ...]                       one line per row, in primary-key order
    ...
    {"end": true, "rows": {"person": 12, ...}}        absent if the file was cut short

Values are encoded by column type, the same way whichever database they come from, so a dump of
a restored database is byte for byte the dump it was restored from.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import sqlite3
import typing as t
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Base

FORMAT = "martech-dump"
VERSION = 1
BATCH = 2000


class DumpError(Exception):
    """The dump cannot be restored here (or the database cannot be dumped); nothing was written."""


# Values ------------------------------------------------------------------------------------------


def _encoder(column: sa.Column) -> t.Callable[[t.Any], t.Any] | None:
    """Return how to turn a column's Python value into JSON (None: it is JSON already)."""
    kind = column.type
    if isinstance(kind, sa.DateTime):
        if kind.timezone:
            # SQLite hands back the UTC wall time without a zone; PostgreSQL an aware value.
            return lambda v: (
                (v if v.tzinfo else v.replace(tzinfo=UTC))
                .astimezone(UTC)
                .isoformat(timespec="microseconds")
            )
        return lambda v: v.isoformat(timespec="microseconds")
    if isinstance(kind, sa.Date | sa.Time):
        return lambda v: v.isoformat()
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return str  # exact: "1234.50", never a float
    if isinstance(kind, sa.LargeBinary):
        return lambda v: base64.b64encode(v).decode("ascii")
    if isinstance(kind, sa.Uuid):
        return str
    if isinstance(kind, sa.JSON | sa.Boolean | sa.Integer | sa.String | sa.Float):
        return None
    raise DumpError(f"{column.table.name}.{column.name}: cannot carry a {kind!r} column")


def _decoder(column: sa.Column) -> t.Callable[[t.Any], t.Any] | None:
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat
    if isinstance(kind, sa.Date):
        return date.fromisoformat
    if isinstance(kind, sa.Time):
        return time.fromisoformat
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return Decimal
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode
    if isinstance(kind, sa.Uuid):
        return uuid.UUID
    return None


def _codecs(columns: list[sa.Column], make: t.Callable) -> list[tuple[int, t.Callable]]:
    return [(i, f) for i, c in enumerate(columns) if (f := make(c)) is not None]


def _apply(row: list[t.Any], codecs: list[tuple[int, t.Callable]]) -> list[t.Any]:
    for i, f in codecs:
        if row[i] is not None:
            row[i] = f(row[i])
    return row


# Files ---------------------------------------------------------------------------------------


def _open(path: str | Path, mode: str) -> t.IO[str]:
    if mode == "r":  # a gzipped dump is read whatever its name
        with open(path, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
    else:
        gzipped = str(path).endswith(".gz")
    if mode == "w":
        os.close(_private(path))  # only the owner may read it: it holds password hashes
    if gzipped:
        # Level 6: most of level 9's size for a third of its time on a catalog's repetitive text.
        return gzip.open(path, mode + "t", encoding="utf-8", compresslevel=6)  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def _private(path: str | Path) -> int:
    """Create (or empty) `path` readable by its owner only; return the file descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)


def _line(value: t.Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def alembic_revision(conn: sa.Connection) -> str | None:
    """Return the schema revision Alembic recorded in this database (None: made without it)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    revisions = sorted(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    return ",".join(revisions) or None


def _order(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns) or list(table.columns)


def _sorted_in_python(table: sa.Table) -> bool:
    # PostgreSQL's locale collations ignore punctuation; text keys are sorted by code point here
    # so both databases write rows in the same order.
    return not all(isinstance(c.type, sa.Integer) for c in _order(table))


# Dump ----------------------------------------------------------------------------------------


def dump(session: Session, path: str | Path) -> dict[str, int]:
    """Write every table to `path` from one consistent read; return rows per table.

    The file is written beside its final name and renamed at the end, so an interrupted dump
    never leaves a file that looks complete.
    """
    engine = session.get_bind()
    # A connection of its own: the whole dump reads one snapshot of what is committed.
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    tables = Base.metadata.sorted_tables
    counts: dict[str, int] = {}
    target = Path(path)
    partial = target.with_name(target.name + ".partial" + (".gz" if target.suffix == ".gz" else ""))
    try:
        with engine.connect().execution_options(**options) as conn, _open(partial, "w") as out:
            out.write(
                _line(
                    {
                        "format": FORMAT,
                        "version": VERSION,
                        "alembic_revision": alembic_revision(conn),
                        "tables": [tb.name for tb in tables],
                    }
                )
            )
            for table in tables:
                counts[table.name] = _dump_table(conn, table, out)
            out.write(_line({"end": True, "rows": counts}))
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return counts


def _dump_table(conn: sa.Connection, table: sa.Table, out: t.IO[str]) -> int:
    columns = list(table.columns)
    codecs = _codecs(columns, _encoder)
    out.write(_line({"table": table.name, "columns": [c.name for c in columns]}))
    query = sa.select(*columns)
    if _sorted_in_python(table):
        at = [columns.index(c) for c in _order(table)]
        rows: t.Iterable[t.Any] = sorted(
            conn.execute(query).all(), key=lambda r: tuple((r[i] is not None, r[i]) for i in at)
        )
    else:
        rows = conn.execute(query.order_by(*_order(table)))
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    for row in rows:
        out.write(dumps(_apply(list(row), codecs)))
        out.write("\n")
        count += 1
    return count


# Restore -------------------------------------------------------------------------------------


def _read_header(lines: t.Iterator[str], path: str | Path) -> dict[str, t.Any]:
    try:
        header = json.loads(next(lines))
    except (StopIteration, ValueError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DumpError(f"{path} is not a martech dump (its first line is no dump header)")
    if header.get("version") != VERSION:
        raise DumpError(
            f"{path} is dump format version {header.get('version')}; this version "
            f"of the catalog reads version {VERSION}"
        )
    return header


def _check_target(conn: sa.Connection, header: dict[str, t.Any]) -> None:
    here = alembic_revision(conn)
    theirs = header.get("alembic_revision")
    if here is not None and theirs is not None and here != theirs:
        raise DumpError(
            f"the dump was taken at schema revision {theirs} and this database is at "
            f"{here}; run `martech db upgrade {theirs}` on an empty database, or "
            "restore with the version of the catalog that took the dump"
        )
    known = {tb.name for tb in Base.metadata.sorted_tables}
    unknown = [name for name in header.get("tables", []) if name not in known]
    if unknown:
        raise DumpError(
            f"the dump has tables this version of the catalog does not know: {', '.join(unknown)}"
        )
    existing = set(sa.inspect(conn).get_table_names())
    missing = sorted(known - existing)
    if missing:
        raise DumpError(
            f"this database has no {missing[0]} table; create the schema first "
            "(`martech db upgrade`)"
        )
    for table in Base.metadata.sorted_tables:
        if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            raise DumpError(
                f"this database is not empty ({table.name} has rows); restore only "
                "into a new, empty database"
            )


def restore(
    session: Session, path: str | Path, progress: t.Callable[[int], None] | None = None
) -> dict[str, int]:
    """Load a dump into an empty database in one transaction; return rows per table.

    Raise DumpError (nothing written) if the file is not a complete dump, the schema differs, or
    the database holds any row. The caller commits.
    """
    try:
        return _restore(session.connection(), path, progress)
    except (EOFError, OSError, UnicodeDecodeError) as exc:  # a damaged or cut gzip stream
        raise DumpError(f"{path} cannot be read to the end ({exc})") from None


def _restore(
    conn: sa.Connection, path: str | Path, progress: t.Callable[[int], None] | None
) -> dict[str, int]:
    counts: dict[str, int] = {}
    with _open(path, "r") as fh:
        lines = iter(fh)
        header = _read_header(lines, path)
        _check_target(conn, header)
        if conn.dialect.name == "sqlite":
            # Rows that point at a later row of their own table are fine once all are in.
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        table: sa.Table | None = None
        columns: list[sa.Column] = []
        codecs: list[tuple[int, t.Callable]] = []
        names: list[str] = []
        batch: list[dict[str, t.Any]] = []
        footer = None
        for number, text in enumerate(lines, start=2):
            try:
                item = json.loads(text)
            except ValueError:
                raise DumpError(f"{path}, line {number}: not valid JSON") from None
            if isinstance(item, list):
                if table is None or len(item) != len(names):
                    raise DumpError(f"{path}, line {number}: a row that fits no table header")
                try:
                    batch.append(dict(zip(names, _apply(item, codecs), strict=True)))
                except (ValueError, TypeError, ArithmeticError) as exc:  # a hand-edited value
                    raise DumpError(f"{path}, line {number}: {table.name}: {exc}") from None
                counts[table.name] += 1
                if len(batch) >= BATCH:
                    _insert(conn, table, batch, progress)
                continue
            if table is not None:
                _insert(conn, table, batch, progress)
            if isinstance(item, dict) and "table" in item:
                if item["table"] not in header["tables"] or not isinstance(
                    item.get("columns"), list
                ):
                    raise DumpError(
                        f"{path}, line {number}: a table header that does not "
                        "match the dump's header"
                    )
                table = Base.metadata.tables[item["table"]]
                names = list(item["columns"])
                unknown = [n for n in names if n not in table.c]
                if unknown:
                    raise DumpError(
                        f"{path}: {table.name}.{unknown[0]} is a column this "
                        "version of the catalog does not have"
                    )
                columns = [table.c[n] for n in names]
                codecs = _codecs(columns, _decoder)
                counts[table.name] = 0
            elif isinstance(item, dict) and item.get("end") is True:
                footer, table = item, None
                break
            else:
                raise DumpError(f"{path}, line {number}: neither a row nor a table header")
        if footer is None:
            raise DumpError(f"{path} ends before the end of the dump (cut short?)")
        if footer.get("rows") != counts:
            raise DumpError(f"{path}: the row counts do not match its footer")
    if conn.dialect.name == "sqlite":  # the deferred checks, now, while we can name the row
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
        if broken is not None:
            raise DumpError(
                f"{broken[0]}: the database refused a row (row {broken[1]} points "
                f"at a missing {broken[2]} row)"
            )
    reset_sequences(conn)
    return counts


def _insert(
    conn: sa.Connection,
    table: sa.Table,
    batch: list[dict[str, t.Any]],
    progress: t.Callable[[int], None] | None,
) -> None:
    if batch:
        try:
            conn.execute(table.insert(), batch)
        except sa.exc.DBAPIError as exc:  # a dump edited by hand, or of a damaged database
            raise DumpError(
                f"{table.name}: the database refused a row ({str(exc.orig).splitlines()[0]})"
            ) from None
        if progress is not None:
            progress(len(batch))
        batch.clear()


def reset_sequences(conn: sa.Connection) -> None:
    """Move PostgreSQL's id sequences past the restored ids, so the next insert gets a new one."""
    if conn.dialect.name != "postgresql":
        return  # SQLite takes the next rowid after the largest
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            quote = conn.dialect.identifier_preparer.quote
            name, col = quote(table.name), quote(column.name)
            conn.execute(
                sa.text(
                    f"SELECT setval(seq, coalesce((SELECT max({col}) FROM {name}), 1), "
                    f"(SELECT max({col}) FROM {name}) IS NOT NULL) "
                    "FROM pg_get_serial_sequence(:t, :c) AS seq WHERE seq IS NOT NULL"
                ),
                {"t": name, "c": column.name},
            )


# Backup --------------------------------------------------------------------------------------


def backup_sqlite(database: str, path: str | Path) -> int:
    """Copy a live SQLite database to `path` with SQLite's online backup API; return its pages.

    The copy is one step, so it is one consistent snapshot; in WAL mode writers carry on
    meanwhile. The copy is made beside its final name and renamed once it checks out, and it is
    switched out of WAL mode so that the one file is the whole database.
    """
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    os.close(_private(partial))  # the copy holds password hashes too
    source = sqlite3.connect(database, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if check != "ok":  # pragma: no cover - a damaged source database
        partial.unlink()
        raise DumpError(
            f"the backup failed its integrity check ({check}); {database} may be damaged"
        )
    os.replace(partial, target)
    return int(pages)
