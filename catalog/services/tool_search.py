"""Typo-tolerant search over tools: name, vendor, aliases, category label and owners.

The catalog's words (a few per tool) go into a small in-memory index, built once per catalog
version: word -> the tools that carry it, with a weight by field (a hit on the name ranks above a
hit on an owner). A query is split into words; each word matches the index's words exactly, as a
prefix or a substring, or, from four letters on, by edit similarity (rapidfuzz), so "hubsopt"
finds HubSpot. A tool matches when every query word matches one of its words.

Why not the databases' own trigram search: SQLite's FTS5 trigram tokenizer only answers substring
queries (every trigram of "hubsopt" must be present, so it finds nothing), while PostgreSQL's
pg_trgm ranks by similarity: the two would disagree, and owners and category labels live in other
tables. The index is the same on both databases; benchmarks/search.py measures it.
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from rapidfuzz import fuzz
from rapidfuzz import process
from sqlalchemy.orm import Session

from catalog import taxonomy
from catalog.models import Person
from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.services import caches
from catalog.services.snapshot import catalog_version

__all__ = ["SearchIndex", "build_index", "search_index", "search", "suggest", "words"]

# Weight of a hit by field: what the user most likely meant ranks first.
WEIGHTS = {"name": 1.0, "slug": 0.95, "alias": 0.9, "vendor": 0.85, "category": 0.8, "owner": 0.7}
FUZZY_MIN_LENGTH = 4  # shorter words match exactly, as a prefix or a substring only
FUZZY_CUTOFF = 80  # rapidfuzz ratio (0-100): one transposition in a 7-letter word scores 86
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str | None) -> list[str]:
    """Return the lowercase words of `text` (letters and digits; punctuation splits)."""
    return _WORD.findall((text or "").lower())


@dataclass(frozen=True)
class SearchIndex:
    """The searchable words of a catalog version."""

    version: str
    vocab: list[str]  # distinct words
    postings: dict[str, dict[int, float]]  # word -> tool id -> best field weight
    names: dict[int, tuple[str, str]]  # tool id -> (slug, name)
    # The words one per line, so that a regular expression finds substrings at C speed.
    blob: str = ""
    by_length: dict[int, list[str]] = field(default_factory=dict)

    def match_word(self, token: str) -> dict[int, float]:
        """Return tool id -> score (0-100) for one query word."""
        scores: dict[int, float] = {}

        def add(word: str, score: float) -> None:
            for tool_id, weight in self.postings[word].items():
                value = score * weight
                if value > scores.get(tool_id, 0.0):
                    scores[tool_id] = value

        seen = set()
        # Substrings from three letters on ("spot" in "hubspot"); shorter words as prefixes.
        pattern = (
            rf"^[^\n]*{re.escape(token)}[^\n]*$"
            if len(token) >= 3
            else rf"^{re.escape(token)}[^\n]*$"
        )
        for word in re.findall(pattern, self.blob, re.M):
            seen.add(word)
            add(word, 100.0 if word == token else 95.0 if word.startswith(token) else 90.0)
        if len(token) >= FUZZY_MIN_LENGTH:
            # A ratio of 80 needs the shorter word to be at least 2/3 of the longer one.
            size = len(token)
            candidates = [
                w
                for n in range(-(-2 * size // 3), size * 3 // 2 + 1)
                for w in self.by_length.get(n, ())
            ]
            for word, score, _ in process.extract(
                token, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
            ):
                if word not in seen:
                    add(word, float(score) * 0.9)  # an exact hit ranks above a typo's
        return scores

    def search(self, query: str) -> list[tuple[int, float]]:
        """Return (tool id, score) of the tools matching every word of `query`, best first."""
        tokens = list(dict.fromkeys(words(query)))
        if not tokens:
            return []
        total: dict[int, float] | None = None
        for token in tokens:
            hits = self.match_word(token)
            if total is None:
                total = hits
            else:
                total = {tid: total[tid] + score for tid, score in hits.items() if tid in total}
            if not total:
                return []
        assert total is not None
        return sorted(
            total.items(), key=lambda p: (-p[1], self.names[p[0]][1].lower(), self.names[p[0]][0])
        )


def build_index(session: Session, version: str = "") -> SearchIndex:
    """Read the searchable fields of every tool (four queries) into an index."""
    postings: dict[str, dict[int, float]] = {}
    names: dict[int, tuple[str, str]] = {}

    def put(tool_id: int, text: str | None, field: str) -> None:
        weight = WEIGHTS[field]
        for word in words(text):
            per = postings.setdefault(word, {})
            if weight > per.get(tool_id, 0.0):
                per[tool_id] = weight

    people = {
        pid: f"{name} {email}"
        for pid, name, email in session.execute(sa.select(Person.id, Person.name, Person.email))
    }
    rows = session.execute(
        sa.select(
            Tool.id,
            Tool.slug,
            Tool.name,
            Tool.vendor,
            Tool.category,
            Tool.business_owner_id,
            Tool.technical_owner_id,
        )
    )
    for tool_id, slug, name, vendor, category, business, technical in rows:
        names[tool_id] = (slug, name)
        put(tool_id, name, "name")
        put(tool_id, slug, "slug")
        put(tool_id, vendor, "vendor")
        if category:
            known = taxonomy.CATEGORIES.get(category)
            put(tool_id, known.name if known else category, "category")
        for owner in (business, technical):
            if owner is not None:
                put(tool_id, people.get(owner), "owner")
    for tool_id, value in session.execute(
        sa.select(ToolAlias.tool_id, ToolAlias.value).where(ToolAlias.source == "")
    ):
        put(tool_id, value, "alias")
    vocab = sorted(postings)
    by_length: dict[int, list[str]] = {}
    for word in vocab:
        by_length.setdefault(len(word), []).append(word)
    return SearchIndex(version, vocab, postings, names, "\n".join(vocab), by_length)


def search_index(session: Session) -> SearchIndex:
    """Return the index of the current catalog version (built on first use, then cached)."""
    version = catalog_version(session)
    # Category labels are loaded per process (taxonomy.sync): the loaded state is part of the key,
    # so an index is never built from one registry and served under another.
    loaded = taxonomy.loaded_token()
    return caches.current().cached(
        "tool_search.index", version, loaded, lambda: build_index(session, f"{version}|{loaded}")
    )


def search(session: Session, query: str) -> list[tuple[int, float]]:
    """Return (tool id, score) of the tools matching `query`, best first."""
    return search_index(session).search(query)


def suggest(session: Session, query: str, limit: int = 10) -> list[dict[str, str]]:
    """Return up to `limit` tools for a picker: [{slug, name}], best match first."""
    index = search_index(session)
    return [
        {"slug": index.names[tid][0], "name": index.names[tid][1]}
        for tid, _ in index.search(query)[:limit]
    ]


def resolve(session: Session, text: str) -> str | None:
    """Return the slug a picker's typed text stands for: a slug, or a tool's exact name."""
    value = (text or "").strip()
    if not value:
        return None
    slug = session.scalar(sa.select(Tool.slug).where(Tool.slug == value))
    if slug is not None:
        return slug
    found = list(
        session.scalars(
            sa.select(Tool.slug).where(sa.func.lower(Tool.name) == value.lower()).limit(2)
        )
    )
    return found[0] if len(found) == 1 else None


def resolve_tool_args(
    session: Session, args: t.Mapping[str, str], names: t.Iterable[str]
) -> dict[str, str]:
    """Return `args` with each of `names` that is a tool's exact name replaced by its slug.

    A picker without its script submits what was typed; a value that is neither a slug nor an
    exact name is left as it is, for the page to say that there is no such tool.
    """
    out = dict(args.items())
    for name in names:
        value = (out.get(name) or "").strip()
        if value:
            out[name] = resolve(session, value) or value
    return out
