"""The default martech taxonomy (docs/governance.md#taxonomy): six groups of subcategories."""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass

_NON_KEY = re.compile(r"[^a-z0-9]+")


def key_for(name: str) -> str:
    """Return the taxonomy key of a name: lowercased, runs of other characters become one hyphen.

    >>> key_for("Marketing automation & campaign/lead management")
    'marketing-automation-campaign-lead-management'
    """
    return _NON_KEY.sub("-", name.lower()).strip("-")


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    group_key: str
    group_name: str


_GROUPS: dict[str, list[str]] = {
    "Advertising & Promotion": [
        "Mobile marketing",
        "Display & programmatic advertising",
        "Search & social advertising",
        "Native/content advertising",
        "Video advertising",
        "Print",
        "Public relations",
    ],
    "Content & Experience": [
        "Mobile apps",
        "Interactive content",
        "Video marketing",
        "Email marketing",
        "Content marketing",
        "Optimization, personalization & testing",
        "DAM & MRM",
        "SEO",
        "Marketing automation & campaign/lead management",
        "CMS & web experience management",
    ],
    "Social & Relationships": [
        "Call analytics & management",
        "Account-based marketing",
        "Events, meetings & webinars",
        "Social media marketing & monitoring",
        "Advocacy, loyalty & referrals",
        "Influencers",
        "Community & reviews",
        "Customer experience, service & success",
        "Feedback & chat",
        "CRM",
    ],
    "Commerce & Sales": [
        "Retail, proximity & IoT marketing",
        "Channel, partner & local marketing",
        "Sales automation, enablement & intelligence",
        "Affiliate marketing & management",
        "Ecommerce marketing",
        "Ecommerce platforms & carts",
    ],
    "Data": [
        "Audience/marketing data & data enhancement",
        "Marketing analytics, performance & attribution",
        "Mobile & web analytics",
        "Dashboards & data visualization",
        "Business/customer intelligence & data science",
        "iPaaS, cloud/data integration & tag management",
        "DMP",
        "Governance, compliance & privacy",
        "Customer data platform",
        "Data warehouse",
    ],
    "Management": [
        "Talent management",
        "Product management",
        "Budgeting & finance",
        "Collaboration",
        "Projects & workflow",
        "Agile & lean management",
        "Vendor analysis",
        "Identity & access",
    ],
}

# The shipped taxonomy, never changed at runtime.
SHIPPED_GROUPS: dict[str, str] = {key_for(group): group for group in _GROUPS}
SHIPPED_CATEGORIES: dict[str, Category] = {
    key_for(name): Category(key_for(name), name, key_for(group), group)
    for group, names in _GROUPS.items()
    for name in names
}

# The live registry: the shipped taxonomy plus an administrator's additions. These dicts
# are updated in place by `install()`, never rebound, because analysis modules bind them at import
# time (`from catalog.taxonomy import CATEGORIES`) and must see the additions too.
GROUPS: dict[str, str] = dict(SHIPPED_GROUPS)
CATEGORIES: dict[str, Category] = dict(SHIPPED_CATEGORIES)
_state: dict[str, t.Any] = {"token": None}


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
    _state["token"] = token


def reset() -> None:
    """Forget every addition: back to the shipped taxonomy."""
    install({}, [], token=None)


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
