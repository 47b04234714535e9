"""Pause Python's cyclic garbage collector around bulk work that builds many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, then restore it as it was.

    Loading and auditing a catalog allocates hundreds of thousands of small containers in one
    burst while a large snapshot is alive; every allocation threshold crossed then triggers a
    collection that walks all of them again, which costs more than the work itself (measured
    2-4x at 10,000 tools, see benchmarks/audit.py). The records are frozen and acyclic, so nothing
    is leaked: reference counting frees them, and the collector resumes after the block. Nesting
    is safe: only the outermost block turns the collector back on.

    On the way out, everything allocated in the block goes straight to the oldest generation
    (`freeze` then `unfreeze`: two list splices). Left young, the first allocation after the
    block would trigger a young-generation pass over all of it, about 5% of an audit, only to
    promote what is the long-lived cached report anyway; the next full collection still sees it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
