"""Findings with a life: accept a risk for a time, assign a finding, link its ticket, reopen it.

The rules of who may do what live here, so the audit page, the tool page and the API answer
alike (docs/findings.md): only IT (and administrators) accept a risk, always with a reason and an
expiry date, and never on a tool they own themselves; IT and the owners of the tools a finding
concerns may assign it and link a ticket. Every action is a change record.
"""

from __future__ import annotations

import typing as t
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.analysis.finding_states import State
from catalog.models import FindingState
from catalog.models import Person
from catalog.models import Tool
from catalog.services.entities import record_change
from catalog.services.records import ValidationError

ACTIONS = ("accept", "assign", "ticket", "reopen")
IT_ROLES = frozenset({"it", "admin"})
MAX_ACCEPT_DAYS = 366  # a risk is accepted for a year at most, then looked at again
_FIELDS = ("accepted_until", "accepted_by", "accepted_reason", "assignee", "due", "ticket_url")


class NotAllowed(Exception):
    """The actor's role (or ownership) does not allow this action on this finding."""


def load_states(session: Session) -> dict[tuple[str, str], State]:
    """Every stored decision, by (rule, subject key), for the audit to lay over its findings."""
    return {
        (row.rule, row.subject_key): State(
            accepted_until=row.accepted_until,
            accepted_by=row.accepted_by,
            accepted_reason=row.accepted_reason,
            assignee=row.assignee,
            due=row.due,
            ticket_url=row.ticket_url,
        )
        for row in session.scalars(sa.select(FindingState))
    }


def _snapshot(row: FindingState | None) -> dict[str, t.Any] | None:
    if row is None:
        return None
    return {
        name: (v.isoformat() if isinstance(v, date) else v)
        for name in _FIELDS
        if (v := getattr(row, name)) not in (None, "")
    }


def _tools_concerned(subject_type: str, subject_key: str) -> list[str]:
    if subject_type == "tool":
        return [subject_key]
    if subject_type == "flow":
        return subject_key.split("->")
    if subject_type == "silo":
        return subject_key.split(",")
    return []


def _owner_emails(session: Session, slugs: list[str]) -> set[str]:
    emails: set[str] = set()
    for tool in session.scalars(sa.select(Tool).where(Tool.slug.in_(slugs))):
        for person in (tool.business_owner, tool.technical_owner):
            if person is not None:
                emails.add(person.email.lower())
    return emails


def _date(value: t.Any, field: str) -> date:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: f"{str(value)[:40]!r} is not a date (YYYY-MM-DD)"}) from None
    if not date(2000, 1, 1) <= day <= date(2199, 12, 31):
        raise ValidationError({field: "must be between 2000-01-01 and 2199-12-31"})
    return day


def _text(value: t.Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit or any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError(
            {field: f"must be at most {limit} characters, without control characters"}
        )
    return text


def act(
    session: Session,
    action: str,
    rule: str,
    subject_type: str,
    subject_key: str,
    values: t.Mapping[str, t.Any],
    *,
    actor: str,
    role: str,
    today: date,
) -> FindingState:
    """Apply one action to the finding (rule, subject); record it; the caller commits."""
    if action not in ACTIONS:
        raise ValidationError(
            {"action": f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}"}
        )
    rule = _text(rule, "rule", 60)
    subject_key = _text(subject_key, "subject", 600)
    if not rule or not subject_key:
        raise ValidationError({"rule": "name the finding by its rule and subject"})
    owners = _owner_emails(session, _tools_concerned(subject_type, subject_key))
    is_it = role in IT_ROLES
    if action == "accept":
        if not is_it:
            raise NotAllowed("only IT accepts a risk")
        if actor.lower() in owners:
            raise NotAllowed(
                "you own a tool this finding concerns: another IT reviewer must accept the risk"
            )
    elif not is_it and actor.lower() not in owners:
        raise NotAllowed("only IT and the owners of the tools concerned may do this")
    row = session.scalar(
        sa.select(FindingState).where(
            FindingState.rule == rule, FindingState.subject_key == subject_key
        )
    )
    before = _snapshot(row)
    if row is None:
        row = FindingState(rule=rule, subject_key=subject_key)
        session.add(row)
    if action == "accept":
        reason = _text(values.get("reason"), "reason", 2000)
        if not reason:
            raise ValidationError({"reason": "accepting a risk needs a reason"})
        until = _date(values.get("until"), "until")
        if until < today:
            raise ValidationError({"until": "the acceptance must expire today or later"})
        if (until - today).days > MAX_ACCEPT_DAYS:
            raise ValidationError(
                {"until": f"a risk is accepted for {MAX_ACCEPT_DAYS} days at most"}
            )
        row.accepted_until, row.accepted_by, row.accepted_reason = until, actor, reason
    elif action == "assign":
        email = _text(values.get("assignee"), "assignee", 254).lower()
        person = session.scalar(sa.select(Person).where(Person.email == email))
        if person is None:
            raise ValidationError({"assignee": f"{email!r} is not a person in the catalog"})
        row.assignee = person.email
        row.due = _date(values["due"], "due") if values.get("due") else None
    elif action == "ticket":
        url = _text(values.get("ticket_url"), "ticket_url", 500)
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ValidationError({"ticket_url": "must be an http(s) address"})
        row.ticket_url = url
    else:  # reopen: the acceptance ends now; the assignment and ticket stay
        if row.accepted_until is None:
            raise ValidationError({"action": "this finding is not an accepted risk"})
        row.accepted_until, row.accepted_by, row.accepted_reason = None, "", ""
    session.flush()
    record_change(session, actor, action, "finding", row.key, before=before, after=_snapshot(row))
    return row
