"""The closed vocabularies (docs/governance.md): lifecycles, data classes, mechanisms, dependency
kinds, with the words pages show for them (keys stay in the bundle, the API and CSV).

Each vocabulary is a `StrEnum`: its members compare equal to (and hash like) their stored string,
so the database, the JSON and the templates keep the plain keys while code names the members.
"""

from __future__ import annotations

import enum


class Lifecycle(enum.StrEnum):
    REQUESTED = "requested"
    IN_REVIEW = "in_review"
    SANCTIONED = "sanctioned"
    REJECTED = "rejected"
    DEPRECATED = "deprecated"
    RETIRED = "retired"
    DISCOVERED = "discovered"


class DataClass(enum.StrEnum):
    CONTACT_PII = "contact_pii"
    BEHAVIORAL = "behavioral"
    TRANSACTIONAL = "transactional"
    CONSENT = "consent"
    SENSITIVE = "sensitive"
    CAMPAIGN_METRICS = "campaign_metrics"
    CONTENT = "content"
    FINANCIAL = "financial"
    PRODUCT_CATALOG = "product_catalog"


class Mechanism(enum.StrEnum):
    NATIVE_CONNECTOR = "native_connector"
    API = "api"
    IPAAS = "ipaas"
    REVERSE_ETL = "reverse_etl"
    WEBHOOK = "webhook"
    FILE_TRANSFER = "file_transfer"
    MANUAL_EXPORT = "manual_export"
    TAG = "tag"


class DependencyKind(enum.StrEnum):
    IDENTITY = "identity"
    DATA = "data"
    HOSTING = "hosting"
    LICENSE = "license"
    OTHER = "other"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


LIFECYCLES: tuple[str, ...] = tuple(Lifecycle)
SANCTIONED_LIFECYCLES: frozenset[str] = frozenset({Lifecycle.SANCTIONED, Lifecycle.DEPRECATED})
# The requests still waiting for their review's decision.
OPEN_LIFECYCLES = (Lifecycle.REQUESTED, Lifecycle.IN_REVIEW)
# The words pages show for a key: its words capitalised ("In review"), save where an acronym
# needs more ("Contact PII").
LIFECYCLE_LABELS: dict[str, str] = {key: key.replace("_", " ").capitalize() for key in Lifecycle}

DATA_CLASSES: tuple[str, ...] = tuple(DataClass)
# Data about a person: its exposure is what the audit's privacy rules look for.
PERSONAL: frozenset[str] = frozenset(DATA_CLASSES[: DATA_CLASSES.index(DataClass.SENSITIVE) + 1])
PERSONAL_DATA_CLASSES = tuple(c for c in DATA_CLASSES if c in PERSONAL)
OTHER_DATA_CLASSES = tuple(c for c in DATA_CLASSES if c not in PERSONAL)

DATA_CLASS_LABELS: dict[str, str] = {c: c.replace("_", " ").capitalize() for c in DataClass}
DATA_CLASS_LABELS[DataClass.CONTACT_PII] = "Contact PII"

MECHANISMS: tuple[str, ...] = tuple(Mechanism)
MECHANISM_LABELS: dict[str, str] = {m: m.replace("_", " ").capitalize() for m in Mechanism}
MECHANISM_LABELS.update(
    {Mechanism.API: "API", Mechanism.IPAAS: "iPaaS", Mechanism.REVERSE_ETL: "Reverse ETL"}
)
DEPENDENCY_KINDS: tuple[str, ...] = tuple(DependencyKind)
SEVERITIES: tuple[str, ...] = tuple(Severity)


def lifecycle_label(key: str | None) -> str:
    """Return the words for a lifecycle key ("In review" for `in_review`); unknown keys as-is."""
    return LIFECYCLE_LABELS.get(key or "", key or "")


def plural(count: int, word: str, many: str | None = None) -> str:
    """Return "1 tool", "2 tools", "0 tools" (`many` for irregular plurals).

    >>> plural(1, "tool"), plural(3, "tool"), plural(0, "active flow"), plural(2, "day", "days")
    ('1 tool', '3 tools', '0 active flows', '2 days')
    """
    return f"{count} {word if count == 1 else (many or word + 's')}"
