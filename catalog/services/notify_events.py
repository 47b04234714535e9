"""What people should be told, read off the catalog's state (docs/notifications.md).

Every event has a key that names exactly one occurrence (this request, this side's sign-off for
this round, this renewal date and lead time, this ISO week's digest), so the sweep can run every
few minutes and the outbox still never sends the same notice twice. Reading state instead of
hooking every write path means imports, the API, pages and the CLI all notify alike.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Person
from catalog.models import Tool
from catalog.models import User
from catalog.services import review
from catalog.services.audit import audit_result
from catalog.services.writes import last_change
from catalog.vocab import Lifecycle
from catalog.vocab import Severity

#: Every kind of notice, with the words a user sees on the preferences page.
KINDS: dict[str, str] = {
    "request.new": "A new tool request waits for IT's review",
    "signoff.owed": "A request waits for your sign-off",
    "decision": "A request you made or own was sanctioned or rejected",
    "sla.soon": "A request is about to breach the review SLA",
    "sla.breached": "A request breached the review SLA",
    "renewal": "A tool you own renews in 90 or 30 days with open critical or high findings",
    "shadow.new": "An import found new shadow tools",
    "digest": "Weekly digest of the open findings on your tools",
}
#: Kinds a team's chat channel hears about (the rest are personal).
TEAM_KINDS = frozenset({"request.new", "decision", "sla.soon", "sla.breached", "shadow.new"})
SLA_WARNING_DAYS = 2  # "about to breach": due within this many days
RENEWAL_LEADS = (90, 30)
SERIOUS = frozenset({Severity.CRITICAL, Severity.HIGH})


@dataclass(frozen=True)
class Event:
    kind: str
    key: str
    subject: str
    body: str
    path: str  # the page to act on, made absolute with BASE_URL when sent
    recipients: tuple[str, ...] = ()
    #: Other keys this event covers (a combined "new shadow tools" notice covers one per tool).
    covers: tuple[str, ...] = field(default=())


def _it_accounts(session: Session) -> list[str]:
    return list(
        session.scalars(
            sa.select(User.email)
            .where(User.active.is_(True), User.role.in_(("it", "admin")))
            .order_by(User.email)
        )
    )


def _requester(session: Session, tool: Tool) -> str | None:
    """The account that created the request: the actor of the tool's first change record."""
    created = last_change(session, "tool", tool.slug, "create")
    actor = created.actor if created is not None else None
    return actor if actor and "@" in actor else None


def _owners(tool: Tool) -> list[str]:
    people = (tool.business_owner, tool.technical_owner)
    return [p.email for p in people if isinstance(p, Person) and p.active]


def _unique(*groups: t.Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for email in group:
            if email:
                seen.setdefault(email.lower(), None)
    return tuple(seen)


def review_events(
    session: Session, today: date, *, sla: int, since: date, it_lead: str = ""
) -> list[Event]:
    """New requests, owed sign-offs, SLA warnings and breaches, and decisions."""
    events: list[Event] = []
    it = _it_accounts(session)
    leads = [it_lead] if it_lead else it
    for item in review.queue(session, today, sla):
        tool = item.tool
        rnd = review.review_round(tool)
        path = f"/review/{tool.slug}"
        requester = _requester(session, tool)
        if tool.requested_at is not None and tool.requested_at >= since:
            events.append(
                Event(
                    "request.new",
                    f"request.new:{tool.slug}:{rnd}",
                    f"New request: {tool.name}",
                    f"{requester or 'Someone'} requested {tool.name}"
                    f"{' from ' + tool.vendor if tool.vendor else ''} on {rnd}. "
                    f"The review is due by {item.due}.",
                    path,
                    _unique(it),
                )
            )
        owners = {"business": tool.business_owner, "technical": tool.technical_owner}
        for side in review.SIDES:
            person = owners[side]
            if side in item.signed or person is None or not person.active:
                continue
            events.append(
                Event(
                    "signoff.owed",
                    f"signoff.owed:{tool.slug}:{rnd}:{side}",
                    f"Your {side} sign-off is needed: {tool.name}",
                    f"You are the {side} owner of {tool.name}, requested on {rnd}. IT cannot "
                    f"sanction it without your sign-off.",
                    path,
                    (person.email,),
                )
            )
        if item.due is None:
            continue
        if item.overdue:
            events.append(
                Event(
                    "sla.breached",
                    f"sla.breached:{tool.slug}:{rnd}",
                    f"Review overdue: {tool.name}",
                    f"The review of {tool.name} was due on {item.due} ({sla} days after the "
                    f"request); it is {item.age_days - sla} day(s) late.",
                    path,
                    _unique(leads, [requester]),
                )
            )
        elif (item.due - today).days <= SLA_WARNING_DAYS:
            events.append(
                Event(
                    "sla.soon",
                    f"sla.soon:{tool.slug}:{rnd}",
                    f"Review due soon: {tool.name}",
                    f"The review of {tool.name} is due on {item.due}.",
                    path,
                    _unique(leads, [requester]),
                )
            )
    decided = session.scalars(
        sa.select(Tool)
        .where(
            Tool.lifecycle.in_((Lifecycle.SANCTIONED, Lifecycle.REJECTED)),
            Tool.decided_at.is_not(None),
            Tool.decided_at >= since,
        )
        .order_by(Tool.slug)
    )
    for tool in decided:
        reason = ""
        if tool.lifecycle == Lifecycle.REJECTED:
            last = next(iter(review.history(session, tool)), None)
            if last is not None and last.action == "reject" and last.after:
                reason = f" Reason: {last.after.get('reason', '')}"
        events.append(
            Event(
                "decision",
                f"decision:{tool.slug}:{tool.decided_at}:{tool.lifecycle}",
                f"{tool.name} was {tool.lifecycle}",
                f"IT {tool.lifecycle} {tool.name} on {tool.decided_at}.{reason}",
                f"/tools/{tool.slug}",
                _unique([_requester(session, tool)], _owners(tool)),
            )
        )
    return events


def _serious_by_tool(session: Session, today: date, sla: int) -> dict[str, list[str]]:
    """Open critical and high findings per tool slug (a flow's finding counts for both ends)."""
    found: dict[str, list[str]] = {}
    for finding in audit_result(session, today, sla_days=sla).findings:
        if finding.severity not in SERIOUS:
            continue
        if finding.subject_type == "tool":
            slugs = [finding.subject_key]
        elif finding.subject_type == "flow":
            slugs = finding.subject_key.split("->")
        else:
            continue
        for slug in slugs:
            found.setdefault(slug, []).append(f"[{finding.severity}] {finding.message}")
    return found


def finding_events(session: Session, today: date, *, sla: int) -> list[Event]:
    """Renewals 90 and 30 days out with serious findings, and each owner's weekly digest."""
    events: list[Event] = []
    serious = _serious_by_tool(session, today, sla)
    horizon = today + timedelta(days=max(RENEWAL_LEADS))
    renewing = session.scalars(
        sa.select(Tool)
        .where(
            Tool.renewal_date.is_not(None), Tool.renewal_date >= today, Tool.renewal_date <= horizon
        )
        .order_by(Tool.slug)
    )
    for tool in renewing:
        if tool.slug not in serious or tool.renewal_date is None:
            continue
        days = (tool.renewal_date - today).days
        lead = min(lead for lead in RENEWAL_LEADS if days <= lead)
        lines = "\n".join(f"- {line}" for line in serious[tool.slug][:10])
        events.append(
            Event(
                "renewal",
                f"renewal:{tool.slug}:{tool.renewal_date}:{lead}",
                f"{tool.name} renews on {tool.renewal_date} with open findings",
                f"{tool.name} renews in {days} day(s), on {tool.renewal_date}. Settle these before "
                f"you renew:\n{lines}",
                f"/tools/{tool.slug}",
                _unique(_owners(tool)),
            )
        )
    year, week, _ = today.isocalendar()
    by_owner: dict[str, list[str]] = {}
    for tool in session.scalars(sa.select(Tool).where(Tool.slug.in_(list(serious)))):
        for email in _owners(tool):
            by_owner.setdefault(email.lower(), []).append(
                f"{tool.name}: {len(serious[tool.slug])} critical or high finding(s)"
            )
    for email, tools in sorted(by_owner.items()):
        events.append(
            Event(
                "digest",
                f"digest:{email}:{year}-W{week:02d}",
                "Your tools' open findings this week",
                "\n".join(f"- {line}" for line in sorted(tools)),
                "/audit",
                (email,),
            )
        )
    return events


def shadow_events(session: Session, *, since: date, handled: t.Container[str]) -> list[Event]:
    """One notice to IT listing the discovered tools no earlier notice named."""
    fresh = [
        tool
        for tool in session.scalars(
            sa.select(Tool).where(Tool.lifecycle == Lifecycle.DISCOVERED).order_by(Tool.name)
        )
        if tool.created_at.date() >= since and f"shadow.new:{tool.slug}" not in handled
    ]
    if not fresh:
        return []
    keys = tuple(f"shadow.new:{tool.slug}" for tool in fresh)
    names = "\n".join(f"- {tool.name}" for tool in fresh[:50])
    more = f"\n(and {len(fresh) - 50} more)" if len(fresh) > 50 else ""
    return [
        Event(
            "shadow.new",
            keys[0],
            f"{len(fresh)} new shadow tool(s) discovered",
            f"Discovery found tools nobody registered:\n{names}{more}",
            "/imports/triage",
            _unique(_it_accounts(session)),
            covers=keys[1:],
        )
    ]
