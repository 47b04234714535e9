"""Who signs in and what governance keeps: accounts, review sign-offs, settings, scorecard
figures, notifications, finding decisions, saved views and proposals.

Kept apart from `catalog.models` (the catalog's own records, which imports this module at its
end and re-exports every class) so each module reads in one sitting; the tables share its
metadata. Import the classes from `catalog.models`, which loads this module in the right order.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Annotated
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from catalog.models import Base
from catalog.models import Person
from catalog.models import Tool
from catalog.models import Versioned
from catalog.models import utcnow

# The account a row belongs to, gone with it.
UserId = Annotated[
    int, mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
]


class OwnedByUser:
    """A row that belongs to one account (a preference, a saved view) and goes with it."""

    # A mixin's columns would come after the class's own; these lead, as in the migrations.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    user_id: Mapped[UserId] = mapped_column(sort_order=-1)


# Accounts ---------------------------------------------------------------------------------------
# Who may sign in and with which role, the review sign-offs, runtime settings and the daily
# scorecard figures.


class User(Base):
    """Someone who signs in: a viewer, a marketer, an IT reviewer or an administrator."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lowercased
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[str] = mapped_column(sa.String(20), default="viewer")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Flask-Login's id for this account; replaced on logout and password change so that every
    # cookie issued before stops working (a signed cookie cannot otherwise be revoked).
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # SHA-256 of the API bearer token, if one was issued; the token itself is never stored.
    api_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # The catalog person with the same e-mail, if any: that is how ownership is known.
    person: Mapped[Person | None] = relationship(
        primaryjoin="foreign(User.email) == Person.email", viewonly=True, lazy="select"
    )

    # Flask-Login protocol.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"


class ReviewSignoff(Base):
    """A business or technical owner's sign-off on a tool request, for one review round."""

    __tablename__ = "review_signoff"
    __table_args__ = (sa.UniqueConstraint("tool_id", "side", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(sa.ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(sa.String(20))  # business | technical
    # The request date the sign-off was given for: a new request is a new round.
    round: Mapped[date] = mapped_column(sa.Date)
    signed_by: Mapped[str] = mapped_column(sa.String(254))
    signed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    tool: Mapped[Tool] = relationship()


class Setting(Base):
    """A value an administrator can change at runtime (e.g. the review SLA in days)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[str] = mapped_column(sa.String(254), default="")


class ScorecardSnapshot(Base):
    """The joint CMO-CIO scorecard figures of one day, kept to draw their trend."""

    __tablename__ = "scorecard_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    metrics: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    taken_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


# Notifications ------------------------------------------------------------------------------------
# `martech notify` turns the catalog's state into notices (docs/notifications.md). An event key is
# written once, so no notice is ever sent twice; each delivery waits in the outbox until it went
# through, with retries and backoff, and what failed stays visible to administrators.


class NoticeEvent(Base):
    """One thing people were told about (a request, an owed sign-off, a breach...), by its key."""

    __tablename__ = "notice_event"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Notice(Base):
    """One delivery of an event to one recipient: an e-mail address or a chat webhook."""

    __tablename__ = "notice"
    __table_args__ = (sa.UniqueConstraint("event_key", "channel", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(sa.String(300), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    channel: Mapped[str] = mapped_column(sa.String(10))  # email | webhook
    recipient: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class NotificationPreference(OwnedByUser, Base):
    """A user's choice to receive (or not) one kind of notice by e-mail; absent means yes."""

    __tablename__ = "notification_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    kind: Mapped[str] = mapped_column(sa.String(40))
    email: Mapped[bool] = mapped_column(default=True)


# Findings with a life -----------------------------------------------------------------------------


class FindingState(Versioned, Base):
    """What people decided about one finding, known by its rule and subject key.

    The audit recomputes findings from the catalog on every run; this row is what survives: a
    risk accepted until a date (with the reason and who), the person it is assigned to with a due
    date, and the ticket where the work happens (docs/findings.md).
    """

    __tablename__ = "finding_state"
    __table_args__ = (sa.UniqueConstraint("rule", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(60))
    subject_key: Mapped[str] = mapped_column(sa.String(600))
    accepted_until: Mapped[date | None]
    accepted_by: Mapped[str] = mapped_column(sa.String(254), default="")
    accepted_reason: Mapped[str] = mapped_column(sa.Text, default="")
    assignee: Mapped[str] = mapped_column(sa.String(254), default="")
    due: Mapped[date | None]
    ticket_url: Mapped[str] = mapped_column(sa.String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject_key}"


# Saved views of the tool list ---------------------------------------------------------------------


class SavedView(OwnedByUser, Base):
    """A filter set of the tool list that one user saved under a name (docs/tool-list.md)."""

    __tablename__ = "saved_view"
    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(100))
    query: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Proposal(Base):
    """A change a marketer asked for that is IT's decision; it waits in the review queue.

    `changes` holds the proposed field values (plain record values) or, for `action` delete,
    nothing; `base` what those fields were when proposed, so IT sees the difference.
    """

    __tablename__ = "change_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(sa.String(20))  # tool | flow
    object_id: Mapped[int] = mapped_column(index=True)
    object_key: Mapped[str] = mapped_column(sa.String(600))
    action: Mapped[str] = mapped_column(sa.String(20))  # update | delete
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    base: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    proposed_by: Mapped[str] = mapped_column(sa.String(254))
    proposed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(sa.String(254))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    note: Mapped[str] = mapped_column(sa.Text, default="")
