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

import hashlib
import json
import typing as t
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.discovery_models import MerchantDecision
from catalog.discovery_models import UnclassifiedSpend
from catalog.services import entities
from catalog.services import matching
from catalog.services.records import ValidationError
from integrations.base import Observation
from integrations.base import Unclassified

SOFTWARE, NOT_SOFTWARE = "software", "not_software"
DECISIONS = {SOFTWARE: "software", NOT_SOFTWARE: "not software"}
NOT_SOFTWARE_REASON = "not software (your decision)"
SOFTWARE_REASON = "software (your decision)"


def merchant_key(name: str) -> str:
    """Return the key one merchant's lines (and its decision) share."""
    return (matching.normalise(name) or " ".join(name.casefold().split()))[:500]


def decisions(session: Session) -> dict[str, str]:
    """Return merchant key -> decision, for an import to consult."""
    rows = session.execute(sa.select(MerchantDecision.merchant_key, MerchantDecision.decision))
    return {key: decision for key, decision in rows}


def _amount(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def fingerprint(source: str, line: Unclassified) -> str:
    """Return the digest that makes the same line from the same source one line."""
    parts = [
        source,
        line.merchant,
        line.raw,
        line.day.isoformat() if line.day else "",
        str(_amount(line.amount)) if line.amount is not None else "",
        line.currency or "",
        line.user or "",
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def store_lines(
    session: Session, lines: t.Iterable[tuple[str, Unclassified]], *, run_id: int | None, actor: str
) -> int:
    """Keep the lines not kept yet; return how many were added (one change record per merchant)."""
    fresh: dict[str, tuple[str, Unclassified]] = {}
    for source, line in lines:
        fresh.setdefault(fingerprint(source, line), (source, line))
    digests = list(fresh)
    for start in range(0, len(digests), 500):
        chunk = digests[start : start + 500]
        for known in session.scalars(
            sa.select(UnclassifiedSpend.fingerprint).where(UnclassifiedSpend.fingerprint.in_(chunk))
        ):
            fresh.pop(known, None)
    added: dict[str, list[UnclassifiedSpend]] = {}
    for digest, (source, line) in fresh.items():
        row = UnclassifiedSpend(
            fingerprint=digest,
            source=source,
            merchant=line.merchant[:500],
            merchant_key=merchant_key(line.merchant),
            raw=line.raw[:500],
            day=line.day,
            amount=_amount(line.amount),
            currency=line.currency,
            user=(line.user or None) and line.user[:254],
            reason=line.reason[:300],
            import_run_id=run_id,
        )
        session.add(row)
        added.setdefault(row.merchant_key, []).append(row)
    for key, rows in sorted(added.items()):
        entities.record_change(
            session,
            actor=actor,
            action="create",
            object_type="unclassified_spend",
            object_key=key,
            before=None,
            after={"merchant": rows[0].merchant, "lines": len(rows), "totals": _totals(rows)},
        )
    return len(fresh)


def _totals(rows: t.Iterable[UnclassifiedSpend]) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    for row in rows:
        if row.amount is not None:
            cur = row.currency or "USD"
            totals[cur] = totals.get(cur, Decimal(0)) + row.amount
    return {cur: str(v) for cur, v in sorted(totals.items())}


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
        totals=_totals(rows),
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
        session,
        actor=actor,
        action="create",
        object_type="merchant_decision",
        object_key=key,
        before=None,
        after=_decision_record(item),
    )
    session.flush()
    if decision != SOFTWARE:
        return None
    from catalog.services import discovery  # the import's write path; it imports this module

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
        session,
        actor=actor,
        action="delete",
        object_type="merchant_decision",
        object_key=key,
        before=_decision_record(item),
        after=None,
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
