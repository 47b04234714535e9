"""A plain CSV of tools for bulk registration; its columns are the tool record fields."""

from __future__ import annotations

import re
import typing as t

from catalog.fields import TOOL_FIELDS
from integrations.base import BadRow
from integrations.base import CsvRows
from integrations.base import Importer
from integrations.base import Item
from integrations.base import ParseError
from integrations.base import ToolRecord
from integrations.base import cell

FIELD_KINDS = {f.name: f.kind for f in TOOL_FIELDS}
TRUE = {"true", "yes", "y", "1", "x"}
FALSE = {"false", "no", "n", "0"}
_LIST_SPLIT = re.compile(r"[;,|]")


class CatalogCsvImporter(Importer):
    name = "catalog_csv"
    label = "Catalog CSV (one tool per row, tool record fields as columns)"
    produces = "tools"

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield a tool record per row; an empty cell leaves that field as it is."""
        rows = CsvRows(stream, label="catalog")
        columns = [h.replace(" ", "_") for h in rows.header]
        unknown = [h for h in columns if h and h not in FIELD_KINDS]
        if unknown:
            raise ParseError(
                f"unknown column(s) {', '.join(unknown[:10])}; the columns are the "
                f"tool fields: {', '.join(FIELD_KINDS)}",
                where="row 1",
            )
        if "name" not in columns and "slug" not in columns:
            raise ParseError(
                "this is not a catalog CSV: it needs a name or slug column", where="row 1"
            )
        for number, row in rows:
            where = f"row {number}"
            raw: dict[str, t.Any] = {}
            problems = []
            for position, column in enumerate(columns):
                value = cell(row, position)
                if not column or value == "":
                    continue
                try:
                    raw[column] = _convert(FIELD_KINDS[column], value)
                except ValueError as exc:
                    problems.append(f"{column}: {exc}")
            if problems:
                yield BadRow(where, "; ".join(problems))
            elif raw:
                yield ToolRecord(where, raw)


def _bool(value: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ValueError(f"{value[:20]!r} is not yes or no")


def _int(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise ValueError(f"{value[:20]!r} is not a whole number")
    return int(value)


def _list(value: str) -> list[str]:
    return [v.strip() for v in _LIST_SPLIT.split(value) if v.strip()]


# A cell is text; the kinds JSON writes otherwise are read here, the rest is left to `records`.
CELL_CONVERTERS: dict[str, t.Callable[[str], t.Any]] = {
    "bool": _bool,
    "int": _int,
    "choices": _list,
}


def _convert(kind: str, value: str) -> t.Any:
    convert = CELL_CONVERTERS.get(kind)
    return convert(value) if convert is not None else value
