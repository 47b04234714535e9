"""The default martech taxonomy (SPEC 7): six groups of subcategories, keyed by slugged names."""

from __future__ import annotations

import re
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
        "Mobile marketing", "Display & programmatic advertising", "Search & social advertising",
        "Native/content advertising", "Video advertising", "Print", "Public relations",
    ],
    "Content & Experience": [
        "Mobile apps", "Interactive content", "Video marketing", "Email marketing",
        "Content marketing", "Optimization, personalization & testing", "DAM & MRM", "SEO",
        "Marketing automation & campaign/lead management", "CMS & web experience management",
    ],
    "Social & Relationships": [
        "Call analytics & management", "Account-based marketing", "Events, meetings & webinars",
        "Social media marketing & monitoring", "Advocacy, loyalty & referrals", "Influencers",
        "Community & reviews", "Customer experience, service & success", "Feedback & chat", "CRM",
    ],
    "Commerce & Sales": [
        "Retail, proximity & IoT marketing", "Channel, partner & local marketing",
        "Sales automation, enablement & intelligence", "Affiliate marketing & management",
        "Ecommerce marketing", "Ecommerce platforms & carts",
    ],
    "Data": [
        "Audience/marketing data & data enhancement",
        "Marketing analytics, performance & attribution", "Mobile & web analytics",
        "Dashboards & data visualization", "Business/customer intelligence & data science",
        "iPaaS, cloud/data integration & tag management", "DMP", "Governance, compliance & privacy",
        "Customer data platform", "Data warehouse",
    ],
    "Management": [
        "Talent management", "Product management", "Budgeting & finance", "Collaboration",
        "Projects & workflow", "Agile & lean management", "Vendor analysis", "Identity & access",
    ],
}

GROUPS: dict[str, str] = {key_for(group): group for group in _GROUPS}
CATEGORIES: dict[str, Category] = {
    key_for(name): Category(key_for(name), name, key_for(group), group)
    for group, names in _GROUPS.items()
    for name in names
}


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Return (group name, [(key, name)]) pairs for a grouped <select>."""
    return [
        (group, [(key_for(name), name) for name in names]) for group, names in _GROUPS.items()
    ]


def group_of(category_key: str) -> str | None:
    """Return the group key of a category key, or None when the key is unknown."""
    category = CATEGORIES.get(category_key)
    return category.group_key if category else None
