"""The governance rules, once: who decides which field, four-eyes sign-off, the sanction gate.

Every write path (pages, API, bundle and catalog-CSV imports, CLI) reaches these through the
services, so a rule holds whichever door a change comes through. A refusal is a domain error
(`GovernanceError`, `PermissionDenied`) that each caller turns into its own answer: 403 with the
message on pages and the API, the message and exit status 1 on the command line.

Who acts (`Actor`, with its role) and the errors are declared in `actors`; they are re-exported
here, where callers have always found them.
"""

from __future__ import annotations

import typing as t
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import vocab
from catalog.fields import FLOW_FIELDS
from catalog.fields import TOOL_FIELDS
from catalog.fields import it_fields
from catalog.models import ChangeRecord
from catalog.models import ReviewSignoff
from catalog.services.actors import CONTRIBUTORS
from catalog.services.actors import DECIDERS
from catalog.services.actors import SYSTEM
from catalog.services.actors import Actor
from catalog.services.actors import GovernanceError
from catalog.services.actors import PermissionDenied
from catalog.services.actors import actor_of
from catalog.services.actors import check_contributor
from catalog.services.actors import check_decider
from catalog.services.actors import same_email
from catalog.services.proposal_queue import queue_proposal
from catalog.services.proposal_queue import take_queued
from catalog.vocab import Lifecycle

__all__ = [
    "CONTRIBUTORS",
    "DECIDERS",
    "SYSTEM",
    "Actor",
    "GovernanceError",
    "PermissionDenied",
    "actor_of",
    "check_contributor",
    "check_decider",
    "queue_proposal",
    "same_email",
    "take_queued",
]

OPEN = vocab.OPEN_LIFECYCLES
# Lifecycles an open request reaches only through the review workflow's two sign-offs.
DECIDED_BY_REVIEW = vocab.SANCTIONED_LIFECYCLES
# The lifecycles a marketer may register a new tool in.
UNDECIDED = frozenset({Lifecycle.REQUESTED, Lifecycle.DISCOVERED})

# Which fields are IT's is declared with the fields (catalog/fields.py, `it=True`). Tool fields
# that are IT's decision settle findings (exposure, silos, overdue reviews); the rest are the
# business-side facts marketing keeps up to date on its own tools. Adding a data class is a
# business fact; removing a personal one is IT's call (see below).
IT_TOOL_FIELDS = it_fields(TOOL_FIELDS)
MARKETING_TOOL_FIELDS = frozenset(f.name for f in TOOL_FIELDS if not f.it) - {"slug"}
# Flow fields IT decides on every flow; on a flow IT manages, every field is IT's.
IT_FLOW_FIELDS = it_fields(FLOW_FIELDS)


def _record(session: Session, actor: str, action: str, key: str, after: dict[str, t.Any]) -> None:
    session.add(
        ChangeRecord(
            actor=str(actor),
            action=action,
            object_type="review",
            object_key=key,
            before=None,
            after=after,
        )
    )


# Field ownership ------------------------------------------------------------------------------


def _owns(actor: Actor, business_owner: str | None) -> bool:
    return same_email(actor.email, business_owner)


def it_tool_changes(
    before: t.Mapping[str, t.Any] | None, after: t.Mapping[str, t.Any]
) -> dict[str, t.Any]:
    """Return the changes in `after` (plain record values) that are IT's decision.

    A new tool (`before` None) may be requested or discovered with no controls and no decision
    dates; anything beyond that is IT's. On an edit, each IT field that differs counts, and so
    does `data_classes` when a personal class is removed.
    """
    changes: dict[str, t.Any] = {}
    if before is None:
        if after.get("lifecycle") not in UNDECIDED:
            changes["lifecycle"] = after.get("lifecycle")
        for name in IT_TOOL_FIELDS:
            # The lifecycle is checked above; the request date a marketer states is when they asked.
            if name not in ("lifecycle", "requested_at") and after.get(name) not in (None, False):
                changes[name] = after[name]
        return changes
    for name in IT_TOOL_FIELDS:
        if before.get(name) != after.get(name):
            changes[name] = after.get(name)
    removed = set(before.get("data_classes") or ()) - set(after.get("data_classes") or ())
    if removed & vocab.PERSONAL:
        changes["data_classes"] = after.get("data_classes")
    return changes


def it_flow_changes(
    before: t.Mapping[str, t.Any] | None, after: t.Mapping[str, t.Any]
) -> dict[str, t.Any]:
    """Return the changes in a flow record that are IT's decision (see `it_tool_changes`)."""
    if before is None:
        return {name: after[name] for name in IT_FLOW_FIELDS if after.get(name)}
    if before.get("managed_by_it"):
        return {name: value for name, value in after.items() if before.get(name) != value}
    changes = {
        name: after.get(name) for name in IT_FLOW_FIELDS if before.get(name) != after.get(name)
    }
    removed = set(before.get("data_classes") or ()) - set(after.get("data_classes") or ())
    if removed & vocab.PERSONAL:
        changes["data_classes"] = after.get("data_classes")
    return changes


def _refuse_new(key: str | None, changes: t.Mapping[str, t.Any], remedy: str) -> None:
    """Refuse a marketer's new record that already settles one of IT's fields."""
    if changes:
        field = next(iter(changes))
        raise PermissionDenied(key, field, f"{field.replace('_', ' ')} is IT's decision: {remedy}")


def check_tool_write(
    session: Session,
    actor: Actor,
    key: str | None,
    before: t.Mapping[str, t.Any] | None,
    after: t.Mapping[str, t.Any],
) -> dict[str, t.Any]:
    """Authorise a tool create/edit; return the IT-owned changes a marketer proposes instead.

    :param before: the tool's plain record now (None when creating); `after` the one to save.
    :raises PermissionDenied: the actor may not make this change at all.
    """
    check_contributor(actor, key)
    if actor.role in DECIDERS:
        return {}
    if before is not None and not _owns(actor, before.get("business_owner")):
        raise PermissionDenied(
            key, None, f"{key} belongs to another business owner; ask them or IT to change it."
        )
    changes = it_tool_changes(before, after)
    if before is None:
        _refuse_new(key, changes, "register the tool as requested and ask IT in its review.")
    return changes


def check_flow_write(
    session: Session,
    actor: Actor,
    key: str,
    before: t.Mapping[str, t.Any] | None,
    after: t.Mapping[str, t.Any],
    owners: t.Sequence[str | None],
) -> dict[str, t.Any]:
    """Authorise a flow create/edit (as `check_tool_write`); `owners` are the business owners
    of the flow's ends before and after the change (a marketer must own one end)."""
    check_contributor(actor, key)
    if actor.role in DECIDERS:
        return {}
    if not any(_owns(actor, owner) for owner in owners[:2]) or (
        len(owners) > 2 and not any(_owns(actor, owner) for owner in owners[2:])
    ):
        raise PermissionDenied(
            key, None, "a marketer may only wire flows into or out of their own tools; ask IT."
        )
    changes = it_flow_changes(before, after)
    if before is None:
        _refuse_new(key, changes, "register the flow without it and ask IT.")
    return changes


def flow_delete_is_its(
    actor: Actor, key: str, before: t.Mapping[str, t.Any], owners: t.Sequence[str | None]
) -> bool:
    """Authorise a flow delete; return True when it must wait for IT (a flow IT manages)."""
    check_contributor(actor, key)
    if actor.role in DECIDERS:
        return False
    if not any(_owns(actor, owner) for owner in owners):
        raise PermissionDenied(key, None, "a marketer may only delete flows of their own tools.")
    return bool(before.get("managed_by_it"))


def check_dependency_write(actor: Actor, key: str, owners: t.Sequence[str | None]) -> None:
    check_contributor(actor, key)
    if actor.role not in DECIDERS and not any(_owns(actor, o) for o in owners):
        raise PermissionDenied(
            key, None, "a marketer may only change dependencies of their own tools; ask IT."
        )


# The sanction gate ----------------------------------------------------------------------------


def _round(tool: t.Any) -> date:
    day: date = tool.requested_at or tool.created_at.date()
    return day


def round_signoffs(session: Session, tool: t.Any) -> dict[str, ReviewSignoff]:
    """Return the sign-offs of the tool's current review round, by side."""
    rows = session.scalars(
        sa.select(ReviewSignoff).where(
            ReviewSignoff.tool_id == tool.id, ReviewSignoff.round == _round(tool)
        )
    )
    return {row.side: row for row in rows}


def check_lifecycle(session: Session, actor: Actor, tool: t.Any, name: str, lifecycle: str) -> None:
    """Refuse deciding a tool by plain edit or creation: decisions go through its review.

    An existing tool becomes sanctioned (or deprecated) from an open request only once both
    sides signed off, and from any other state (discovered, rejected, retired) only by being
    requested again and reviewed; a request is rejected only through its review, which records
    the reason. A NEW tool starts sanctioned only as a registration of pre-existing estate: IT
    says so explicitly with a reason, recorded (see `record_estate`).
    """
    if tool is None:
        if lifecycle not in DECIDED_BY_REVIEW or actor.role == SYSTEM:
            return
        check_decider(actor, name, f"registering {name} as {lifecycle}")
        if actor.estate_reason is None:
            raise GovernanceError(
                f"{name} cannot start {lifecycle}: request it and decide it through its "
                f"review, or register it explicitly as pre-existing estate with a reason.",
                record=name,
                field="lifecycle",
            )
        return
    if tool.lifecycle == lifecycle:
        return
    state = tool.lifecycle.replace("_", " ")
    if lifecycle == Lifecycle.REJECTED and tool.lifecycle in OPEN:
        raise GovernanceError(
            f"{tool.name} is {state}: reject it through its review, which "
            f"records the reason. Use /review/{tool.slug}.",
            record=tool.slug,
            field="lifecycle",
        )
    if lifecycle not in DECIDED_BY_REVIEW or tool.lifecycle in DECIDED_BY_REVIEW:
        return
    if tool.lifecycle not in OPEN:
        raise GovernanceError(
            f"{tool.name} is {state}: to sanction it, request it again (lifecycle requested) and "
            f"decide it through its review, with both the business owner's and the technical "
            f"owner's sign-off.",
            record=tool.slug,
            field="lifecycle",
        )
    missing = [
        side for side in ("business", "technical") if side not in round_signoffs(session, tool)
    ]
    if missing:
        raise GovernanceError(
            f"{tool.name} is {state}: it can become {lifecycle} only through its review, with "
            f"both the business owner's and the technical owner's sign-off (missing: "
            f"{' and '.join(missing)}). Use /review/{tool.slug}.",
            record=tool.slug,
            field="lifecycle",
        )


def record_estate(session: Session, actor: Actor, slug: str, lifecycle: str, reason: str) -> None:
    """Record that IT registered `slug` as pre-existing estate, skipping the review."""
    _record(
        session, actor, "estate", slug, {"lifecycle": lifecycle, "reason": reason.strip()[:2000]}
    )


# Four-eyes sign-off ---------------------------------------------------------------------------


def check_signoff(session: Session, actor: Actor, tool: t.Any, side: str) -> None:
    """Refuse a sign-off that would let one account, or the wrong side, approve a request.

    The business sign-off comes from the tool's business owner (a marketing account) and the
    technical one from IT; an administrator may stand in for either side, never both. The two
    sign-offs of a round always come from two different accounts.
    """
    key = tool.slug
    owner = tool.business_owner.email if tool.business_owner is not None else None
    if actor.role != SYSTEM:
        if side == "business" and not (
            actor.role == "admin" or (actor.role == "marketing" and same_email(actor.email, owner))
        ):
            raise PermissionDenied(
                key,
                "business",
                "the business sign-off is given by the tool's business owner, from marketing.",
            )
        if side == "technical" and actor.role not in ("it", "admin"):
            raise PermissionDenied(key, "technical", "the technical sign-off is given by IT.")
    other = round_signoffs(session, tool).get("technical" if side == "business" else "business")
    if other is not None and same_email(other.signed_by, actor.email):
        raise PermissionDenied(
            key,
            side,
            f"{actor.email} already signed the {other.side} side; "
            f"the {side} sign-off must come from another person.",
        )


def void_signoffs(
    session: Session,
    actor: str,
    tool: t.Any,
    before: t.Mapping[str, t.Any],
    after: t.Mapping[str, t.Any],
) -> list[str]:
    """Void the round's sign-offs when an open request's owners change; return the sides.

    A sign-off approves a request as it stood, with those owners; a new owner must sign again.
    """
    if tool.lifecycle not in OPEN or all(
        before.get(f) == after.get(f) for f in ("business_owner", "technical_owner")
    ):
        return []
    rows = round_signoffs(session, tool)
    if not rows:
        return []
    for row in rows.values():
        session.delete(row)
    sides = sorted(rows)
    _record(
        session,
        actor,
        "void",
        tool.slug,
        {
            "sides": sides,
            "signed_by": [rows[s].signed_by for s in sides],
            "reason": "the owners changed after the sign-off",
            "owners": {f: after.get(f) for f in ("business_owner", "technical_owner")},
        },
    )
    return sides
