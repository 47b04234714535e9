"""Clean card statement descriptors into merchant names, and the keys that group their variants.

A statement line names its merchant the way the card network received it: `AplPay TARGET
00012345 MINNEAPOLIS MN`, `PAYPAL *HOTJAR`, `ZOOM.US 888-799-9666`, or American Express's
fixed-width merchant field run into the city (`CLAUDE.AI SUBSCRIPTISAN FRANCISCO CA`). These pure
functions take the wallet and processor prefixes, store numbers, phone numbers and the city/state
tail off, so that the knowledge base (integrations.vendors) and people see the merchant itself.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cleanco import basename

# Wallets put their name first: "AplPay TARGET ...", "GglPay UBER ...".
_WALLET = re.compile(
    r"^\s*(?:aplpay|apl\*?pay|apple ?pay|gglpay|ggl\*?pay|google ?pay|gpay|samsung ?pay|spay)\b\s*",
    re.IGNORECASE,
)
# Payment processors and marketplaces that sell for the merchant named after their star.
_PROCESSOR = re.compile(
    r"^\s*(?:sq|tst|paypal|pp|paddle\.net|paddle|fs|sp|2co\.com|2co|dnh|cko|py|in|pos|bt|ppg|"
    r"sumup|zettle|izettle|stripe|wpy|pmt|ck|fastspring|fsprg)\s*\*\s*",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?:\+?1[-. ]?)?\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b")
_STORE = re.compile(
    r"(?:#\s*\d+|\b(?:store|str|no\.?|unit|loc|t-?)\s*#?\s*\d{2,}\b|\b\d{4,}\b|\b[a-z]{0,2}\d{5,}\b)",
    re.IGNORECASE,
)
# "ADS7423587239", "E0800ABCD12": a word followed by a long reference.
_WORD_REF = re.compile(r"\b([a-z]{2,})\d{4,}[a-z0-9]*\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_GAP = re.compile(r"\S\s{2,}\S")
# Words that say how a line was billed, not who sold it.
BILLING_WORDS = frozenset(
    "subscription subscriptions subscr subscrip subscripti subs monthly annual annually yearly "
    "renewal recurring invoice inv bill billing charge payment purchase order membership plan "
    "online web www help com us".split()
)
# Legal forms that end a merchant's name; the knowledge base looks past them.
LEGAL_WORDS = frozenset(
    "inc incorporated llc ltd limited corp corporation co company pbc gmbh bv nv sl sa sas sarl "
    "ag ab oy pty plc srl spa kk lp llp ug se as aps pte".split()
)

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR "
    "AB BC MB NB NL NS ON PE QC SK".split()
)
# Cities that most often end a descriptor when the export has no City/State column.
CITIES = tuple(
    sorted(
        (
            c.split()
            for c in (
                "san francisco",
                "new york",
                "los angeles",
                "seattle",
                "boston",
                "chicago",
                "austin",
                "denver",
                "atlanta",
                "miami",
                "dallas",
                "houston",
                "san jose",
                "san diego",
                "palo alto",
                "mountain view",
                "sunnyvale",
                "menlo park",
                "redwood city",
                "santa clara",
                "cupertino",
                "cambridge",
                "brooklyn",
                "portland",
                "philadelphia",
                "washington",
                "salt lake city",
                "lehi",
                "provo",
                "phoenix",
                "minneapolis",
                "detroit",
                "nashville",
                "charlotte",
                "raleigh",
                "pittsburgh",
                "baltimore",
                "las vegas",
                "oakland",
                "berkeley",
                "irvine",
                "santa monica",
                "toronto",
                "vancouver",
                "montreal",
                "london",
                "dublin",
                "paris",
                "berlin",
                "amsterdam",
                "sydney",
                "surry hills",
                "tel aviv",
                "singapore",
                "help",
                "internet",
                "online",
                "www",
            )
        ),
        key=len,
        reverse=True,
    )
)


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def cut_city(text: str, city_state: str = "", fixed_width: int | None = None) -> str:
    """Return a descriptor without its city/state tail.

    With the export's City/State cell the tail is cut exactly; an American Express description
    is a fixed-width merchant field (`fixed_width`) padded with spaces, so a run of spaces ends
    the merchant.

    >>> cut_city("CLAUDE.AI SUBSCRIPTISAN FRANCISCO CA", "SAN FRANCISCO\\nCA")
    'CLAUDE.AI SUBSCRIPTI'
    >>> cut_city("ANTHROPIC           SAN FRANCISCO       CA")
    'ANTHROPIC'
    >>> cut_city("STARBUCKS STORE 12345 SEATTLE WA")
    'STARBUCKS STORE 12345'
    """
    raw = text.strip()
    tail = _collapse(city_state)
    flat = _collapse(raw)
    if tail:
        upper = flat.upper()
        for candidate in (tail, tail.rsplit(" ", 1)[0] if " " in tail else ""):
            if candidate and len(flat) > len(candidate) and upper.endswith(candidate.upper()):
                return flat[: -len(candidate)].strip()
    gap = _GAP.search(raw)
    if gap is not None:  # fixed-width padding: the merchant field ends at the first gap
        return _collapse(raw[: gap.start() + 1])
    words = flat.split(" ")
    if len(words) > 1 and words[-1] in US_STATES:
        words.pop()
        if fixed_width and len(flat) > fixed_width + 3 and not tail:
            # Amex run together: "CLAUDE.AI SUBSCRIPTISAN FRANCISCO CA" without a city column.
            return flat[:fixed_width].strip()
        lowered = [w.lower() for w in words]
        for city in CITIES:
            n = len(city)
            if len(lowered) > n and lowered[-n:] == city:
                words = words[:-n]
                break
    return " ".join(words)


@lru_cache(maxsize=65536)
def strip_descriptor(text: str, city_state: str = "", fixed_width: int | None = None) -> str:
    """Return the merchant part of a statement descriptor, in its own case.

    >>> strip_descriptor("AplPay TARGET 00012345 MINNEAPOLIS MN")
    'TARGET'
    >>> strip_descriptor("PAYPAL *HOTJAR")
    'HOTJAR'
    >>> strip_descriptor("ZOOM.US 888-799-9666")
    'ZOOM.US'
    >>> strip_descriptor("TST* THE GRILL ROOM #12")
    'THE GRILL ROOM'
    >>> strip_descriptor("WAL-MART SUPERCENTER #1234")
    'WAL-MART SUPERCENTER'
    """
    value = unicodedata.normalize("NFKC", text)
    value = cut_city(value, city_state, fixed_width)
    for _ in range(3):  # "GglPay SQ *BLUE BOTTLE": a wallet in front of a processor
        stripped = _PROCESSOR.sub("", _WALLET.sub("", value))
        if stripped == value:
            break
        value = stripped
    value = _PHONE.sub(" ", value)
    value = _WORD_REF.sub(r"\1", value)
    value = _STORE.sub(" ", value)
    value = _collapse(value).strip(" -*#,.")
    return value or _collapse(text)


_KEY_DROP = re.compile(r"[^\w.&+' ]+")


def tokens(text: str) -> list[str]:
    """Return the lower-case match tokens of a descriptor: `*` and `/` split, dots kept.

    >>> tokens("OPENAI *CHATGPT SUBSCR")
    ['openai', 'chatgpt', 'subscr']
    >>> tokens("H & M  0345")
    ['h&m', '0345']
    """
    value = unicodedata.normalize("NFKC", text).casefold()
    value = re.sub(r"\s*&\s*", "&", value).replace("'", "").replace("’", "")
    value = _KEY_DROP.sub(" ", value.replace("*", " ").replace("/", " ").replace("_", " "))
    return [w.strip(".") for w in value.split() if w.strip(".")]


_DOMAIN_SUFFIX = re.compile(r"\.(?:com|net|org|io|ai|co|us|app|so|md|me|dev|tech|ly|tv|fm|uk)$")


@lru_cache(maxsize=65536)
def group_key(name: str) -> str:
    """Return the key that groups variants of one merchant's name.

    >>> group_key("Obsidian.Md") == group_key("OBSIDIAN")
    True
    >>> group_key("Wal-Mart") == group_key("WALMART")
    True
    >>> group_key("Acme Analytics, Inc.")
    'acmeanalytics'
    """
    words = [w for w in tokens(basename(name) or name) if w not in BILLING_WORDS]
    words = [_DOMAIN_SUFFIX.sub("", w) for w in words]
    return re.sub(r"[^a-z0-9&]+", "", "".join(words)) or re.sub(r"\W+", "", name.casefold())


_KEEP_UPPER = re.compile(r"^(?:[A-Z&]{1,2}|[B-DF-HJ-NP-TV-Z&]{3,4})$")


def display(merchant: str) -> str:
    """Return a merchant name as people write it: title case, billing words dropped.

    >>> display("CLAUDE.AI SUBSCRIPTI")
    'Claude.ai'
    >>> display("THE GRILL ROOM")
    'The Grill Room'
    >>> display("Acme Analytics")
    'Acme Analytics'
    """
    words = merchant.replace("*", " ").split()
    while len(words) > 1 and tokens(words[-1]) and tokens(words[-1])[0] in BILLING_WORDS:
        words.pop()
    out = []
    for word in words:
        if word.isupper() and not _KEEP_UPPER.match(word):
            head, dot, rest = word.partition(".")
            word = head.capitalize() + (dot + rest.lower() if dot else "")
            word = re.sub(r"([-&/])(\w)", lambda m: m.group(1) + m.group(2).upper(), word)
        out.append(word)
    name = " ".join(out).strip(" -*#,.")
    if len(words) > 1:
        cleaned = basename(name)
        name = cleaned if cleaned else name
    return name[:200]
