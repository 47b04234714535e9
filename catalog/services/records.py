"""The record shapes (docs/formats.md#records) as dicts: validated in, serialised out.

The bundle, the JSON API, the change log and the forms all speak these dicts, so a field is
checked in exactly one place. References (owner emails, tool slugs) are checked by the caller,
which knows what exists.
"""

from __future__ import annotations

import functools
import re
import typing as t
import unicodedata
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from urllib.parse import urlsplit

from catalog import taxonomy
from catalog.fields import DEPENDENCY_FIELDS
from catalog.fields import FLOW_FIELDS
from catalog.fields import PERSON_FIELDS
from catalog.fields import SIGHTING_FIELDS
from catalog.fields import TOOL_FIELDS
from catalog.fields import Field

# The field declarations live in catalog/fields.py (pure, read by the importers too); they are
# re-exported here, where the services and forms have always found them.
__all__ = [
    "DEPENDENCY_FIELDS",
    "FLOW_FIELDS",
    "PERSON_FIELDS",
    "SIGHTING_FIELDS",
    "TOOL_FIELDS",
    "Field",
    "ValidationError",
]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")

# The supported range of every date the catalog stores or is asked about. Python's date reaches
# 9999-12-31, but the review and the audit add days and years to these dates (an SLA, a renewal
# horizon), so a date at the edge overflows far from where it was typed. 1970 predates any
# martech contract; 2199 leaves room for every real renewal.
MIN_DATE = date(1970, 1, 1)
MAX_DATE = date(2199, 12, 31)
# Integers are stored in 32-bit columns on PostgreSQL (INTEGER): the lowest common bound.
MAX_INT = 2**31 - 1
# Money columns are NUMERIC(14, 2): twelve digits before the point.
MAX_MONEY = Decimal("999999999999.99")
# The tool.slug column holds 100 characters (slugify cuts derived slugs there too).
SLUG_MAX = 100
# Control characters (Unicode category Cc: NUL, ESC of ANSI sequences, newlines...) and lone
# surrogates (Cs, which no database encoding accepts) are refused; multi-line text keeps
# newlines and tabs.
_MULTILINE_OK = frozenset("\n\r\t")


class ValidationError(Exception):
    """A record failed validation; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str], record: str | None = None) -> None:
        self.errors = errors
        self.record = record
        where = f"{record}: " if record else ""
        super().__init__(where + "; ".join(f"{k}: {v}" for k, v in errors.items()))


def slugify(name: str) -> str:
    """Return a slug for a tool name (lowercase, [a-z0-9-])."""
    return _NON_SLUG.sub("-", name.lower()).strip("-")[:100].strip("-")


def check_characters(value: str, *, multiline: bool = False) -> str:
    """Return `value` NFKC-normalised (single-line text) or raise ValueError naming the problem.

    NFKC folds lookalikes (fullwidth letters, ligatures) into their plain form, so that
    `ａｌｉｃｅ@example.com` is the same person as `alice@example.com`.
    """
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError("must not contain unpaired surrogate characters")
        if category == "Cc" and not (multiline and char in _MULTILINE_OK):
            what = "line breaks" if char in "\r\n" else f"control characters (U+{ord(char):04X})"
            raise ValueError(f"must not contain {what}")
    return value if multiline else unicodedata.normalize("NFKC", value)


def check_date(value: date) -> date:
    """Return `value` if it lies in the supported range, else raise ValueError saying the range."""
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(
            f"{value.isoformat()} is outside the supported range "
            f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"
        )
    return value


def parse_date(value: str) -> date:
    """Return the date of a `YYYY-MM-DD` string in the supported range; ValueError otherwise."""
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not a date") from None
    return check_date(day)


def _text(value: t.Any, f: Field) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    text = check_characters(value.strip(), multiline=f.multiline)
    limit = min(f.max_length, SLUG_MAX) if f.kind == "slug" else f.max_length
    if len(text) > limit:
        raise ValueError(f"must be at most {limit} characters")
    return text


def _bool(value: t.Any, f: Field) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _date(value: t.Any, f: Field) -> date:
    if isinstance(value, date):
        return check_date(value)
    if not isinstance(value, str):
        raise ValueError("must be a date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not a date (YYYY-MM-DD)") from None
    return check_date(day)


def _int(value: t.Any, f: Field) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    if value < 0:
        raise ValueError("must not be negative")
    if value > MAX_INT:
        raise ValueError(f"must be at most {MAX_INT:,}")
    number: int = value
    return number


def _money(value: t.Any, f: Field) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError("must be a number")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    if amount < 0:
        raise ValueError("must not be negative")
    if amount >= Decimal("1e12"):
        raise ValueError(f"must be at most {MAX_MONEY:,}")
    # Round first, then check again: 999999999999.999 rounds up past the column.
    amount = amount.quantize(Decimal("0.01"))
    if amount > MAX_MONEY:
        raise ValueError(f"must be at most {MAX_MONEY:,}")
    return amount


def _choices(value: t.Any, f: Field) -> list[str]:
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError("must be a list")
    unknown = [v for v in value if v not in f.choices]
    if unknown:
        raise ValueError(f"unknown value {unknown[0]!r}; expected one of {', '.join(f.choices)}")
    return sorted(set(value), key=f.choices.index)


# The kinds below take text: `_convert` checks and trims it (`_text`) before they see it.


def _plain_text(text: str, f: Field) -> str:
    if f.required and not text:
        raise ValueError("is required")
    return text


def _choice(text: str, f: Field) -> str:
    if text not in f.choices:
        raise ValueError(f"unknown value {text!r}; expected one of {', '.join(f.choices)}")
    return text


def _category(text: str, f: Field) -> str | None:
    if not text:
        return None
    if text not in taxonomy.CATEGORIES:
        raise ValueError(f"unknown category {text!r}")
    return text


def _email_or_none(text: str, f: Field) -> str | None:
    return _email(text) if text else None


def _slug(text: str, f: Field) -> str | None:
    if not text:
        return None
    if not SLUG_RE.match(text):
        raise ValueError(f"{text!r} is not a slug (lowercase letters, digits and hyphens)")
    return text


def _url(text: str, f: Field) -> str:
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return text


def _currency(text: str, f: Field) -> str:
    text = text.upper() or "USD"
    if not CURRENCY_RE.match(text):
        raise ValueError(f"{text!r} is not an ISO 4217 currency code")
    return text


Converter = t.Callable[[t.Any, Field], t.Any]
# One converter per field kind (catalog/fields.py names the kinds).
CONVERTERS: dict[str, Converter] = {
    "bool": _bool,
    "date": _date,
    "int": _int,
    "money": _money,
    "choices": _choices,
}
TEXT_CONVERTERS: dict[str, t.Callable[[str, Field], t.Any]] = {
    "text": _plain_text,
    "choice": _choice,
    "category": _category,
    "email": _email_or_none,
    "slug": _slug,
    "url": _url,
    "currency": _currency,
}


def _convert(value: t.Any, f: Field) -> t.Any:
    convert = CONVERTERS.get(f.kind)
    if convert is not None:
        return convert(value, f)
    return TEXT_CONVERTERS[f.kind](_text(value, f), f)


@functools.lru_cache(maxsize=4096)
def _email(text: str) -> str:
    # Cached: a bundle names the same few hundred owners across thousands of tools, and each
    # validation costs tens of microseconds (invalid addresses raise, and are not cached).
    from email_validator import EmailNotValidError  # lazy: 30 ms of start-up otherwise
    from email_validator import validate_email

    try:
        normalized: str = validate_email(text, check_deliverability=False).normalized
        return normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(f"{text!r} is not a valid e-mail address ({exc})") from None


def clean(fields: tuple[Field, ...], raw: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Return validated values for every field (defaults when omitted); raise ValidationError."""
    values: dict[str, t.Any] = {}
    errors: dict[str, str] = {}
    if not isinstance(raw, t.Mapping):
        raise ValidationError({"record": "must be a JSON object"})
    known = {f.name for f in fields}
    for key in raw:
        if key not in known and key != "version":
            errors[str(key)] = "unknown field"
    for f in fields:
        value = raw.get(f.name)
        if value is None or (value == "" and f.kind not in ("text", "url")):
            if f.required:
                errors[f.name] = "is required"
            else:
                values[f.name] = list(f.default) if isinstance(f.default, tuple) else f.default
            continue
        try:
            values[f.name] = _convert(value, f)
        except ValueError as exc:
            errors[f.name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return values


def plain(value: t.Any) -> t.Any:
    """Return a JSON-ready value: dates as ISO strings, money as int or float."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return list(value)
    return value


# The key by which a record names another record of each type (catalog/fields.py `refers`).
REF_KEYS = {"person": "email", "tool": "slug"}


def record(fields: tuple[Field, ...], obj: t.Any) -> dict[str, t.Any]:
    """Return the record of `obj`: its fields in declaration order, references by their key."""
    values: dict[str, t.Any] = {}
    for f in fields:
        value = getattr(obj, f.name)
        if f.refers is not None:
            values[f.name] = getattr(value, REF_KEYS[f.refers]) if value is not None else None
        else:
            values[f.name] = plain(value)
    return values


def person_record(person: t.Any) -> dict[str, t.Any]:
    return record(PERSON_FIELDS, person)


def tool_record(tool: t.Any) -> dict[str, t.Any]:
    return record(TOOL_FIELDS, tool)


def flow_record(flow: t.Any) -> dict[str, t.Any]:
    return record(FLOW_FIELDS, flow)


def dependency_record(dep: t.Any) -> dict[str, t.Any]:
    return record(DEPENDENCY_FIELDS, dep)


def sighting_record(s: t.Any) -> dict[str, t.Any]:
    return record(SIGHTING_FIELDS, s)
