"""What every rule module shares: the `Finding` record, severity order and prose helpers.

Messages name tools by name and say what to do, because the report is read by a CMO, not by the
person who wrote the rule.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from catalog.vocab import DATA_CLASS_LABELS
from catalog.vocab import SEVERITIES

__all__ = ["Finding", "SEVERITY_RANK", "SERIOUS", "classes_text", "names_text", "money_text"]

SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
SERIOUS = frozenset(SEVERITIES[:2])  # critical and high: what puts a renewal at risk


class Finding(NamedTuple):
    """One rule firing on one subject.

    A named tuple rather than a frozen dataclass: a large catalog yields hundreds of thousands
    of findings, and a frozen dataclass costs about four times as much to build.
    """

    rule: str
    severity: str
    subject_type: str  # tool, flow, silo, category or catalog
    subject_key: str
    message: str

    def sort_key(self) -> tuple[int, str, str, str]:
        return (SEVERITY_RANK[self.severity], self.rule, self.subject_key, self.message)


@lru_cache(maxsize=256)
def classes_text(classes: frozenset[str]) -> str:
    """Return data classes as readable words: "contact PII and behavioral data"."""
    # A catalog has a handful of distinct class sets; messages ask for them tens of thousands
    # of times on a large one.
    words = [
        DATA_CLASS_LABELS.get(c, c).replace("Contact PII", "contact").lower()
        for c in sorted(classes)
    ]
    if not words:
        return "no data"
    return (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]) + " data"


def names_text(names: list[str], conjunction: str = "and") -> str:
    """Join names as prose: "A", "A and B", "A, B and C"."""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def money_text(amounts: dict[str, float]) -> str:
    """Return amounts per currency as "USD 12,000 + EUR 500"."""
    return " + ".join(f"{cur} {amount:,.0f}" for cur, amount in sorted(amounts.items()))
