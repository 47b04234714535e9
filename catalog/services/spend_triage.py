"""Unclassified spend: card and expense lines nobody could call software or not, and the
decisions people take on them, one cleaned merchant at a time.

An import keeps every such line (`store_lines`; a digest of source, merchant, descriptor, day,
amount, currency and user makes a re-import add nothing). The triage page groups the lines by
merchant. "Software" turns the merchant's lines into sightings through the import's own write
path (matching, aliases and change records as for any import), and later imports treat its lines
as software. "Not software" makes later imports skip its lines as "not software (your decision)".
Both are remembered in `merchant_decision`, recorded in the change log, and can be undone: the
lines come back to the list (sightings a "software" decision created stay; triage them there).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.discovery_models import MerchantDecision
from catalog.discovery_models import UnclassifiedSpend
from catalog.services import discovery
from catalog.services import entities
from catalog.services.records import ValidationError
from catalog.services.spend_lines import DECISIONS
from catalog.services.spend_lines import NOT_SOFTWARE
from catalog.services.spend_lines import NOT_SOFTWARE_REASON
from catalog.services.spend_lines import SOFTWARE
from catalog.services.spend_lines import SOFTWARE_REASON
from catalog.services.spend_lines import decisions
from catalog.services.spend_lines import fingerprint
from catalog.services.spend_lines import merchant_key
from catalog.services.spend_lines import store_lines
from catalog.services.spend_lines import totals
from integrations.base import Observation

__all__ = [
    "DECISIONS",
    "NOT_SOFTWARE",
    "NOT_SOFTWARE_REASON",
    "SOFTWARE",
    "SOFTWARE_REASON",
    "MerchantGroup",
    "decide",
    "decisions",
    "fingerprint",
    "groups",
    "merchant_key",
    "store_lines",
    "undo",
    "waiting_count",
]


@dataclass
class MerchantGroup:
    """One cleaned merchant's lines, as the triage page shows them."""

    key: str
    merchant: str
    lines: int = 0
    totals: dict[str, str] = field(default_factory=dict)
    last_seen: date | None = None
    sources: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    decision: MerchantDecision | None = None


def _group(rows: list[UnclassifiedSpend], decision: MerchantDecision | None) -> MerchantGroup:
    newest = max(rows, key=lambda r: (r.day or date.min, r.id))
    days = [r.day for r in rows if r.day is not None]
    return MerchantGroup(
        key=newest.merchant_key,
        merchant=decision.merchant if decision else newest.merchant,
        lines=len(rows),
        totals=totals(rows),
        last_seen=max(days) if days else None,
        sources=sorted({r.source for r in rows}),
        reasons=sorted({r.reason for r in rows if r.reason})[:3],
        examples=sorted({r.raw for r in rows})[:3],
        decision=decision,
    )


def groups(session: Session) -> tuple[list[MerchantGroup], list[MerchantGroup]]:
    """Return (merchants waiting for a decision, biggest first; merchants decided, newest first)."""
    decided = {d.merchant_key: d for d in session.scalars(sa.select(MerchantDecision))}
    rows: dict[str, list[UnclassifiedSpend]] = {}
    for row in session.scalars(sa.select(UnclassifiedSpend).order_by(UnclassifiedSpend.id)):
        rows.setdefault(row.merchant_key, []).append(row)
    waiting = [_group(r, None) for k, r in rows.items() if k not in decided]
    waiting.sort(key=lambda g: (-g.lines, g.merchant.casefold()))
    done = [
        _group(rows[k], d) if k in rows else MerchantGroup(k, d.merchant, decision=d)
        for k, d in decided.items()
    ]
    done.sort(key=lambda g: (g.decision.decided_at if g.decision else None, g.key), reverse=True)
    return waiting, done


def _decision_record(d: MerchantDecision) -> dict[str, str]:
    return {"merchant": d.merchant, "decision": d.decision, "reason": d.reason}


def decide(
    session: Session, key: str, decision: str, *, actor: str, reason: str = ""
) -> dict[str, t.Any] | None:
    """Record a person's decision on a merchant; for "software", discover it from its lines.

    Returns the import summary of the lines a "software" decision turned into sightings.
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": "choose software or not software"}, record=key)
    rows = list(
        session.scalars(
            sa.select(UnclassifiedSpend)
            .where(UnclassifiedSpend.merchant_key == key)
            .order_by(UnclassifiedSpend.id)
        )
    )
    if not rows:
        raise ValidationError({"merchant": "no unclassified spend under this merchant"}, record=key)
    existing = session.scalar(
        sa.select(MerchantDecision).where(MerchantDecision.merchant_key == key)
    )
    if existing is not None:
        raise ValidationError(
            {"decision": f"already decided: {DECISIONS[existing.decision]}; undo it first"},
            record=existing.merchant,
        )
    merchant = rows[-1].merchant
    item = MerchantDecision(
        merchant_key=key,
        merchant=merchant,
        decision=decision,
        decided_by=actor,
        reason=" ".join(reason.split())[:2000],
    )
    session.add(item)
    entities.record_change(
        session, actor, "create", "merchant_decision", key, after=_decision_record(item)
    )
    session.flush()
    if decision != SOFTWARE:
        return None
    observations = [
        (r.source, Observation(r.merchant, None, r.user, r.day, r.amount, r.currency)) for r in rows
    ]
    plan = discovery.plan_observations(
        session, observations, label=f"unclassified spend: {merchant}"
    )
    return discovery.apply_plan(session, plan, actor=actor, confirm={})


def undo(session: Session, key: str, *, actor: str) -> MerchantDecision:
    """Forget a merchant decision: its lines wait in the list again, later imports ask again."""
    item = session.scalar(sa.select(MerchantDecision).where(MerchantDecision.merchant_key == key))
    if item is None:
        raise ValidationError({"merchant": "no decision to undo for this merchant"}, record=key)
    entities.record_change(
        session, actor, "delete", "merchant_decision", key, before=_decision_record(item)
    )
    session.delete(item)
    session.flush()
    return item


def waiting_count(session: Session) -> int:
    """Return how many merchants wait for a decision (for the /imports link)."""
    decided = sa.select(MerchantDecision.merchant_key)
    return (
        session.scalar(
            sa.select(sa.func.count(sa.distinct(UnclassifiedSpend.merchant_key))).where(
                UnclassifiedSpend.merchant_key.not_in(decided)
            )
        )
        or 0
    )
