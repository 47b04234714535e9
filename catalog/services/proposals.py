"""Proposals: changes a marketer asked for that are IT's decision, waiting in the review queue.

`policy.queue_proposal` stores them when a marketer's save touches IT's fields (or deletes a flow
IT manages). IT accepts one, which applies it through the ordinary service path (validated,
version-checked, recorded as IT's change), or declines it; both are recorded.
"""

from __future__ import annotations

import typing as t
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import DataFlow
from catalog.models import Proposal
from catalog.models import Tool
from catalog.services import entities
from catalog.services import policy
from catalog.services import records
from catalog.services.records import ValidationError


def proposal_record(proposal: Proposal) -> dict[str, t.Any]:
    """Return a proposal as the API shows it."""
    return {
        "id": proposal.id,
        "object_type": proposal.object_type,
        "object_key": proposal.object_key,
        "action": proposal.action,
        "changes": proposal.changes,
        "base": proposal.base,
        "status": proposal.status,
        "proposed_by": proposal.proposed_by,
        "decided_by": proposal.decided_by,
        "note": proposal.note,
    }


def open_proposals(session: Session) -> list[Proposal]:
    """Return the proposals waiting for IT, oldest first."""
    return list(
        session.scalars(sa.select(Proposal).where(Proposal.status == "open").order_by(Proposal.id))
    )


def _target(session: Session, proposal: Proposal) -> t.Any:
    model = Tool if proposal.object_type == "tool" else DataFlow
    obj = session.get(model, proposal.object_id)
    if obj is None:
        raise ValidationError(
            {
                "proposal": f"the {proposal.object_type} {proposal.object_key} "
                f"no longer exists; decline the proposal"
            },
            record=str(proposal.id),
        )
    return obj


def _open(proposal: Proposal) -> None:
    if proposal.status != "open":
        raise ValidationError(
            {"proposal": f"proposal {proposal.id} was already {proposal.status}"},
            record=str(proposal.id),
        )


_ACTIONS = {"accepted": "accept", "declined": "decline"}


def _close(session: Session, proposal: Proposal, status: str, actor: str, note: str) -> None:
    proposal.status, proposal.decided_by = status, str(actor)
    proposal.decided_at, proposal.note = datetime.now(UTC), note.strip()[:2000]
    session.flush()
    entities.record_change(
        session,
        actor,
        _ACTIONS[status],
        "proposal",
        str(proposal.id),
        before={"status": "open"},
        after={
            "status": status,
            "object": f"{proposal.object_type} {proposal.object_key}",
            "note": proposal.note,
        },
    )


def accept(session: Session, proposal: Proposal, *, actor: str, note: str = "") -> None:
    """Apply a proposal as IT's change (the services' rules still apply, e.g. sign-offs)."""
    actor = policy.actor_of(session, actor)
    policy.check_decider(actor, proposal.object_key, "accepting a proposal")
    _open(proposal)
    obj = _target(session, proposal)
    if proposal.object_type == "tool":
        entities.save_tool(
            session, records.tool_record(obj) | proposal.changes, actor=actor, tool=obj
        )
    elif proposal.action == "delete":
        entities.delete_flow(session, obj, actor=actor)
    else:
        entities.save_flow(
            session, records.flow_record(obj) | proposal.changes, actor=actor, flow=obj
        )
    _close(session, proposal, "accepted", actor, note)


def decline(session: Session, proposal: Proposal, *, actor: str, note: str = "") -> None:
    """Decline a proposal; nothing changes but the record of the decision."""
    actor = policy.actor_of(session, actor)
    policy.check_decider(actor, proposal.object_key, "declining a proposal")
    _open(proposal)
    _close(session, proposal, "declined", actor, note)
