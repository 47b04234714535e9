"""The demo stack: the bundled story of Northwind Outfitters, moved to today's date."""

from __future__ import annotations

import json
import typing as t
from datetime import date
from datetime import timedelta
from pathlib import Path

from catalog.services import records

DEMO_BUNDLE = Path(__file__).resolve().parent.parent / "data" / "demo.json"
# The demo's dates are written as of this day; loading shifts them so the story stays true.
ANCHOR = date(2026, 11, 22)

_DATE_FIELDS = {
    "tools": tuple(f.name for f in records.TOOL_FIELDS if f.kind == "date"),
    "sightings": tuple(f.name for f in records.SIGHTING_FIELDS if f.kind == "date"),
}


def shift_dates(bundle: t.Mapping[str, t.Any], days: int) -> dict[str, t.Any]:
    """Return a copy of a bundle with every tool and sighting date moved by `days` days."""
    shifted: dict[str, t.Any] = {}
    for section, items in bundle.items():
        names = _DATE_FIELDS.get(section, ())
        shifted[section] = [
            {k: _shift(v, days) if k in names else v for k, v in item.items()} for item in items
        ]
    return shifted


def _shift(value: t.Any, days: int) -> t.Any:
    if not isinstance(value, str) or not value:
        return value
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()


def demo_bundle(today: date) -> dict[str, t.Any]:
    """Return the demo bundle with its dates moved from the anchor day to `today`."""
    with DEMO_BUNDLE.open(encoding="utf-8") as fh:
        bundle = json.load(fh)
    return shift_dates(bundle, (today - ANCHOR).days)
