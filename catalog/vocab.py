"""The closed vocabularies of SPEC 2: lifecycles, data classes, mechanisms, dependency kinds."""

from __future__ import annotations

LIFECYCLES = (
    "requested", "in_review", "sanctioned", "rejected", "deprecated", "retired", "discovered",
)
SANCTIONED_LIFECYCLES = frozenset({"sanctioned", "deprecated"})

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
    "native_connector", "api", "ipaas", "reverse_etl", "webhook", "file_transfer",
    "manual_export", "tag",
)
DEPENDENCY_KINDS = ("identity", "data", "hosting", "license", "other")
SEVERITIES = ("critical", "high", "medium", "low", "info")
