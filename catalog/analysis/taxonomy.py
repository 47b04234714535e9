"""The taxonomy as the analysis reads it: a frozen value, and the shipped one (docs/governance.md).

The analysis never reads the live registry (`catalog.taxonomy`, which an administrator's
additions change at run time): each `Snapshot` carries the `Taxonomy` it was loaded with, the
shipped one unless told otherwise, so the same snapshot always gives the same report.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Category", "Taxonomy", "SHIPPED", "key_for"]

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


class Taxonomy:
    """Groups (key -> name) and categories (key -> Category), read-only; equal by content.

    >>> SHIPPED.group_of("crm"), SHIPPED.category_name("crm"), SHIPPED.group_of("nope")
    ('social-relationships', 'CRM', None)
    """

    __slots__ = ("groups", "categories", "_items")

    def __init__(self, groups: Mapping[str, str], categories: Iterable[Category]) -> None:
        self.groups: Mapping[str, str] = MappingProxyType(dict(groups))
        self.categories: Mapping[str, Category] = MappingProxyType({c.key: c for c in categories})
        self._items = (tuple(self.groups.items()), tuple(self.categories.values()))

    def group_of(self, category_key: str | None) -> str | None:
        """Return the group key of a category key; None when it has none or is unknown."""
        category = self.categories.get(category_key) if category_key else None
        return category.group_key if category else None

    def category_name(self, key: str) -> str:
        """Return the words for a category key (the key itself when unknown)."""
        category = self.categories.get(key)
        return category.name if category else key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Taxonomy) and self._items == other._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Taxonomy({len(self.groups)} groups, {len(self.categories)} categories)"


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

#: The shipped taxonomy: six groups of subcategories, never changed at run time.
SHIPPED: t.Final = Taxonomy(
    {key_for(group): group for group in _GROUPS},
    (
        Category(key_for(name), name, key_for(group), group)
        for group, names in _GROUPS.items()
        for name in names
    ),
)
