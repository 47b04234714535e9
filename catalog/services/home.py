"""The home page: what waits on the signed-in person, and the headline numbers for everyone.

Read-only: it writes nothing (not even the scorecard's row of the day), so a viewer's visit never
needs the write lock.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import ChangeRecord
from catalog.models import Person
from catalog.models import Tool
from catalog.services import review
from catalog.services import scorecard
from catalog.services.audit import audit_report
from catalog.vocab import SEVERITIES
from catalog.vocab import Lifecycle

RENEWAL_DAYS = 90
NEW_DISCOVERY_DAYS = 30
HEADLINES = ("shadow", "silos", "overdue_requests", "integration_coverage")
IT_ROLES = frozenset({"it", "admin"})


@dataclass
class Home:
    headlines: list[scorecard.Trend]
    owed: list[tuple[Tool, str]] = field(default_factory=list)  # (tool, side) to sign
    requests: list[Tool] = field(default_factory=list)
    my_findings: list[tuple[Tool, dict[str, int]]] = field(default_factory=list)
    renewals: list[Tool] = field(default_factory=list)
    queue: list[review.QueueItem] = field(default_factory=list)
    overdue: int = 0
    discoveries: list[Tool] = field(default_factory=list)
    discoveries_total: int = 0
    is_it: bool = False
    has_person: bool = False


def _owned(session: Session, person: Person) -> list[Tool]:
    return list(
        session.scalars(
            sa.select(Tool)
            .where(
                sa.or_(Tool.business_owner_id == person.id, Tool.technical_owner_id == person.id)
            )
            .order_by(Tool.name)
        )
    )


def _requested_by(session: Session, email: str) -> list[Tool]:
    slugs = session.scalars(
        sa.select(ChangeRecord.object_key).where(
            ChangeRecord.object_type == "tool",
            ChangeRecord.action == "create",
            ChangeRecord.actor == email,
        )
    ).all()
    if not slugs:
        return []
    return list(
        session.scalars(
            sa.select(Tool)
            .where(Tool.slug.in_(set(slugs)), Tool.requested_at.is_not(None))
            .order_by(Tool.requested_at.desc(), Tool.name)
            .limit(20)
        )
    )


def _findings_by_tool(report: dict[str, t.Any], slugs: set[str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for finding in report["findings"]:
        kind, key = finding["subject"]["type"], finding["subject"]["key"]
        concerned = [key] if kind == "tool" else key.split("->") if kind == "flow" else []
        for slug in concerned:
            if slug in slugs:
                per = counts.setdefault(slug, dict.fromkeys(SEVERITIES, 0))
                per[finding["severity"]] += 1
    return counts


def build(session: Session, today: date, *, email: str | None, role: str, sla: int) -> Home:
    """Return what the home page shows to this person (email None: nobody signed in)."""
    report = audit_report(session, today, sla_days=sla)
    rows = scorecard.history(session, today, 90)
    trends = {tr.key: tr for tr in scorecard.trends(rows, report["summary"])}
    home = Home(headlines=[trends[key] for key in HEADLINES if key in trends])
    home.is_it = role in IT_ROLES
    person = (
        session.scalar(sa.select(Person).where(Person.email == email.lower())) if email else None
    )
    if person is not None:
        home.has_person = True
        owned = _owned(session, person)
        for item in review.queue(session, today, sla):
            tool = item.tool
            for side in review.SIDES:
                owner = tool.business_owner_id if side == "business" else tool.technical_owner_id
                if owner == person.id and side not in item.signed:
                    home.owed.append((tool, side))
        findings = _findings_by_tool(report, {tool.slug for tool in owned})
        home.my_findings = [(tool, findings[tool.slug]) for tool in owned if tool.slug in findings]
        horizon = today + timedelta(days=RENEWAL_DAYS)
        home.renewals = sorted(
            (
                tool
                for tool in owned
                if tool.renewal_date is not None and today <= tool.renewal_date <= horizon
            ),
            key=lambda tool: tool.renewal_date or today,
        )
    if email:
        home.requests = _requested_by(session, email)
    if home.is_it:
        home.queue = review.queue(session, today, sla)
        home.overdue = sum(1 for item in home.queue if item.overdue)
        since = datetime.combine(
            today - timedelta(days=NEW_DISCOVERY_DAYS), datetime.min.time(), tzinfo=UTC
        )
        fresh = sa.select(Tool).where(
            Tool.lifecycle == Lifecycle.DISCOVERED, Tool.created_at >= since
        )
        home.discoveries_total = (
            session.scalar(sa.select(sa.func.count()).select_from(fresh.subquery())) or 0
        )
        home.discoveries = list(session.scalars(fresh.order_by(Tool.created_at.desc()).limit(10)))
    return home
