"""Match the app names discovery sources report to catalog tools, deterministically.

`Hubspot Inc.`, `HubSpot Marketing Hub`, `hubspot` and `PAYPAL *HUBSPOT` all reduce to the key
`hubspot`. A name is tried against the catalog from its most specific key to its most reduced
one, through: remembered app ids, aliases people confirmed, tool names and slugs, the alias
groups shipped in `catalog/data/aliases.json`, then unambiguous reduced names and vendors. Fuzzy
similarity only *suggests* a tool for a person to confirm; it never decides.
"""

from __future__ import annotations

import json
import re
import typing as t
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from rapidfuzz import fuzz
from rapidfuzz import process
from sqlalchemy.orm import Session

from catalog.models import IgnoredApp
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import ToolAlias

ALIASES_FILE = Path(__file__).resolve().parent.parent / "data" / "aliases.json"
FUZZY_CUTOFF = 87

# Payment processors put their own name before the merchant's: `SQ *CANVA`, `PAYPAL *HOTJAR`.
PROCESSORS = frozenset(
    "sq sqsp tst paypal pp sp py ggl google goog amzn amazon apple fs 2co dnh in wpy ck cko "
    "pos ext bt ppg msft dri pmt sumup zettle izettle stripe paddle paddle.net".split()
)
_DESCRIPTOR = re.compile(r"^\s*([A-Za-z0-9.]{1,12})\s*\*\s*(.+)$")
_BRACKETS = re.compile(r"\s*(\([^)]*\)|\[[^\]]*\])")
_DOMAIN = re.compile(r"\b(?:www\.)?([a-z0-9-]+)\.(?:com|io|net|org|us|co|ai|app|so|ly|me|de|uk)\b")
_NOISE = re.compile(r"^[#\d\-/.:+]{3,}$")  # reference numbers, phone numbers, dates
_PUNCT = re.compile(r"[^\w]+")
LEGAL_SUFFIXES = tuple(
    tuple(s.split())
    for s in (
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "l l c",
        "gmbh",
        "s a",
        "sa",
        "sas",
        "s a s",
        "sarl",
        "ag",
        "bv",
        "b v",
        "nv",
        "n v",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "pty",
        "pty ltd",
        "oy",
        "ab",
        "srl",
        "spa",
        "s p a",
        "kk",
        "lp",
        "llp",
        "ug",
        "se",
        "as",
        "aps",
        "sl",
    )
)
PRODUCT_SUFFIXES = tuple(
    tuple(s.split())
    for s in (
        "marketing hub",
        "sales hub",
        "service hub",
        "cms hub",
        "operations hub",
        "commerce hub",
        "content hub",
        "crm",
        "for business",
        "for teams",
        "for work",
        "business",
        "enterprise",
        "pro",
        "premium",
        "plus",
        "teams",
        "team",
        "subscription",
        "subscr",
        "online",
        "app",
        "software",
        "platform",
        "saas",
        "hq",
    )
)
_SEPARATORS = re.compile(r"\s+[-–—|:]\s+")


def _strip_descriptor(name: str) -> str:
    match = _DESCRIPTOR.match(name)
    if match is None:
        return name
    prefix, rest = match.group(1), match.group(2)
    # A processor prefix hides the merchant after the star; otherwise the merchant is the prefix
    # and the rest is a product or a reference (`OPENAI *CHATGPT SUBSCR`, `CANVA* 1234`).
    return rest if prefix.lower().rstrip(".") in PROCESSORS else prefix


def _drop_trailing(tokens: list[str], suffixes: tuple[tuple[str, ...], ...]) -> list[str]:
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            n = len(suffix)
            if len(tokens) > n and tuple(tokens[-n:]) == suffix:
                tokens = tokens[:-n]
                changed = True
    return tokens


def _tokens(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _strip_descriptor(text)
    text = _BRACKETS.sub(" ", text)
    text = _DOMAIN.sub(r"\1", text)
    tokens = [tok for tok in text.split() if not _NOISE.match(tok)]
    tokens = _PUNCT.sub(" ", " ".join(tokens)).replace("_", " ").split()
    return _drop_trailing(tokens, LEGAL_SUFFIXES)


def normalise(name: str) -> str:
    """Return the full match key of a name: case, punctuation, legal suffix and descriptor free."""
    return " ".join(_tokens(name))


@lru_cache(maxsize=4096)
def candidate_keys(name: str) -> tuple[str, ...]:
    """Return a name's match keys, from the most specific to the most reduced."""
    keys = [normalise(name)]
    head = _SEPARATORS.split(name.strip())[0]  # `Hotjar - Marketing`: an admin's label
    if head != name.strip():
        keys.append(normalise(head))
    tokens = keys[-1].split()
    while True:
        reduced: list[str] | None = None
        for suffix in PRODUCT_SUFFIXES:
            n = len(suffix)
            if len(tokens) > n and tuple(tokens[-n:]) == suffix:
                reduced = tokens[:-n]
                break
        if reduced is None:
            break
        tokens = _drop_trailing(reduced, LEGAL_SUFFIXES)
        keys.append(" ".join(tokens))
    out: list[str] = []
    for key in keys:
        if key and key not in out:
            out.append(key)
    return tuple(out)


def display_name(name: str) -> str:
    """Return a tidy tool name for an app nobody registered (`SQ *CANVA` -> `Canva`)."""
    canonical = canonical_names().get(group_key(name))
    if canonical is not None:
        return canonical
    text = _BRACKETS.sub(" ", _strip_descriptor(_SEPARATORS.split(name.strip())[0]))
    words = [w for w in text.split() if not _NOISE.match(w)]
    while len(words) > 1 and (
        tuple(_PUNCT.sub(" ", words[-1].casefold()).split()) in LEGAL_SUFFIXES
        or _PUNCT.sub("", words[-1]) == ""
    ):
        words.pop()
    shown = " ".join(words).strip(" ,.-*") or name.strip()
    if shown.isupper() and len(shown) > 4:
        shown = shown.title()
    return shown[:200]


@lru_cache(maxsize=1)
def shipped_groups() -> dict[str, tuple[str, ...]]:
    """Return the shipped alias groups: every member key -> all keys of its group."""
    data = json.loads(ALIASES_FILE.read_text(encoding="utf-8"))
    groups: dict[str, tuple[str, ...]] = {}
    for group in data["groups"]:
        keys = tuple(dict.fromkeys(normalise(n) for n in group))
        for key in keys:
            groups[key] = keys
    return groups


@lru_cache(maxsize=1)
def canonical_names() -> dict[str, str]:
    """Return each shipped group's key -> the product's name as the group spells it first."""
    data = json.loads(ALIASES_FILE.read_text(encoding="utf-8"))
    return {normalise(group[0]): group[0] for group in data["groups"]}


def group_key(name: str) -> str:
    """Return the key that unmatched apps of one vendor share (one discovered tool per key)."""
    groups = shipped_groups()
    for key in candidate_keys(name):
        if key in groups:
            return groups[key][0]
    return candidate_keys(name)[-1] if candidate_keys(name) else name.casefold()


_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/:?#]+)")
_NAMED_DOMAIN = re.compile(
    r"\b((?:[a-z0-9-]+\.)+(?:com|io|net|org|us|co|ai|app|so|ly|me|de|uk|md|dev|tv))\b"
)


def _registrable(host: str) -> str:
    """Return the last two labels of a host (`app.hubspot.com` -> `hubspot.com`)."""
    labels = host.casefold().removeprefix("www.").split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else ""


def website_domain(url: str) -> str:
    """Return the registrable domain of a tool's website, or ""."""
    match = _HOST.match(url.strip().casefold())
    return _registrable(match.group(1)) if match else ""


def named_domain(name: str) -> str:
    """Return the domain an observed name spells out (`Obsidian.md`, `ZOOM.US 888-...`), or ""."""
    match = _NAMED_DOMAIN.search(unicodedata.normalize("NFKC", name).casefold())
    return _registrable(match.group(1)) if match else ""


def slug_names_tool(slug: str, name: str) -> bool:
    """Return False when a slug is only the leading word(s) of a longer name.

    `github` for "GitHub Showcase repository" names the vendor the thing lives at, not the thing:
    matching an app called "GitHub" by that slug would join two different things.
    """
    slug_words, name_words = slug.split("-"), normalise(name).split()
    return not (len(slug_words) < len(name_words) and name_words[: len(slug_words)] == slug_words)


@dataclass(frozen=True)
class Match:
    tool_id: int | None
    how: str  # sighting, app_id, alias, name, shipped_alias, reduced, vendor, ignored, none
    # (and "platform": a platform's own app attached to the platform's tool, see platform_apps)


class Matcher:
    """Everything needed to match a batch of apps, loaded in a handful of queries."""

    def __init__(self, session: Session, source: str) -> None:
        self.source = source
        self.sightings: dict[str, int | None] = dict(
            session.execute(
                sa.select(Sighting.observed_name, Sighting.tool_id).where(Sighting.source == source)
            ).all()
        )
        self.app_ids: dict[str, int] = {}
        self.aliases: dict[str, int] = {}
        for alias_source, value, tool_id in session.execute(
            sa.select(ToolAlias.source, ToolAlias.value, ToolAlias.tool_id)
        ).all():
            if not alias_source:
                self.aliases[value] = tool_id
            elif alias_source == source:
                self.app_ids[value] = tool_id
        self.ignored = {
            (s, v) for s, v in session.execute(sa.select(IgnoredApp.source, IgnoredApp.value))
        }
        self.names: dict[int, str] = {}
        self.exact: dict[str, int] = {}
        reduced: dict[str, set[int]] = {}
        vendors: dict[str, set[int]] = {}
        self.domains: dict[int, str] = {}
        rows = session.execute(
            sa.select(Tool.id, Tool.slug, Tool.name, Tool.vendor, Tool.website)
        ).all()
        for tool_id, slug, name, vendor, website in rows:
            self.add_tool(tool_id, slug, name)
            if website:
                self.domains[tool_id] = website_domain(website)
            for key in candidate_keys(name)[1:]:
                reduced.setdefault(key, set()).add(tool_id)
            if vendor:
                vendors.setdefault(normalise(vendor), set()).add(tool_id)
        # A reduced name or a vendor only decides when exactly one tool claims it.
        self.reduced = {k: next(iter(v)) for k, v in reduced.items() if len(v) == 1}
        self.vendors = {k: next(iter(v)) for k, v in vendors.items() if len(v) == 1 and k}

    def add_tool(self, tool_id: int, slug: str, name: str) -> None:
        """Make a tool (also one created during this import) matchable."""
        self.names[tool_id] = name
        self.exact.setdefault(normalise(name), tool_id)
        if slug_names_tool(slug, name):
            self.exact.setdefault(slug.replace("-", " "), tool_id)

    def _disagrees(self, tool_id: int, domain: str) -> bool:
        """Return True when the app names a domain and the tool's website is another one."""
        theirs = self.domains.get(tool_id, "")
        return bool(domain and theirs and domain != theirs)

    def is_ignored(self, name: str, app_id: str | None) -> bool:
        """Return True when someone chose to ignore this app."""
        if app_id and (self.source, app_id) in self.ignored:
            return True
        return any(("", key) in self.ignored for key in candidate_keys(name))

    def match(self, name: str, app_id: str | None) -> Match:
        """Return the tool an app is, with how it was decided."""
        if name in self.sightings and self.sightings[name] is not None:
            return Match(self.sightings[name], "sighting")
        if app_id and app_id in self.app_ids:
            return Match(self.app_ids[app_id], "app_id")
        if self.is_ignored(name, app_id):
            return Match(None, "ignored")
        keys = candidate_keys(name)
        groups = shipped_groups()
        # Names only join when nothing says they are different things: an app that spells out
        # its domain never matches a tool whose website is elsewhere (a person can confirm).
        domain = named_domain(name)
        for key in keys:
            if key in self.aliases:
                return Match(self.aliases[key], "alias")
            if key in self.exact and not self._disagrees(self.exact[key], domain):
                return Match(self.exact[key], "name")
            for member in groups.get(key, ()):
                hit = self.aliases.get(member) or self.exact.get(member)
                if hit is not None and not self._disagrees(hit, domain):
                    return Match(hit, "shipped_alias")
        for key in keys:
            for table, how in ((self.reduced, "reduced"), (self.vendors, "vendor")):
                if key in table and not self._disagrees(table[key], domain):
                    return Match(table[key], how)
        return Match(None, "none")

    def suggest(self, name: str, exclude: t.Container[int] = ()) -> tuple[int, int] | None:
        """Return (tool id, score 0-100) of a similar tool for a person to confirm, or None."""
        choices = {tid: normalise(n) for tid, n in self.names.items() if tid not in exclude}
        if not choices:
            return None
        best = process.extractOne(
            normalise(name), choices, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF
        )
        if best is None:
            return None
        return int(best[2]), int(best[1])
