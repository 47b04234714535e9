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

import contextlib
import json
import os
import sqlite3
import typing as t
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Base
from catalog.services import dump_format
from catalog.services.dump_format import BATCH
from catalog.services.dump_format import FORMAT
from catalog.services.dump_format import VERSION
from catalog.services.dump_format import DumpError as DumpError


def alembic_revision(conn: sa.Connection) -> str | None:
    """Return the schema revision Alembic recorded in this database (None: made without it)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    rows: list[t.Any] = list(conn.execute(sa.text("SELECT version_num FROM alembic_version")))
    revisions = sorted(str(row[0]) for row in rows)
    return ",".join(revisions) or None


# Dump ----------------------------------------------------------------------------------------


def dump(session: Session, path: str | Path) -> dict[str, int]:
    """Write every table to `path` from one consistent read; return rows per table.

    The file is written beside its final name and renamed at the end, so an interrupted dump
    never leaves a file that looks complete.
    """
    bind = session.get_bind()
    engine = bind if isinstance(bind, sa.Engine) else bind.engine
    # A connection of its own: the whole dump reads one snapshot of what is committed.
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    tables = Base.metadata.sorted_tables
    counts: dict[str, int] = {}
    target = Path(path)
    partial = target.with_name(target.name + ".partial" + (".gz" if target.suffix == ".gz" else ""))
    try:
        with (
            engine.connect().execution_options(**options) as conn,
            dump_format.open_dump(partial, "w") as out,
        ):
            out.write(
                dump_format.line(
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
            out.write(dump_format.line({"end": True, "rows": counts}))
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return counts


def _dump_table(conn: sa.Connection, table: sa.Table, out: t.IO[str]) -> int:
    columns = list(table.columns)
    codecs = dump_format.codecs(columns, dump_format.encoder)
    out.write(dump_format.line({"table": table.name, "columns": [c.name for c in columns]}))
    query = sa.select(*columns)
    if dump_format.sorted_in_python(table):
        at = [columns.index(c) for c in dump_format.order(table)]
        rows: t.Iterable[t.Any] = sorted(
            conn.execute(query).all(), key=lambda r: tuple((r[i] is not None, r[i]) for i in at)
        )
    else:
        rows = conn.execute(query.order_by(*dump_format.order(table)))
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    for row in rows:
        out.write(dumps(dump_format.apply(list(row), codecs)))
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
    with dump_format.open_dump(path, "r") as fh:
        lines = iter(fh)
        header = _read_header(lines, path)
        _check_target(conn, header)
        if conn.dialect.name == "sqlite":
            # Rows that point at a later row of their own table are fine once all are in.
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        table: sa.Table | None = None
        columns: list[sa.Column[t.Any]] = []
        codecs: list[tuple[int, dump_format.Codec]] = []
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
                    batch.append(dict(zip(names, dump_format.apply(item, codecs), strict=True)))
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
                codecs = dump_format.codecs(columns, dump_format.decoder)
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
    os.close(dump_format.private(partial))  # the copy holds password hashes too
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
