"""The default martech taxonomy (docs/governance.md#taxonomy): six groups of subcategories."""

from __future__ import annotations

import typing as t

from catalog.analysis.taxonomy import SHIPPED
from catalog.analysis.taxonomy import Category
from catalog.analysis.taxonomy import Taxonomy
from catalog.analysis.taxonomy import key_for

__all__ = [
    "Category",
    "key_for",
    "SHIPPED_GROUPS",
    "SHIPPED_CATEGORIES",
    "GROUPS",
    "CATEGORIES",
    "install",
    "reset",
    "current",
    "loaded_token",
    "is_shipped",
    "categories",
    "grouped_choices",
    "group_of",
]

# The shipped taxonomy (declared in catalog.analysis.taxonomy, which the analysis reads), never
# changed at runtime.
SHIPPED_GROUPS: dict[str, str] = dict(SHIPPED.groups)
SHIPPED_CATEGORIES: dict[str, Category] = dict(SHIPPED.categories)

# The live registry: the shipped taxonomy plus an administrator's additions. These dicts
# are updated in place by `install()`, never rebound, because other modules bind them at import
# time (`from catalog.taxonomy import CATEGORIES`) and must see the additions too. The analysis
# reads none of this: it gets `current()`, a frozen copy, inside each snapshot.
GROUPS: dict[str, str] = dict(SHIPPED_GROUPS)
CATEGORIES: dict[str, Category] = dict(SHIPPED_CATEGORIES)
_state: dict[str, t.Any] = {"token": None, "frozen": SHIPPED}


def install(
    groups: t.Mapping[str, str], categories: t.Iterable[Category], token: t.Any = None
) -> None:
    """Make the live registry the shipped taxonomy plus `groups` and `categories` (additions).

    :param token: identifies the loaded state (database and taxonomy version) so that a caller
        can tell cheaply whether a reload is due; see `loaded_token()`.
    """
    new_groups = SHIPPED_GROUPS | dict(groups)
    new_categories = dict(SHIPPED_CATEGORIES)
    for category in categories:
        if category.key not in SHIPPED_CATEGORIES:
            new_categories[category.key] = category
    # Add and replace first, remove last: a reader in another thread sees at worst a superset,
    # never a half-empty taxonomy.
    GROUPS.update(new_groups)
    CATEGORIES.update(new_categories)
    for key in set(GROUPS) - set(new_groups):
        GROUPS.pop(key, None)
    for key in set(CATEGORIES) - set(new_categories):
        CATEGORIES.pop(key, None)
    _state["frozen"] = Taxonomy(GROUPS, CATEGORIES.values())
    _state["token"] = token


def reset() -> None:
    """Forget every addition: back to the shipped taxonomy."""
    install({}, [], token=None)


def current() -> Taxonomy:
    """Return the live taxonomy as a frozen value, for the snapshots the analysis reads."""
    return t.cast(Taxonomy, _state["frozen"])


def loaded_token() -> t.Any:
    return _state["token"]


def is_shipped(key: str) -> bool:
    return key in SHIPPED_CATEGORIES


def categories() -> dict[str, Category]:
    """Return the live categories by key (shipped and added)."""
    return dict(CATEGORIES)


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Return (group name, [(key, name)]) pairs for a grouped <select>.

    Shipped groups and categories keep their shipped order; additions follow, by name.
    """
    by_group: dict[str, list[Category]] = {key: [] for key in GROUPS}
    for category in CATEGORIES.values():
        by_group.setdefault(category.group_key, []).append(category)
    result = []
    for group_key, members in by_group.items():
        shipped = [c for c in members if c.key in SHIPPED_CATEGORIES]
        added = sorted(
            (c for c in members if c.key not in SHIPPED_CATEGORIES), key=lambda c: c.name.lower()
        )
        pairs = [(c.key, c.name) for c in shipped + added]
        if pairs:
            result.append((GROUPS.get(group_key, group_key), pairs))
    return result


def group_of(category_key: str) -> str | None:
    """Return the group key of a category key, or None when the key is unknown."""
    category = CATEGORIES.get(category_key)
    return category.group_key if category else None
