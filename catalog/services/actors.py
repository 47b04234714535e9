"""Who acts on the catalog, with which role, and the errors a governance rule raises.

The rules themselves are in `policy` (which re-exports these names). Who acts is an `Actor`: an
e-mail (what the change log stores) with a role. Callers that pass a plain e-mail string are
resolved through the sign-in accounts; a string naming no account is the "system" actor (setup
code such as seed data), which may do what an administrator may but is held to the same
invariants: no sanction without two sign-offs, no account signing twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import User

SYSTEM = "system"
CONTRIBUTORS = frozenset({"marketing", "it", "admin", SYSTEM})
DECIDERS = frozenset({"it", "admin", SYSTEM})


class GovernanceError(Exception):
    """A change breaks a governance rule; the message says what to do instead."""

    def __init__(
        self, message: str, *, record: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.record = record
        self.field = field


class PermissionDenied(GovernanceError):
    """The actor's role may not make this change to `record` (`field`, when one is at stake)."""

    def __init__(self, record: str | None, field: str | None, reason: str) -> None:
        super().__init__(reason, record=record, field=field)


class Actor(str):
    """Who makes a change: the e-mail the change log records, and the role that decides."""

    role: str
    # Set only when IT explicitly registers pre-existing estate (tools that start sanctioned).
    estate_reason: str | None

    def __new__(cls, email: str, role: str, estate_reason: str | None = None) -> Actor:
        actor = super().__new__(cls, email)
        actor.role = role
        actor.estate_reason = (estate_reason or "").strip() or None
        return actor

    def registering_estate(self, reason: str | None) -> Actor:
        """Return this actor registering pre-existing estate with `reason` (None: not)."""
        return Actor(str(self), self.role, reason)

    @property
    def email(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"Actor({str(self)!r}, {self.role!r})"


def actor_of(session: Session, actor: str) -> Actor:
    """Return `actor` with its role: as given, from its sign-in account, else the system actor."""
    if isinstance(actor, Actor):
        return actor
    cache: dict[str, Actor] = session.info.setdefault("governance.actors", {})
    found = cache.get(actor)
    if found is None:
        user = session.scalar(sa.select(User).where(User.email == str(actor).lower()))
        role = user.role if user is not None and user.active else SYSTEM
        found = cache[actor] = Actor(str(actor), role)
    return found


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
def _forget_actors(session: Session) -> None:
    # A role may change between transactions; resolve plain e-mails afresh in each one.
    session.info.pop("governance.actors", None)


def same_email(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def check_contributor(actor: Actor, record: str | None) -> None:
    if actor.role not in CONTRIBUTORS:
        raise PermissionDenied(
            record,
            None,
            f"{actor.email} ({actor.role}) may not change the catalog; ask marketing or IT.",
        )


def check_decider(actor: Actor, key: str | None, doing: str) -> None:
    if actor.role not in DECIDERS:
        raise PermissionDenied(key, None, f"{doing} is IT's decision.")
