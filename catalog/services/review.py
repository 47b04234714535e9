"""The review workflow: marketing requests a tool, IT reviews it, both owners sign off, IT decides.

`requested` -> `in_review` -> `sanctioned` (needs the business owner's AND the technical owner's
sign-off for this request) or `rejected` (needs a reason). Tool changes go through
`entities.save_tool`, so they are validated, version-checked and recorded like any edit; the
sign-offs and the reasons are recorded as `review` change records.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.analysis import registry
from catalog.models import ChangeRecord
from catalog.models import ReviewSignoff
from catalog.models import Setting
from catalog.models import Tool
from catalog.services import entities
from catalog.services import policy
from catalog.services import records
from catalog.services import review_checklist
from catalog.services.entities import record_change
from catalog.services.records import ValidationError
from catalog.services.review_request import REQUEST_FIELDS as REQUEST_FIELDS
from catalog.services.review_request import request_tool as request_tool
from catalog.vocab import OPEN_LIFECYCLES
from catalog.vocab import Lifecycle

SIDES = ("business", "technical")
OPEN = OPEN_LIFECYCLES
SLA_KEY = "review_sla_days"
MAX_SLA_DAYS = 365


# Settings -------------------------------------------------------------------------------------


def sla_days(session: Session, default: int) -> int:
    """Return the review SLA in days: the administrator's setting, else `default` (config)."""
    setting = session.get(Setting, SLA_KEY)
    return int(setting.value) if setting is not None else default


def set_sla_days(session: Session, value: t.Any, *, actor: str) -> int:
    """Set the review SLA (whole days, 1 to 365) and record the change."""
    try:
        days = int(str(value).strip())
    except ValueError:
        raise ValidationError({"sla_days": f"{value!r} is not a whole number of days"}) from None
    if not 1 <= days <= MAX_SLA_DAYS:
        raise ValidationError({"sla_days": f"must be between 1 and {MAX_SLA_DAYS} days"})
    setting = session.get(Setting, SLA_KEY)
    before = {"value": setting.value} if setting is not None else None
    if setting is None:
        setting = Setting(key=SLA_KEY, value=days, updated_by=actor)
        session.add(setting)
    elif setting.value == days:
        return days
    setting.value, setting.updated_by = days, actor
    session.flush()
    record_change(
        session,
        actor,
        "update" if before else "create",
        "setting",
        SLA_KEY,
        before=before,
        after={"value": days},
    )
    return days


# Review and decision --------------------------------------------------------------------------


def review_round(tool: Tool) -> date:
    """Return the request a sign-off belongs to: a new request starts a new round."""
    return tool.requested_at or tool.created_at.date()


def signoffs(session: Session, tool: Tool) -> dict[str, ReviewSignoff]:
    """Return this round's sign-offs by side."""
    rows = session.scalars(
        sa.select(ReviewSignoff).where(
            ReviewSignoff.tool_id == tool.id, ReviewSignoff.round == review_round(tool)
        )
    )
    return {row.side: row for row in rows}


def _require_open(tool: Tool, doing: str) -> None:
    if tool.lifecycle not in OPEN:
        state = tool.lifecycle.replace("_", " ")
        problem = f"{tool.name} is {state}; only requested or in-review tools can be {doing}"
        raise ValidationError({"lifecycle": problem}, record=tool.slug)


def _save(
    session: Session,
    tool: Tool,
    changes: dict[str, t.Any],
    actor: str,
    expected_version: int | None,
) -> Tool:
    policy.check_decider(
        policy.actor_of(session, actor), tool.slug, f"changing the review of {tool.name}"
    )
    raw = records.tool_record(tool) | changes
    # The workflow checked the transition itself (open request, sign-offs, reason).
    return entities.save_tool(
        session, raw, actor=actor, tool=tool, expected_version=expected_version, decision=True
    )


def _reason(tool: Tool, name: str, text: str) -> str:
    """Return a decision's reason (`override`, `reason`) stripped, refusing what cannot be kept."""
    text = (text or "").strip()
    if len(text) > 2000 or "\x00" in text:
        raise ValidationError(
            {name: "must be at most 2000 characters, without NUL"}, record=tool.slug
        )
    return text


def _decide(
    session: Session,
    tool: Tool,
    lifecycle: str,
    note: dict[str, str],
    actor: str,
    today: date,
    expected_version: int | None,
) -> Tool:
    """Save the decision (`sanctioned` or `rejected`) and record it as a review event."""
    changes = {"lifecycle": lifecycle, "decided_at": today.isoformat()}
    tool = _save(session, tool, changes, actor, expected_version)
    actions: dict[str, str] = {Lifecycle.SANCTIONED: "sanction", Lifecycle.REJECTED: "reject"}
    action = actions[lifecycle]
    after = {"decided_at": today.isoformat()} | note
    review_checklist.review_event(session, tool, action, after, actor=actor)
    return tool


def start_review(
    session: Session, tool: Tool, *, actor: str, today: date, expected_version: int | None = None
) -> Tool:
    """Move a request into review (IT has picked it up)."""
    policy.check_decider(policy.actor_of(session, actor), tool.slug, "starting a review")
    if tool.lifecycle != Lifecycle.REQUESTED:
        _require_open(tool, "put in review")
        raise ValidationError({"lifecycle": f"{tool.name} is already in review"}, record=tool.slug)
    changes: dict[str, t.Any] = {"lifecycle": Lifecycle.IN_REVIEW}
    if tool.requested_at is None:
        changes["requested_at"] = today.isoformat()
    return _save(session, tool, changes, actor, expected_version)


def sign_off(
    session: Session, tool: Tool, side: str, *, actor: str, note: str = ""
) -> ReviewSignoff:
    """Record the business or technical owner's sign-off on this request."""
    if side not in SIDES:
        raise ValidationError({"side": f"unknown side {side!r}; expected business or technical"})
    _require_open(tool, "signed off")
    policy.check_signoff(session, policy.actor_of(session, actor), tool, side)
    existing = signoffs(session, tool).get(side)
    if existing is not None:
        raise ValidationError(
            {"side": f"the {side} sign-off was already given by {existing.signed_by}"},
            record=tool.slug,
        )
    row = ReviewSignoff(
        tool=tool,
        side=side,
        round=review_round(tool),
        signed_by=str(actor),
        note=note.strip()[:2000],
    )
    session.add(row)
    session.flush()
    review_checklist.review_event(
        session,
        tool,
        "signoff",
        {"side": side, "round": row.round.isoformat(), "note": row.note},
        actor=actor,
    )
    return row


def sanction(
    session: Session,
    tool: Tool,
    *,
    actor: str,
    today: date,
    expected_version: int | None = None,
    override: str = "",
    sla_days: int = 10,
) -> Tool:
    """Sanction a tool in review; both owners must have signed off on this request.

    Refused while the tool would keep a critical or high finding once sanctioned (the review
    checklist's preview), unless IT gives `override`, a reason, which is recorded.
    """
    policy.check_decider(policy.actor_of(session, actor), tool.slug, f"sanctioning {tool.name}")
    _require_open(tool, "sanctioned")
    if tool.lifecycle != Lifecycle.IN_REVIEW:
        raise ValidationError(
            {"lifecycle": f"put {tool.name} in review before sanctioning it"}, record=tool.slug
        )
    missing = [side for side in SIDES if side not in signoffs(session, tool)]
    if missing:
        raise ValidationError(
            {
                "signoffs": "sanctioning needs both the business owner's and the technical "
                f"owner's sign-off; missing: {' and '.join(missing)}"
            },
            record=tool.slug,
        )
    override = _reason(tool, "override", override)
    blocking = [
        f for f, _ in review_checklist.preview(session, tool, today, sla_days=sla_days).blocking
    ]
    if blocking and not override:
        titles = "; ".join(f"{f.severity}: {registry.rule(f.rule).title}" for f in blocking)
        raise ValidationError(
            {
                "override": f"{tool.name} would keep {len(blocking)} critical or high "
                f"finding(s) once sanctioned ({titles}). Settle them in the checklist, "
                f"or give a reason to sanction anyway."
            },
            record=tool.slug,
        )
    if blocking:
        review_checklist.record_override(session, tool, override, blocking, actor=actor)
    return _decide(session, tool, Lifecycle.SANCTIONED, {}, actor, today, expected_version)


def reject(
    session: Session,
    tool: Tool,
    reason: str,
    *,
    actor: str,
    today: date,
    expected_version: int | None = None,
) -> Tool:
    """Reject a request; the reason is required and kept in the change log."""
    policy.check_decider(policy.actor_of(session, actor), tool.slug, f"rejecting {tool.name}")
    _require_open(tool, "rejected")
    reason = _reason(tool, "reason", reason)
    if not reason:
        raise ValidationError({"reason": "a rejection needs a reason"}, record=tool.slug)
    return _decide(
        session, tool, Lifecycle.REJECTED, {"reason": reason}, actor, today, expected_version
    )


# Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    tool: Tool
    age_days: int
    due: date | None
    overdue: bool
    signed: frozenset[str]


def queue(session: Session, as_of: date, sla: int) -> list[QueueItem]:
    """Return the open requests, oldest first, with their SLA clock (overdue after `sla` days)."""
    tools = session.scalars(
        sa.select(Tool)
        .where(Tool.lifecycle.in_(OPEN))
        .order_by(Tool.requested_at.asc().nulls_last(), Tool.slug)
    ).all()
    by_id = {tool.id: tool for tool in tools}
    signed: dict[int, set[str]] = {}
    for row in session.scalars(
        sa.select(ReviewSignoff).where(ReviewSignoff.tool_id.in_(list(by_id)))
    ):
        if row.round == review_round(by_id[row.tool_id]):
            signed.setdefault(row.tool_id, set()).add(row.side)
    items = []
    for tool in tools:
        start = tool.requested_at
        age = (as_of - start).days if start is not None else 0
        due = date.fromordinal(start.toordinal() + sla) if start is not None else None
        items.append(
            QueueItem(
                tool, age, due, start is not None and age > sla, frozenset(signed.get(tool.id, ()))
            )
        )
    return items


def history(session: Session, tool: Tool) -> list[ChangeRecord]:
    """Return the review events of a tool (sign-offs, decisions with reasons), newest first."""
    return list(
        session.scalars(
            sa.select(ChangeRecord)
            .where(ChangeRecord.object_type == "review", ChangeRecord.object_key == tool.slug)
            .order_by(ChangeRecord.id.desc())
        )
    )


def recent_decisions(session: Session, limit: int = 10) -> list[Tool]:
    """Return the tools decided most recently."""
    return list(
        session.scalars(
            sa.select(Tool)
            .where(
                Tool.lifecycle.in_((Lifecycle.SANCTIONED, Lifecycle.REJECTED)),
                Tool.decided_at.is_not(None),
            )
            .order_by(Tool.decided_at.desc(), Tool.slug)
            .limit(limit)
        )
    )
