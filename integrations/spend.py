"""Decide, for one card or expense line, software / not software / unclassified, with the reason.

The layers, in order (the first that decides wins):

1. the line's kind: payments, credits and refunds, fees and interest, adjustments and balance
   transfers are never spend on a tool (`line_kind`; the layout supplies its Type column and the
   side of the amount);
2. the knowledge base (integrations.vendors): a known software product is software under its
   canonical name, a known shop, restaurant, airline, utility or phone company is not;
3. the export's own category (Amex `Category`, Expensify `Category`, Ramp's merchant category)
   and the merchant category code (ISO 18245: 4816, 5734, 5817, 5818 and 7372 are software);
4. descriptor hints (`.ai`/`.io` domains, SUBSCRIPTION, SAAS, SOFTWARE): strong hints make the
   line software, a lone hint leaves it unclassified.

Whatever is left is unclassified: it waits in triage and never becomes a tool by itself.
The reason strings are few and stable (REASONS) because import summaries count by them.
"""

from __future__ import annotations

import re
import typing as t
from functools import lru_cache

from integrations.merchants import display
from integrations.merchants import group_key
from integrations.merchants import strip_descriptor
from integrations.merchants import tokens
from integrations.spend_codes import ADJUSTMENT
from integrations.spend_codes import BALANCE_TRANSFER
from integrations.spend_codes import CREDIT
from integrations.spend_codes import FEE
from integrations.spend_codes import NOT_SOFTWARE
from integrations.spend_codes import PAYMENT
from integrations.spend_codes import SOFTWARE
from integrations.spend_codes import UNCLASSIFIED
from integrations.spend_codes import category_verdict
from integrations.spend_codes import line_kind
from integrations.spend_codes import mcc_description
from integrations.spend_codes import mcc_verdict
from integrations.vendors import Vendor
from integrations.vendors import match

NOT_SOFTWARE_BUCKETS = ("shop", "meals", "travel", "utilities", "telecom", "rent", "other")
UNKNOWN = "unknown merchant"
WEAK_HINT = "possible software (hint only)"
REASONS = (
    PAYMENT,
    CREDIT,
    FEE,
    ADJUSTMENT,
    BALANCE_TRANSFER,
    *(f"not software: {b}" for b in NOT_SOFTWARE_BUCKETS),
    UNKNOWN,
    WEAK_HINT,
)


kind_of_line = line_kind  # the name the importers use


# Hints in the descriptor. A domain-like word with a software TLD, or SAAS/SOFTWARE, is strong
# with a subscription word; alone it only makes the line worth a person's look.
_HINT_DOMAIN = re.compile(r"\.(?:ai|io|app|so|dev|tech|cloud|software)\b", re.IGNORECASE)
_HINT_BILLING = re.compile(
    r"\.com/bill\b|\bsubscr\w*|\bsubs\b|\bmonthly\b|\bannual\b", re.IGNORECASE
)
_HINT_WORD = re.compile(r"\b(?:saas|software|cloud|api|app)\b", re.IGNORECASE)


def hint(descriptor: str) -> str | None:
    """Return "strong", "weak" or None for the software hints of a descriptor."""
    domain = bool(_HINT_DOMAIN.search(descriptor))
    billing = bool(_HINT_BILLING.search(descriptor))
    word = bool(_HINT_WORD.search(descriptor))
    if re.search(r"\b(?:saas|software)\b", descriptor, re.IGNORECASE):
        return "strong"
    if domain and (billing or word):
        return "strong"
    if domain or billing or word:
        return "weak"
    return None


# Words in a merchant's own name that say what it sells, for merchants the knowledge base does
# not know and the export does not categorise.
_WORD_BUCKETS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (bucket, re.compile(pattern, re.IGNORECASE))
    for bucket, pattern in (
        (
            "meals",
            r"\b(?:restaurant|ristorante|trattoria|grill|bistro|cafe|café|coffee|espresso|"
            r"bakery|pizza|pizzeria|sushi|taqueria|burger|deli|diner|kitchen|brewing|"
            r"brewery|tavern|pub|bar & grill|steakhouse|noodle|ramen|catering)\b",
        ),
        (
            "travel",
            r"\b(?:airlines?|airways|air lines|hotel|hotels|inn|suites|motel|resort|"
            r"lodging|taxi|cab|limo|limousine|parking|garage|tolls?|transit|railway|"
            r"rent-a-car|car rental|fuel|gas station|petro|marathon)\b",
        ),
        (
            "utilities",
            r"\b(?:electric|power & light|energy|water district|water dept|utility|"
            r"utilities|gas & electric|sanitation)\b",
        ),
        ("telecom", r"\b(?:wireless|telecom|cellular|mobile plan|broadband|fiber|cable tv)\b"),
        (
            "rent",
            r"\b(?:rent|property|properties|realty|apartments|"
            r"landlord|coworking|storage units?)\b",
        ),
        (
            "shop",
            r"\b(?:supermarket|grocery|groceries|market|mart|pharmacy|drug store|"
            r"hardware|outlet|boutique|apparel|clothing|shoes|florist|liquor|"
            r"department store|supercenter|wholesale)\b",
        ),
    )
)


def word_bucket(merchant: str) -> str | None:
    """Return the not-software bucket a merchant's own words name, or None.

    >>> word_bucket("JOE'S PIZZA"), word_bucket("PARKVIEW PROPERTY MGMT"), word_bucket("ACME")
    ('meals', 'rent', None)
    """
    for bucket, pattern in _WORD_BUCKETS:
        if pattern.search(merchant):
            return bucket
    return None


class Verdict(t.NamedTuple):
    outcome: str  # SOFTWARE, NOT_SOFTWARE or UNCLASSIFIED
    reason: str  # for NOT_SOFTWARE and UNCLASSIFIED; the deciding layer for SOFTWARE
    name: str  # the clean merchant name: the canonical product name when the KB knows it
    vendor: Vendor | None


@lru_cache(maxsize=65536)
def classify(
    descriptor: str,
    category: str = "",
    mcc: str = "",
    city_state: str = "",
    fixed_width: int | None = None,
) -> Verdict:
    """Classify one purchase line (the caller has already ruled out payments, fees, credits).

    >>> classify("OPENAI *CHATGPT SUBSCR").name
    'ChatGPT'
    >>> classify("AplPay WAL-MART SUPERCENTER #1234", "Merchandise & Supplies-Groceries").reason
    'not software: shop'
    >>> classify("ACME WIDGETS", "Merchandise & Supplies-Internet Purchase").outcome
    'unclassified'
    """
    merchant = strip_descriptor(descriptor, city_state, fixed_width)
    found = match(merchant)
    if found is not None:
        if found.software:
            return Verdict(SOFTWARE, "knowledge base", found.name, found)
        return Verdict(NOT_SOFTWARE, f"not software: {found.kind}", found.name, found)
    name = display(merchant)
    layers = ((category_verdict(category), "category"), (mcc_verdict(mcc), "MCC"))
    for verdict, layer in layers:
        if verdict == SOFTWARE:
            return Verdict(SOFTWARE, layer, name, None)
    # A merchant that calls itself software outweighs a bank's broad "Merchandise".
    strength = hint(descriptor)
    if strength == "strong":
        return Verdict(SOFTWARE, "descriptor", name, None)
    for verdict, _layer in layers:
        if verdict is not None:
            return Verdict(NOT_SOFTWARE, verdict, name, None)
    bucket = word_bucket(merchant)
    if bucket is not None:
        return Verdict(NOT_SOFTWARE, f"not software: {bucket}", name, None)
    return Verdict(UNCLASSIFIED, WEAK_HINT if strength else UNKNOWN, name, None)


class Namer:
    """Give every variant of one unknown merchant in a file the same name (the first seen).

    The knowledge base names the merchants it knows; for the others `Obsidian` and
    `Obsidian.Md` share a group key, and the file's first spelling names them all. Parsing
    stays pure: the same file gives the same names.
    """

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def __call__(self, verdict: Verdict) -> str:
        if verdict.vendor is not None:
            return verdict.name
        key = group_key(verdict.name)
        return self._names.setdefault(key, verdict.name)


__all__ = [
    "NOT_SOFTWARE",
    "REASONS",
    "SOFTWARE",
    "UNCLASSIFIED",
    "Namer",
    "Verdict",
    "category_verdict",
    "classify",
    "hint",
    "kind_of_line",
    "line_kind",
    "mcc_description",
    "mcc_verdict",
    "tokens",
]
