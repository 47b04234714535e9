"""Requests that know the catalog: the tools a requested name already stands for.

As a marketer types a tool's name on the request form, the page lists the catalog's tools that
match by name, vendor, alias or web domain, with what to do instead of a new request. The same
matching runs when the form is sent, so a request for a sanctioned tool (or one already in
review) shows the notice instead of creating a duplicate, and a request for a rejected tool
reopens that tool's review.

Matching (docs/governance-model.md#duplicate-detection): the candidates come from the catalog's
fuzzy search (`tool_search`) for the whole text and for each of its longer words; each candidate
is scored with rapidfuzz's `token_set_ratio` (0-100) of the typed text against its name, each
alias and its vendor, and 100 when the typed text contains the tool's web domain. The token-set
ratio is 100 when one side's words are all in the other, so "HubSpot Marketing Hub" scores 100
against "HubSpot". A hint is shown from `HINT_SCORE`; a request is held back (or reopens a
rejected tool) from `SAME_SCORE`, and only on name, alias or domain: sharing a vendor is a hint,
never a refusal (one vendor sells many tools).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from catalog.models import Tool
from catalog.models import ToolAlias
from catalog.services import tool_search
from catalog.services.writes import last_change
from catalog.vocab import OPEN_LIFECYCLES
from catalog.vocab import Lifecycle

HINT_SCORE = 80
SAME_SCORE = 90
_CANDIDATES = 40


@dataclass(frozen=True)
class Match:
    tool: Tool
    how: str  # name, alias, vendor or domain
    score: float
    status: str  # sanctioned, rejected, open, other (discovered or retired)
    notice: str  # what the requester should do instead

    @property
    def same(self) -> bool:
        """True when the request is for this very tool (not just the same vendor)."""
        return self.how != "vendor" and self.score >= SAME_SCORE


def _domain(text: str | None) -> str:
    if not text:
        return ""
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    return host.removeprefix("www.").lower()


def _candidates(session: Session, text: str) -> list[int]:
    ids: dict[int, float] = {}
    queries = [text] + [w for w in tool_search.words(text) if len(w) >= 4]
    for query in queries:
        for tool_id, score in tool_search.search(session, query)[:_CANDIDATES]:
            ids[tool_id] = max(ids.get(tool_id, 0.0), score)
    return sorted(ids, key=lambda i: -ids[i])[:_CANDIDATES]


def rejection(session: Session, tool: Tool) -> tuple[date | None, str]:
    """Return when and why the tool was last rejected (the review's reason)."""
    row = last_change(session, "review", tool.slug, "reject")
    reason = (row.after or {}).get("reason", "") if row is not None else ""
    return tool.decided_at, reason


def status(session: Session, tool: Tool) -> tuple[str, str]:
    if tool.lifecycle in (Lifecycle.SANCTIONED, Lifecycle.DEPRECATED):
        owner = tool.business_owner
        who = (owner.name or owner.email) if owner is not None else "IT"
        return "sanctioned", f"already {tool.lifecycle}: ask its owner ({who}) for access"
    if tool.lifecycle == Lifecycle.REJECTED:
        when, reason = rejection(session, tool)
        because = f" because “{reason}”" if reason else ""
        return "rejected", (
            f"rejected on {when or 'an earlier date'}{because}: request again "
            f"with what changed (your request reopens its review)"
        )
    if tool.lifecycle in OPEN_LIFECYCLES:
        state = "in review" if tool.lifecycle == Lifecycle.IN_REVIEW else "requested"
        return "open", f"already requested, {state} since {tool.requested_at or 'recently'}"
    return "other", (
        f"already in the catalog ({tool.lifecycle.replace('_', ' ')}): your request "
        f"turns it into a request for review"
    )


def matches(session: Session, text: str, *, website: str = "", limit: int = 5) -> list[Match]:
    """Return the catalog tools a requested name (and website) may stand for, best first."""
    text = (text or "").strip()[:200]
    if len(text) < 2:
        return []
    ids = _candidates(session, text)
    domain = _domain(website) or (_domain(text) if "." in text else "")
    if domain:
        ids += [
            tool.id
            for tool in session.scalars(
                sa.select(Tool).where(Tool.website.ilike(f"%{domain}%")).limit(_CANDIDATES)
            )
        ]
    if not ids:
        return []
    tools = session.scalars(sa.select(Tool).where(Tool.id.in_(ids))).all()
    aliases: dict[int, list[str]] = {}
    for tool_id, alias in session.execute(
        sa.select(ToolAlias.tool_id, ToolAlias.value).where(
            ToolAlias.tool_id.in_(ids), ToolAlias.source == ""
        )
    ):  # names, not app ids
        aliases.setdefault(tool_id, []).append(alias)
    found = []
    lowered = text.lower()
    for tool in tools:
        scores = [(fuzz.token_set_ratio(lowered, tool.name.lower()), "name")]
        scores += [
            (fuzz.token_set_ratio(lowered, a.lower()), "alias") for a in aliases.get(tool.id, ())
        ]
        if tool.vendor:
            scores.append((fuzz.token_set_ratio(lowered, tool.vendor.lower()) - 0.5, "vendor"))
        if domain and _domain(tool.website) == domain:
            scores.append((100.0, "domain"))
        score, how = max(scores)
        if score >= HINT_SCORE:
            state, notice = status(session, tool)
            found.append(Match(tool, how, score, state, notice))
    found.sort(key=lambda m: (-m.score, m.tool.name))
    return found[:limit]


def to_json(found: t.Iterable[Match]) -> list[dict[str, t.Any]]:
    return [
        {
            "slug": m.tool.slug,
            "name": m.tool.name,
            "vendor": m.tool.vendor or "",
            "lifecycle": m.tool.lifecycle,
            "status": m.status,
            "matched_on": m.how,
            "same": m.same,
            "notice": m.notice,
        }
        for m in found
    ]
