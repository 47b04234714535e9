"""The proposals queue: a change that is IT's decision, stored for IT instead of applied.

`policy` re-exports these; the services queue, the pages and the API announce what was queued.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import ChangeRecord
from catalog.models import Proposal


@sa.event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    # Proposals of a rolled-back transaction were never stored; nobody should announce them.
    session.info.pop("governance.queued", None)


def queue_proposal(
    session: Session,
    actor: str,
    obj: t.Any,
    object_type: str,
    key: str,
    action: str,
    changes: t.Mapping[str, t.Any],
    base: t.Mapping[str, t.Any],
) -> Proposal:
    """Store a change that is IT's decision as an open proposal (recorded), not applied."""
    proposal = Proposal(
        object_type=object_type,
        object_id=obj.id,
        object_key=key,
        action=action,
        changes=dict(changes),
        base={n: base.get(n) for n in changes},
        proposed_by=str(actor),
        status="open",
        note="",
    )
    session.add(proposal)
    session.flush()
    session.add(
        ChangeRecord(
            actor=str(actor),
            action="propose",
            object_type="proposal",
            object_key=str(proposal.id),
            before=None,
            after={"object": f"{object_type} {key}", "action": action, "changes": dict(changes)},
        )
    )
    session.info.setdefault("governance.queued", []).append(proposal)
    return proposal


def take_queued(session: Session) -> list[Proposal]:
    """Return (and forget) the proposals queued in this session since the last call."""
    queued: list[Proposal] = session.info.pop("governance.queued", [])
    return queued
