"""The closed vocabularies (docs/governance.md): lifecycles, data classes, mechanisms, dependency
kinds, with the words pages show for them (keys stay in the bundle, the API and CSV)."""

from __future__ import annotations

LIFECYCLES = (
    "requested",
    "in_review",
    "sanctioned",
    "rejected",
    "deprecated",
    "retired",
    "discovered",
)
SANCTIONED_LIFECYCLES = frozenset({"sanctioned", "deprecated"})
LIFECYCLE_LABELS = {
    "requested": "Requested",
    "in_review": "In review",
    "sanctioned": "Sanctioned",
    "rejected": "Rejected",
    "deprecated": "Deprecated",
    "retired": "Retired",
    "discovered": "Discovered",
}

PERSONAL_DATA_CLASSES = ("contact_pii", "behavioral", "transactional", "consent", "sensitive")
OTHER_DATA_CLASSES = ("campaign_metrics", "content", "financial", "product_catalog")
DATA_CLASSES = PERSONAL_DATA_CLASSES + OTHER_DATA_CLASSES
PERSONAL = frozenset(PERSONAL_DATA_CLASSES)

DATA_CLASS_LABELS = {
    "contact_pii": "Contact PII",
    "behavioral": "Behavioral",
    "transactional": "Transactional",
    "consent": "Consent",
    "sensitive": "Sensitive",
    "campaign_metrics": "Campaign metrics",
    "content": "Content",
    "financial": "Financial",
    "product_catalog": "Product catalog",
}

MECHANISMS = (
    "native_connector",
    "api",
    "ipaas",
    "reverse_etl",
    "webhook",
    "file_transfer",
    "manual_export",
    "tag",
)
DEPENDENCY_KINDS = ("identity", "data", "hosting", "license", "other")
SEVERITIES = ("critical", "high", "medium", "low", "info")


def lifecycle_label(key: str | None) -> str:
    """Return the words for a lifecycle key ("In review" for `in_review`); unknown keys as-is."""
    return LIFECYCLE_LABELS.get(key or "", key or "")


def plural(count: int, word: str, many: str | None = None) -> str:
    """Return "1 tool", "2 tools", "0 tools" (`many` for irregular plurals).

    >>> plural(1, "tool"), plural(3, "tool"), plural(0, "active flow"), plural(2, "day", "days")
    ('1 tool', '3 tools', '0 active flows', '2 days')
    """
    return f"{count} {word if count == 1 else (many or word + 's')}"
