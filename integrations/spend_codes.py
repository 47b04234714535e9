"""What a card or expense export says about a line itself: its kind (a payment, a fee, a refund
rather than a purchase), its own category text and its merchant category code (ISO 18245).

The first and third layers of `integrations.spend.classify`, which re-exports what these
modules' callers use.
"""

from __future__ import annotations

import re
from functools import lru_cache

SOFTWARE = "software"
NOT_SOFTWARE = "not software"
UNCLASSIFIED = "unclassified"

# Every reason a line can get. Kinds of line first, then what the merchant is.
PAYMENT = "payment"
CREDIT = "credit or refund"
FEE = "fee or interest"
ADJUSTMENT = "adjustment"
BALANCE_TRANSFER = "balance transfer"
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
