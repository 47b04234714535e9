"""Merge one import's figures for an app into its existing sighting.

Sign-in logs and expense lines merge differently into an existing sighting. Sign-in exports
overlap (each covers "the last 30 days"), so summing them would count the same sign-ins twice:
the newest export's users, events and spend replace the previous figures. Expense and card
statements (`SPEND_SOURCES`) are the opposite: each covers its own period, and February's
statement must add to January's spend, not replace it. For those, an existing sighting's
[first_seen, last_seen] is the period already counted: a new import adds the events and spend of
its lines dated outside that range and treats lines inside it as counted already. Re-importing a
statement, or one overlapping an imported period, therefore changes nothing for the overlap.
The price of needing no schema change: coverage is one interval per sighting, so a statement
that fills a gap between two imported ones (March, then January, then February) counts nothing
for the gap; import statements in date order, or one gap-free file. Users of a spend sighting
is the larger of the old and new counts (distinct cardholders cannot be unioned without
keeping their names).
"""

from __future__ import annotations

import typing as t
from decimal import Decimal

from catalog.models import Sighting
from catalog.services.discovery_types import SPEND_SOURCES
from catalog.services.discovery_types import AppPlan
from catalog.services.discovery_types import DayFigures

__all__ = ["SPEND_SOURCES", "DayFigures", "merged_sighting", "merged_spend", "sighting_change"]


def merged_sighting(old: Sighting | None, app: AppPlan) -> dict[str, t.Any]:
    """Return the sighting record after this import.

    first_seen and last_seen widen to everything ever seen. For sign-in sources users, events
    and spend are the figures of the newest export that saw the app: overlapping exports cannot
    be summed without counting the same sign-ins twice, and an older export must not overwrite a
    newer one. For spend sources the days outside the range already counted add up (see the
    module docstring).
    """
    record = {
        "source": app.source,
        "observed_name": app.name,
        "tool": app.tool,
        "first_seen": app.first_seen,
        "last_seen": app.last_seen,
        "users": app.users,
        "events": app.events,
        "spend": app.spend,
        "currency": app.currency,
    }
    if old is None:
        return record
    days = [d for d in (old.first_seen, app.first_seen) if d is not None]
    record["first_seen"] = min(days) if days else None
    days = [d for d in (old.last_seen, app.last_seen) if d is not None]
    record["last_seen"] = max(days) if days else None
    if app.days is not None:
        events, spend, currency, _ = merged_spend(old, app)
        record.update(
            users=max(old.users, app.users), events=events, spend=spend, currency=currency
        )
    elif old.last_seen is not None and (app.last_seen is None or app.last_seen < old.last_seen):
        record.update(users=old.users, events=old.events, spend=old.spend, currency=old.currency)
    return record


def merged_spend(old: Sighting, app: AppPlan) -> tuple[int, Decimal | None, str, str | None]:
    """Return (events, spend, currency, note) of a spend sighting after adding this import."""
    low, high = old.first_seen, old.last_seen
    events = old.events
    fresh: dict[str, Decimal] = {}
    for day, figures in (app.days or {}).items():
        # Undated lines cannot be placed: once any period is counted they count as seen.
        if low is not None and high is not None and (day is None or low <= day <= high):
            continue
        events += figures.events
        for cur, amount in figures.spend.items():
            fresh[cur] = fresh.get(cur, Decimal(0)) + amount
    if not fresh:
        return events, old.spend, old.currency, None
    # The sighting keeps its currency once it has spend; else the new days' main currency.
    currency = (
        old.currency
        if old.spend is not None
        else max(fresh.items(), key=lambda kv: (abs(kv[1]), kv[0]))[0]
    )
    total = (old.spend or Decimal(0)) + fresh.get(currency, Decimal(0))
    spend = max(total, Decimal(0)).quantize(Decimal("0.01")) if currency in fresh else old.spend
    others = ", ".join(f"{v} {k}" for k, v in sorted(fresh.items()) if k != currency)
    note = f"spend in other currencies left out: {others}" if others else None
    return events, spend, currency, note


def sighting_change(old: Sighting | None, app: AppPlan) -> str:
    """Return what the import does to the sighting: create, update or unchanged."""
    if old is None:
        return "create"
    after = merged_sighting(old, app)
    before = {
        "source": old.source,
        "observed_name": old.observed_name,
        "tool": old.tool.slug if old.tool is not None else None,
        "first_seen": old.first_seen,
        "last_seen": old.last_seen,
        "users": old.users,
        "events": old.events,
        "spend": old.spend,
        "currency": old.currency,
    }
    if app.how == "new":
        return "update"  # it will point at the new discovered tool
    return "unchanged" if before == after else "update"
