"""Tell software spend from travel and meals on expense and card lines (MCC, category, text)."""

from __future__ import annotations

import re

# Merchant category codes (ISO 18245) of software and online services: kept whatever the text says.
SOFTWARE_MCC = frozenset({4816, 5045, 5734, 5817, 5818, 7311, 7372, 7379, 7399})
# Codes that are never software: transport, travel, lodging, food, fuel.
NOT_SOFTWARE_MCC = frozenset(
    {
        4011,
        4111,
        4112,
        4121,
        4131,
        4411,
        4511,
        4582,
        4722,
        4784,
        4789,
        5411,
        5499,
        5541,
        5542,
        5811,
        5812,
        5813,
        5814,
        7011,
        7012,
        7512,
        7523,
        7832,
        7991,
        7997,
    }
) | frozenset(range(3000, 4000))  # airlines, car rental and hotel chains

_NOT_SOFTWARE_WORDS = re.compile(
    r"\b(taxi|taxis|cab|uber|lyft|limousines?|transportation|transport|travel|airlines?|"
    r"airfare|flights?|air ?travel|hotels?|lodging|motel|restaurants?|meals?|dining|food|"
    r"catering|coffee|cafe|bar|parking|tolls?|fuel|gas station|car rental|rail|train|"
    r"entertainment|groceries|mileage)\b",
    re.IGNORECASE,
)


def not_software(mcc: str, *texts: str) -> str | None:
    """Return why an expense line is not software spend, or None when it may be software."""
    code = int(mcc) if mcc.isdigit() and len(mcc) <= 4 else 0
    if code in SOFTWARE_MCC:
        return None
    if code in NOT_SOFTWARE_MCC:
        return f"not software (MCC {code})"
    for text in texts:
        match = _NOT_SOFTWARE_WORDS.search(text)
        if match:
            return f"not software ({match.group(0).lower()})"
    return None
