"""Every cache of catalog-derived results, in one object per app.

See docs/architecture.md#caches-and-invalidation.

A `CatalogCaches` holds named, bounded regions (the audit, the tool list's governance, the search
index, rendered graphs ...). Each region registers with the object, and one version check clears
them all: every cached lookup passes the `catalog_version` it read from the database, and when that
version differs from the last one seen, every region is emptied before anything is looked up.
The version comes from the database, not from this process, so a write made by another server
process (several `martech serve` share one PostgreSQL) empties this process's regions on its next
read, and a write made here does too. Counters (hits, misses, invalidations) show it.

The app factory creates one object per app and keeps it in `app.extensions["catalog_caches"]`;
services reach it through `current()`, which asks the locator the app factory installed (the app
of the current context) and falls back to one process-wide object for code running outside any
app (scripts, benchmarks calling services on a bare session).
"""

from __future__ import annotations

import threading
import typing as t
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from dataclasses import dataclass

V = t.TypeVar("V")
_MISSING: t.Any = object()

# Region name -> (entries, bytes or None): the default bounds; an app's config can override them
# (CACHE_SIZES = {"graph.render": (64, 64 MiB)}).
DEFAULT_SIZES: dict[str, tuple[int, int | None]] = {
    "snapshot": (2, None),
    "audit": (16, None),
    "audit.tool": (128, None),
    "tool_list.governance": (4, None),
    "tool_search.index": (4, None),
    "triage.known": (1, None),
    "scorecard.past": (512, None),
    "graph.marks": (2, None),
    "graph.render": (64, 64 * 1024 * 1024),
    "graph.overview": (4, None),
}


@dataclass(frozen=True)
class RegionStats:
    name: str
    entries: int
    hits: int
    misses: int
    max_entries: int


class Region:
    """One named, bounded, thread-safe LRU; emptied by its owner's `invalidate()`.

    A value's `cache_bytes` attribute, if it has one, counts against `max_bytes` (rendered
    pictures); a value larger than the whole budget is not kept.
    """

    def __init__(self, name: str, max_entries: int, max_bytes: int | None = None) -> None:
        self.name = name
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, t.Any] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, default: t.Any = None) -> t.Any:
        """Return the value of `key` (and count a hit), or `default` (and count a miss)."""
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return default
            self._items.move_to_end(key)
            self.hits += 1
            return value

    @staticmethod
    def _size_of(value: t.Any) -> int:
        return int(getattr(value, "cache_bytes", 0))

    def put(self, key: Hashable, value: t.Any) -> None:
        size = self._size_of(value)
        if self.max_bytes is not None and size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                self._bytes -= self._size_of(self._items.pop(key))
            self._items[key] = value
            self._bytes += size
            while len(self._items) > self.max_entries or (
                self.max_bytes is not None and self._bytes > self.max_bytes
            ):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= self._size_of(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def stats(self) -> RegionStats:
        return RegionStats(self.name, len(self._items), self.hits, self.misses, self.max_entries)

    def __len__(self) -> int:
        return len(self._items)


class CatalogCaches:
    """The regions of one app, emptied together whenever the catalog version moves."""

    def __init__(self, sizes: t.Mapping[str, tuple[int, int | None]] | None = None) -> None:
        self._sizes = dict(DEFAULT_SIZES) | dict(sizes or {})
        self._regions: dict[str, Region] = {}
        self._lock = threading.Lock()
        self.version: str | None = None
        self.invalidations = 0

    def region(self, name: str) -> Region:
        """Return the region `name`, registering it on first use (bounds from the sizes table)."""
        found = self._regions.get(name)
        if found is not None:
            return found
        with self._lock:
            if name not in self._regions:
                entries, max_bytes = self._sizes.get(name, (16, None))
                self._regions[name] = Region(name, entries, max_bytes)
            return self._regions[name]

    def check(self, version: str) -> None:
        """Empty every region if `version` is not the catalog version they were filled from."""
        if version == self.version:
            return
        with self._lock:
            if version != self.version:
                self.version = version
                self._clear()

    def invalidate(self) -> None:
        """Empty every region now (the next lookup starts from the database)."""
        with self._lock:
            self.version = None
            self._clear()

    def _clear(self) -> None:
        self.invalidations += 1
        for region in self._regions.values():
            region.clear()

    def cached(self, name: str, version: str, key: Hashable, compute: Callable[[], V]) -> V:
        """Return region `name`'s value for `key` at catalog `version`, computing it on a miss.

        The version is part of the stored key as well: a request that read an older version
        while another moved it on never gets or leaves a value under the newer one.
        """
        self.check(version)
        region = self.region(name)
        full = (version, key)
        value = region.get(full, _MISSING)
        if value is _MISSING:
            value = compute()
            if version == self.version:  # a newer version arrived meanwhile: don't keep it
                region.put(full, value)
        return t.cast(V, value)

    def stats(self) -> dict[str, RegionStats]:
        """Return every registered region's counters, by name."""
        return {name: region.stats() for name, region in sorted(self._regions.items())}


_process = CatalogCaches()
_locator: list[Callable[[], CatalogCaches | None]] = []


def set_locator(locate: Callable[[], CatalogCaches | None]) -> None:
    """Install how `current()` finds the running app's caches (called by the app factory)."""
    _locator[:] = [locate]


def current() -> CatalogCaches:
    """Return the current app's caches; outside any app, the process-wide fallback."""
    found = _locator[0]() if _locator else None
    return found if found is not None else _process
