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
from integrations.vendors import Vendor
from integrations.vendors import match

SOFTWARE = "software"
NOT_SOFTWARE = "not software"
UNCLASSIFIED = "unclassified"

# Every reason a line can get. Kinds of line first, then what the merchant is.
PAYMENT = "payment"
CREDIT = "credit or refund"
FEE = "fee or interest"
ADJUSTMENT = "adjustment"
BALANCE_TRANSFER = "balance transfer"
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

# Merchant category codes (ISO 18245) of software and online services.
SOFTWARE_MCC = frozenset({4816, 5734, 5817, 5818, 7372})


def _mcc_bucket(code: int) -> str | None:
    """Return the not-software bucket of a merchant category code, or None when it may be."""
    if 3000 <= code <= 3999 or 4011 <= code <= 4799 or code in (5541, 5542, 5983, 7011, 7012):
        return "travel"  # airlines, car rental, lodging, transport, fuel
    if code in (7512, 7513, 7519, 7523, 7531, 7538, 7542, 7549, 4582, 4722):
        return "travel"
    if code in (4812, 4814, 4821, 4899):
        return "telecom"
    if code == 4900:
        return "utilities"
    if 5811 <= code <= 5814 or code in (5462, 5441, 5451):
        return "meals"
    if code in (6513, 7033):
        return "rent"
    if 5000 <= code <= 5999 and not 5960 <= code <= 5969:
        return "shop"
    if 8000 <= code <= 8099 or 8200 <= code <= 8399 or code >= 9000 or code in (6300, 6381):
        return "other"  # health, schools, charities, government, insurance
    return None


# The export's own category, as text: software first, then the buckets. Amex writes
# "Group-Subgroup" ("Merchandise & Supplies-Internet Purchase"); an internet purchase is not
# proof of software, so it decides nothing.
_CATEGORY_SOFTWARE = re.compile(
    r"software|saas|computer network|information services|digital goods|"
    r"computer programming|data processing|web hosting|cloud services",
    re.IGNORECASE,
)
_CATEGORY_NEUTRAL = re.compile(
    r"internet purchase|internet services|online services|other services|advertising|"
    r"miscellaneous|^other$|^other-other|"
    r"subscriptions?|uncategori[sz]ed|^general$|professional services|dues|bills & utilities|"
    r"^internet$|^shopping$|^personal$|^home$",
    re.IGNORECASE,
)
_CATEGORY_BUCKETS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (bucket, re.compile(pattern, re.IGNORECASE))
    for bucket, pattern in (
        ("utilities", r"utilit|electric|water|gas & water|sanitary"),
        ("telecom", r"telecom|communications|phone|wireless|cable|mobile plan|internet provider"),
        ("meals", r"restaurant|meals?\b|dining|food|bar & caf|coffee|catering|drinks"),
        (
            "travel",
            r"travel|airline|air ?fare|lodging|hotel|taxi|transport|car rental|parking|"
            r"fuel|gas station|gas/automotive|automotive|rail|tolls?|mileage|ride ?share|"
            r"auto services",
        ),
        (
            "shop",
            r"merchandise|groceries|grocery|clothing|department stores|retail|supplies|"
            r"shopping|wholesale|pharmac|home improvement|book stores|electronics",
        ),
        ("rent", r"\brent\b|lease|real estate|coworking|office space"),
        (
            "other",
            r"entertainment|health|medical|government|charit|insurance|education|"
            r"tuition|postage|shipping|mailing|legal|gifts?\b|fitness|personal care",
        ),
    )
)


def category_verdict(category: str) -> str | None:
    """Return SOFTWARE, a `not software: <bucket>` reason, or None for an export category.

    >>> category_verdict("Merchandise & Supplies-Clothing Stores")
    'not software: shop'
    >>> category_verdict("Merchandise & Supplies-Internet Purchase") is None
    True
    >>> category_verdict("Business Services-Internet Services") is None  # an ISP, a stream...
    True
    >>> category_verdict("Computer Software Stores")
    'software'
    """
    text = category.strip()
    if not text:
        return None
    if _CATEGORY_SOFTWARE.search(text):
        return SOFTWARE
    if _CATEGORY_NEUTRAL.search(text):
        return None
    for bucket, pattern in _CATEGORY_BUCKETS:
        if pattern.search(text):
            return f"not software: {bucket}"
    return None


def mcc_verdict(mcc: str) -> str | None:
    """Return SOFTWARE, a `not software: <bucket>` reason, or None for a merchant category code."""
    text = mcc.strip()
    if not text.isdigit() or len(text) > 4 or int(text) == 0:
        return None
    code = int(text)
    if code in SOFTWARE_MCC:
        return SOFTWARE
    bucket = _mcc_bucket(code)
    return f"not software: {bucket}" if bucket else None


@lru_cache(maxsize=512)
def mcc_description(mcc: str) -> str:
    """Return the ISO 18245 description of a merchant category code ("" when unknown)."""
    import iso18245  # a table of ~1,000 codes, read only when a description is shown

    try:
        found = iso18245.get_mcc(mcc.strip())
    except (ValueError, KeyError):
        return ""
    return found.iso_description or found.visa_description or found.usda_description


# The kind of line, from its description. Anchored where a merchant could carry the same words
# ("ATT*BILL PAYMENT" is a phone bill, not a card payment).
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        (BALANCE_TRANSFER, r"\bbalance transfer\b(?!.*\bfee\b)"),
        (
            FEE,
            r"\binterest charge|\binterest charged|\bpurchase interest\b|\bfinance charge\b|"
            r"\b(?:foreign|intl|international) (?:transaction|trans|txn|currency) fee\b|"
            r"\blate (?:payment )?fee\b|\bannual (?:membership )?fee\b|\bmembership fee\b|"
            r"\b(?:cash advance|balance transfer|returned payment|over ?limit) fee\b|"
            r"^interest\b|^fee\b",
        ),
        (
            PAYMENT,
            r"^(?:autopay|auto pay|automatic payment|mobile payment|online payment|"
            r"payment received|electronic payment|ach payment|internet payment|"
            r"payment\b)|\bpayment\s*-?\s*thank ?you\b|\bthank you for your payment\b",
        ),
        (
            CREDIT,
            r"\bcash ?back\b|\breward|\bstatement credit\b|\brefund\b|^return\b|"
            r"\bpurchase return\b|\bamex offer\b|\bcredit voucher\b|\bmerchandise credit\b",
        ),
        (ADJUSTMENT, r"\badjustment\b|\bdispute\b|\bchargeback\b|\bprovisional credit\b"),
    )
)
_TYPES = {
    "payment": PAYMENT,
    "return": CREDIT,
    "refund": CREDIT,
    "credit": CREDIT,
    "fee": FEE,
    "fees": FEE,
    "interest": FEE,
    "adjustment": ADJUSTMENT,
    "balance transfer": BALANCE_TRANSFER,
}


_CATEGORY_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        (FEE, r"^fees?\b|^interest\b|^finance charges?\b"),  # Amex "Fees & Adjustments"
        (PAYMENT, r"^payments?\b|^payment/credit\b"),  # Capital One "Payment/Credit"
        (ADJUSTMENT, r"^adjustments?\b"),
    )
)


@lru_cache(maxsize=65536)
def line_kind(
    description: str, type_text: str = "", category: str = "", credit: bool = False
) -> str | None:
    """Return why a line is not a purchase (payment, fee, credit, ...), or None for a purchase.

    `type_text` is the export's own Type column (Chase: Sale, Payment, Return, Fee,
    Adjustment); `category` its category ("Fees & Adjustments"); `credit` says the amount sits
    on the card holder's side.

    >>> line_kind("AUTOPAY PAYMENT - THANK YOU", credit=True)
    'payment'
    >>> line_kind("ATT*BILL PAYMENT") is None
    True
    >>> line_kind("HUBSPOT INC", credit=True)
    'credit or refund'
    >>> line_kind("LATE CHARGE", category="Fees & Adjustments-Fees & Adjustments")
    'fee or interest'
    """
    kind = _TYPES.get(type_text.strip().casefold())
    if kind is not None:
        return kind
    text = " ".join(description.split())
    for reason, pattern in _KINDS:
        if pattern.search(text):
            return reason
    for reason, pattern in _CATEGORY_KINDS:
        if pattern.search(category.strip()):
            if credit:  # a fee refunded, a payment: money back either way
                return PAYMENT if reason == PAYMENT else ADJUSTMENT
            return reason
    return CREDIT if credit else None


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
    "REASONS",
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
