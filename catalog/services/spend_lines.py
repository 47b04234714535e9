"""Unclassified spend lines as an import keeps them, and the merchant decisions it consults.

The import's write path stores the lines (`store_lines`; a digest of source, merchant,
descriptor, day, amount, currency and user makes a re-import add nothing) and its planner reads
the decisions (`decisions`). The triage page and the decisions people take live in
`catalog.services.spend_triage`, which runs an import and so sits above the import modules.
"""

from __future__ import annotations

import hashlib
import json
import typing as t
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.discovery_models import MerchantDecision
from catalog.discovery_models import UnclassifiedSpend
from catalog.services import entities
from catalog.services import matching
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
            actor,
            "create",
            "unclassified_spend",
            key,
            after={"merchant": rows[0].merchant, "lines": len(rows), "totals": totals(rows)},
        )
    return len(fresh)


def totals(rows: t.Iterable[UnclassifiedSpend]) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    for row in rows:
        if row.amount is not None:
            cur = row.currency or "USD"
            totals[cur] = totals.get(cur, Decimal(0)) + row.amount
    return {cur: str(v) for cur, v in sorted(totals.items())}
