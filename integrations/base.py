"""The contract every discovery importer follows: read an export, yield frozen records."""

from __future__ import annotations

import abc
import codecs
import csv
import difflib
import io
import re
import typing as t
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

# Python's csv module refuses fields over 131,072 characters; that limit is our guard against
# a hostile upload, so it is reported, never raised.
CSV_FIELD_LIMIT = csv.field_size_limit()
MAX_NAME = 500  # Sighting.observed_name
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
#: Rows an export may carry before its header (titles, account numbers, blank lines).
MAX_PREAMBLE = 20
#: A required column: one name, or alternatives any of which will do ("Application",
#: "AppDisplayName").
Column = str | tuple[str, ...]


class ParseError(Exception):
    """The file cannot be read as this source at all (wrong format, bad bytes, missing columns)."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class Observation(t.NamedTuple):
    """One sign-in, token grant or expense line that shows an app in use.

    A NamedTuple rather than a dataclass: a million of these go by in an import, and tuples are
    the cheapest immutable record Python has.
    """

    app_name: str
    app_id: str | None
    user: str | None
    day: date | None
    spend: Decimal | None = None
    currency: str | None = None
    scopes: tuple[str, ...] = ()
    #: Key of the identity/productivity platform whose own first-party app this is ("microsoft",
    #: "google", "okta"), or None. The service attaches such sightings to the platform's tool or
    #: skips them as "platform app"; they never become discovered tools.
    platform: str | None = None


class Unclassified(t.NamedTuple):
    """A spend line that is neither clearly software nor clearly not: it never becomes a tool by
    itself, but waits in triage (grouped by cleaned merchant) for a person to decide."""

    where: str
    merchant: str  # the cleaned merchant name lines are grouped under
    raw: str  # the statement descriptor as exported
    day: date | None
    amount: Decimal | None
    currency: str | None
    user: str | None
    reason: str  # why it could not be classified


class Skipped(t.NamedTuple):
    """A line read fine but not evidence of software (a taxi, a meal, a failed lookup)."""

    where: str
    reason: str


class BadRow(t.NamedTuple):
    """A line this importer understood as its format but whose values are wrong."""

    where: str
    message: str


class ToolRecord(t.NamedTuple):
    """A tool to register or update: raw record fields as in `catalog.services.records`."""

    where: str
    fields: t.Mapping[str, t.Any]
    #: Fields used only when the tool is created (an existing tool keeps its own lifecycle).
    create_only: t.Mapping[str, t.Any] = {}


class DependencyRecord(t.NamedTuple):
    """`tool` depends on `depends_on` (slugs)."""

    where: str
    tool: str
    depends_on: str
    kind: str = "other"
    description: str = ""


class Warning_(t.NamedTuple):
    """Something the user should know that does not stop the import (a dangling reference)."""

    where: str
    message: str


Item = Observation | Unclassified | Skipped | BadRow | ToolRecord | DependencyRecord | Warning_


class Importer(abc.ABC):
    """One discovery source. `parse` reads; `catalog.services.discovery` writes."""

    #: Stable key, stored on Sighting.source. Never rename once used.
    name: t.ClassVar[str]
    #: Human-readable label for forms, CLI help and reports.
    label: t.ClassVar[str]
    #: What the importer yields: "observations" (sightings) or "tools" (registrations).
    produces: t.ClassVar[str] = "observations"

    @abc.abstractmethod
    def parse(self, stream: t.BinaryIO) -> t.Iterator[Item]:
        """Yield the records of one export; raise ParseError when the file is not this format."""


# Shared helpers -------------------------------------------------------------------------------


def text_stream(stream: t.BinaryIO) -> t.TextIO:
    """Return a strict UTF-8 (BOM optional) text view of a binary stream."""
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")


def text_lines(stream: t.BinaryIO) -> t.Iterator[str]:
    """Yield the lines of a UTF-8 (BOM optional) stream, naming the line of undecodable bytes.

    Decoding line by line (not in chunks) is what lets the error say which line is broken.
    """
    first = True
    for number, raw in enumerate(stream, start=1):
        if first:
            raw, first = raw.removeprefix(codecs.BOM_UTF8), False
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"bytes that are not UTF-8 ({exc.reason} at byte {exc.start + 1}); "
                "save the export as UTF-8",
                where=f"line {number}",
            ) from None


def norm_header(name: str) -> str:
    """Return a header cell stripped, with whitespace collapsed and case folded."""
    return " ".join(name.split()).casefold()


class RowStream:
    """The rows of a CSV export after its header, as (row number, cells); empty rows skipped.

    Row numbers are the spreadsheet's: the first line of the file is row 1. Each layout finds
    its header its own way (`CsvRows` by the columns it expects, `integrations.card_layouts`
    among the banks' layouts) by reading rows with `_next`; iterating yields the rest.
    """

    def __init__(self, stream: t.BinaryIO) -> None:
        self._reader = csv.reader(text_lines(stream))
        self.row = 0

    def _next(self) -> list[str] | None:
        try:
            row = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise ParseError(f"not readable as CSV ({exc})", where=f"row {self.row + 1}") from None
        self.row += 1
        return row

    def __iter__(self) -> t.Iterator[tuple[int, list[str]]]:
        # The hot loop of a million-row import: no per-row helper calls.
        number = self.row
        try:
            for row in self._reader:
                number += 1
                if row:
                    yield number, row
        except csv.Error as exc:
            raise ParseError(f"not readable as CSV ({exc})", where=f"row {number + 1}") from None
        finally:
            self.row = number


class CsvRows(RowStream):
    """Stream a CSV export as (row number, cells), mapping columns by normalised header name.

    Row numbers are the spreadsheet's: the first line of the file is row 1, so a header after
    blank or preamble rows keeps its own number and a bad row's message names what the user sees.

    Without `expect`, the first non-blank row is the header. With `expect` (columns, each a name
    or a tuple of alternatives), the header is the first of the first MAX_PREAMBLE + 1 rows that
    has every expected column: Amex and bank exports open with titles and empty rows.
    """

    def __init__(self, stream: t.BinaryIO, *, label: str, expect: t.Sequence[Column] = ()) -> None:
        super().__init__(stream)
        self.label = label
        first = self._next()
        if expect:
            first = self._find_header(first, expect)
        while first is not None and not any(c.strip() for c in first):
            first = self._next()  # blank lines before the header
        if first is None:
            raise ParseError(f"the file is empty; expected {_a(label)} CSV with a header row")
        self.header_row = self.row
        self._set_header(first)

    def _set_header(self, first: list[str]) -> None:
        self.names = [" ".join(c.split()) for c in first]  # as the file spells them, for messages
        self.header = [norm_header(c) for c in first]
        self.index: dict[str, int] = {}
        for position, name in enumerate(self.header):
            # Entra repeats "Incoming token type"; the first occurrence wins, by position.
            self.index.setdefault(name, position)

    def _find_header(self, row: list[str] | None, expect: t.Sequence[Column]) -> list[str] | None:
        best: tuple[int, int, list[str]] | None = None  # (columns found, row number, cells)
        scanned = 0
        while row is not None and scanned <= MAX_PREAMBLE:
            if any(c.strip() for c in row):
                present = {norm_header(c) for c in row}
                found = sum(1 for group in expect if _present(group, present))
                if found == len(expect):
                    return row
                if best is None or found > best[0]:
                    best = (found, self.row, row)
            scanned += 1
            row = self._next()
        if best is None:
            return row  # nothing but blank rows: the caller reports the empty file
        _, number, cells = best
        self._set_header(cells)  # the likeliest header row, to name what it lacks
        raise ParseError(
            f"this is not {_a(self.label)} CSV: missing column(s) {self.missing_message(expect)}",
            where=f"row {number}",
        )

    def missing_message(self, names: t.Sequence[Column]) -> str:
        """Name the columns of `names` the header lacks, each with the closest header found."""
        parts = []
        present = set(self.index)
        for group in names:
            if _present(group, present):
                continue
            options = (group,) if isinstance(group, str) else group
            text = " or ".join(options)
            close = _closest(options, self.names)
            parts.append(f'{text} (closest header found: "{close}")' if close else text)
        return ", ".join(parts)

    def require(self, *names: Column) -> tuple[int, ...]:
        """Return the positions of required columns or raise ParseError naming the missing ones.

        Each name may be a tuple of alternatives; the first alternative present is used.
        """
        if any(not _present(group, set(self.index)) for group in names):
            missing = self.missing_message(names)
            raise ParseError(
                f"this is not {_a(self.label)} CSV: missing column(s) {missing}",
                where=f"row {self.header_row}",
            )
        return tuple(
            self.index[norm_header(group)]
            if isinstance(group, str)
            else t.cast(int, self.optional(*group))
            for group in names
        )

    def optional(self, *names: str) -> int | None:
        """Return the position of the first of `names` present, or None."""
        for name in names:
            position = self.index.get(norm_header(name))
            if position is not None:
                return position
        return None


def _a(label: str) -> str:
    return f"an {label}" if label[:1].lower() in "aeio" else f"a {label}"


def _present(group: Column, present: t.Container[str]) -> bool:
    if isinstance(group, str):
        return norm_header(group) in present
    return any(norm_header(name) in present for name in group)


def _closest(options: t.Sequence[str], names: list[str]) -> str | None:
    """Return the header (as the file spells it) closest to any of `options`, if any is close."""
    by_key = {norm_header(n): n for n in names if n.strip()}
    best: tuple[float, str] | None = None
    for option in options:
        for key in difflib.get_close_matches(norm_header(option), list(by_key), n=1, cutoff=0.6):
            score = difflib.SequenceMatcher(None, norm_header(option), key).ratio()
            if best is None or score > best[0]:
                best = (score, by_key[key])
    return best[1] if best else None


def cell(row: list[str], position: int | None) -> str:
    """Return a stripped cell, or "" when the column is absent or the row is short."""
    if position is None or position >= len(row):
        return ""
    value = row[position].strip()
    # Our own CSV exports defuse formulas with a leading quote; undo that (reference 1.3(c)).
    if value[:2] in ("'=", "'+", "'-", "'@"):
        value = value[1:]
    return value


_AMOUNT_NOISE = re.compile(r"[\s,$€£¥]|[A-Z]{3}$")


def parse_amount(text: str) -> Decimal:
    """Return an amount from a card or expense cell: `1,234.50`, `$18.68`, `(12.00)`."""
    raw = text.strip()
    negative = raw.startswith("(") and raw.endswith(")")
    cleaned = _AMOUNT_NOISE.sub("", raw.strip("()"))
    if len(cleaned) > 30:
        raise ValueError(f"{raw[:40]!r} is not an amount")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{raw[:40]!r} is not an amount") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):  # 1e400 is finite to Decimal
        raise ValueError(f"{raw[:40]!r} is not an amount (at most 999,999,999,999.99)")
    return -amount if negative else amount


_DATE_CACHE: dict[str, date] = {}


def iso_day(text: str) -> date:
    """Return the date of an ISO-8601 timestamp (`2025-12-04T08:19:41Z`, offsets, fractions)."""
    head = text.strip()[:10]
    day = _DATE_CACHE.get(head)
    if day is None:
        day = date.fromisoformat(head)  # ValueError for the caller to report
        if len(_DATE_CACHE) < 10_000:
            _DATE_CACHE[head] = day
    return day


def us_day(text: str) -> date:
    """Return a date written MM/DD/YYYY (American Express) or ISO."""
    value = text.strip()
    if "/" in value:
        month, day, year = value.split("/")
        return date(int(year), int(month), int(day))
    return iso_day(value)


def check_name(name: str) -> str | None:
    """Return a problem with an app name, or None when it can be stored."""
    if not name:
        return "the app name is empty"
    if len(name) > MAX_NAME:
        return f"the app name is longer than {MAX_NAME} characters"
    if "\x00" in name:
        return "the app name contains a NUL character"
    return None


def sniff_bytes(stream: t.BinaryIO, size: int = 65536) -> str:
    """Return the start of a stream as text (for detection) and rewind it."""
    head = stream.read(size)
    stream.seek(0)
    return codecs.decode(head, "utf-8-sig", errors="replace")
