"""How a dump file is written and read: the value of each column type as JSON, and the file.

The format itself (a header line, then per table its columns and one line per row) is described
in `catalog.services.dump`, which writes and restores it with these helpers.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import typing as t
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

Codec = t.Callable[[t.Any], t.Any]

FORMAT = "martech-dump"
VERSION = 1
BATCH = 2000


class DumpError(Exception):
    """The dump cannot be restored here (or the database cannot be dumped); nothing was written."""


# Values ------------------------------------------------------------------------------------------


def encoder(column: sa.Column[t.Any]) -> Codec | None:
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


def decoder(column: sa.Column[t.Any]) -> Codec | None:
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


def codecs(
    columns: list[sa.Column[t.Any]], make: t.Callable[[sa.Column[t.Any]], Codec | None]
) -> list[tuple[int, Codec]]:
    return [(i, f) for i, c in enumerate(columns) if (f := make(c)) is not None]


def apply(row: list[t.Any], codecs: list[tuple[int, Codec]]) -> list[t.Any]:
    for i, f in codecs:
        if row[i] is not None:
            row[i] = f(row[i])
    return row


# Files ---------------------------------------------------------------------------------------


def open_dump(path: str | Path, mode: str) -> t.IO[str]:
    if mode == "r":  # a gzipped dump is read whatever its name
        with open(path, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
    else:
        gzipped = str(path).endswith(".gz")
    if mode == "w":
        os.close(private(path))  # only the owner may read it: it holds password hashes
    if gzipped:
        # Level 6: most of level 9's size for a third of its time on a catalog's repetitive text.
        return gzip.open(path, mode + "t", encoding="utf-8", compresslevel=6)  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def private(path: str | Path) -> int:
    """Create (or empty) `path` readable by its owner only; return the file descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)


def line(value: t.Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def order(table: sa.Table) -> list[sa.Column[t.Any]]:
    return list(table.primary_key.columns) or list(table.columns)


def sorted_in_python(table: sa.Table) -> bool:
    # PostgreSQL's locale collations ignore punctuation; text keys are sorted by code point here
    # so both databases write rows in the same order.
    return not all(isinstance(c.type, sa.Integer) for c in order(table))
