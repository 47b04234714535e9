"""Running an importer over a file or bytes, and picking out one kind of item it gave."""

from __future__ import annotations

import io
from pathlib import Path

import integrations

# The sample exports, in the real formats.
DATA = Path(__file__).resolve().parent.parent / "data" / "discovery"


def parse(source: str, payload: Path | bytes) -> list:
    """Every item the `source` importer yields for a file or for raw bytes."""
    stream = io.BytesIO(payload) if isinstance(payload, bytes) else open(payload, "rb")
    with stream:
        return list(integrations.get_importer(source).parse(stream))


def of(items: list, kind: type) -> list:
    return [i for i in items if isinstance(i, kind)]
