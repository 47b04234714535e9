"""One page of a long list: what the services hand the pages, and what their pagers read."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page of a list, and what its pager needs to link to the others."""

    items: list[t.Any]
    page: int
    pages: int
    total: int
    param: str = "page"  # the query argument of this list's page (two lists on one page)
    size: int = 25

    @property
    def first(self) -> int:
        """The position (from 1) of the first item shown."""
        return (self.page - 1) * self.size + 1 if self.total else 0


def paged(items: t.Sequence[t.Any], page: int, size: int) -> Page:
    """Return page `page` (clamped to the pages there are) of `items`, `size` a page."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    return Page(list(items[(page - 1) * size : page * size]), page, pages, len(items), size=size)
