"""A stand-in importer for discovery-service tests: reads one JSON item per line and yields the
records of the importer contract (`integrations.base`) as written.

The service side (unclassified spend, platform apps, import runs) is tested against the contract
itself, independent of how each real parser decides; the real parsers have their own tests.
"""

from __future__ import annotations

import json
import typing as t
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import integrations
from integrations.base import BadRow
from integrations.base import Importer
from integrations.base import Item
from integrations.base import Observation
from integrations.base import Skipped
from integrations.base import Unclassified
from integrations.base import Warning_


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _amount(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


class JsonItems(Importer):
    """`{"type": "obs" | "unclassified" | "skip" | "bad", ...}` per line."""

    name = "card_csv"
    label = "test items"

    def __init__(self, columns: dict[str, str] | None = None) -> None:
        self.columns = columns

    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        if self.columns:  # shows the test that the option reached the importer
            yield Warning_("options", f"columns {sorted(self.columns.items())}")
        for number, raw in enumerate(stream, start=1):
            where = f"row {number}"
            d = json.loads(raw)
            kind = d.pop("type")
            if kind == "obs":
                yield Observation(
                    d["app"],
                    d.get("app_id"),
                    d.get("user"),
                    _day(d.get("day")),
                    _amount(d.get("spend")),
                    d.get("currency"),
                    platform=d.get("platform"),
                )
            elif kind == "unclassified":
                yield Unclassified(
                    where,
                    d["merchant"],
                    d.get("raw", d["merchant"].upper()),
                    _day(d.get("day")),
                    _amount(d.get("amount")),
                    d.get("currency", "USD"),
                    d.get("user"),
                    d.get("reason", "no category, not a known vendor"),
                )
            elif kind == "skip":
                yield Skipped(where, d["reason"])
            else:
                yield BadRow(where, d["message"])


def use_items(monkeypatch: pytest.MonkeyPatch, *sources: str) -> None:
    """Make `sources` (default card_csv) read JSON item files."""
    for source in sources or ("card_csv",):
        cls = type(f"JsonItems_{source}", (JsonItems,), {"name": source})
        monkeypatch.setitem(integrations.IMPORTERS, source, cls)


def write_items(path: Path, *items: dict[str, t.Any]) -> str:
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    return str(path)


def line(merchant: str, day: str, amount: str, **kw: t.Any) -> dict[str, t.Any]:
    return {"type": "unclassified", "merchant": merchant, "day": day, "amount": amount} | kw


def obs(app: str, day: str, **kw: t.Any) -> dict[str, t.Any]:
    return {"type": "obs", "app": app, "day": day} | kw
