"""The catalog's data model: tools, who owns them, and how data moves and depends between them."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class Versioned:
    """Optimistic locking: forms and the API carry `version`; a stale one is a conflict."""

    version: Mapped[int] = mapped_column(nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


class Person(Versioned, Base):
    """Someone who can own a tool: a marketer on the business side or an engineer on the IT side."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lowercased
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    department: Mapped[str] = mapped_column(sa.String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Person {self.email!r}>"


class Tool(Versioned, Base):
    """A piece of marketing technology the company runs, pays for, or was seen using."""

    __tablename__ = "tool"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    vendor: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str] = mapped_column(sa.String(500), default="")
    category: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    lifecycle: Mapped[str] = mapped_column(sa.String(20), default="requested", index=True)
    business_owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    technical_owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    data_classes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    system_of_record: Mapped[bool] = mapped_column(default=False)
    sso_enabled: Mapped[bool] = mapped_column(default=False)
    dpa_signed: Mapped[bool] = mapped_column(default=False)
    security_reviewed: Mapped[bool] = mapped_column(default=False)
    annual_cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    seats: Mapped[int | None]
    renewal_date: Mapped[date | None]
    requested_at: Mapped[date | None]
    decided_at: Mapped[date | None]
    retired_at: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    business_owner: Mapped[Person | None] = relationship(foreign_keys=[business_owner_id])
    technical_owner: Mapped[Person | None] = relationship(foreign_keys=[technical_owner_id])

    def __repr__(self) -> str:
        return f"<Tool {self.slug!r}>"


class DataFlow(Versioned, Base):
    """Data moving from one tool to another: "<source> feeds <target>"."""

    __tablename__ = "data_flow"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "target_id", "mechanism"),
        sa.CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    data_classes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    mechanism: Mapped[str] = mapped_column(sa.String(30))
    managed_by_it: Mapped[bool] = mapped_column(default=False)
    anonymized: Mapped[bool] = mapped_column(default=False)
    frequency: Mapped[str] = mapped_column(sa.String(100), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    source: Mapped[Tool] = relationship(foreign_keys=[source_id])
    target: Mapped[Tool] = relationship(foreign_keys=[target_id])

    @property
    def key(self) -> str:
        return f"{self.source.slug}->{self.target.slug}"


class Dependency(Versioned, Base):
    """`tool` stops working, or loses its data, when `depends_on` goes away."""

    __tablename__ = "dependency"
    __table_args__ = (
        sa.UniqueConstraint("tool_id", "depends_on_id"),
        sa.CheckConstraint("tool_id <> depends_on_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(sa.ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    depends_on_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tool.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20), default="other")
    description: Mapped[str] = mapped_column(sa.Text, default="")

    tool: Mapped[Tool] = relationship(foreign_keys=[tool_id])
    depends_on: Mapped[Tool] = relationship(foreign_keys=[depends_on_id])

    @property
    def key(self) -> str:
        return f"{self.tool.slug}->{self.depends_on.slug}"


class Sighting(Base):
    """Evidence from a discovery source that an app is in use, aggregated per source and app."""

    __tablename__ = "sighting"
    __table_args__ = (sa.UniqueConstraint("source", "observed_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(40))
    observed_name: Mapped[str] = mapped_column(sa.String(500))
    tool_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tool.id", ondelete="SET NULL"), index=True
    )
    first_seen: Mapped[date | None]
    last_seen: Mapped[date | None]
    users: Mapped[int] = mapped_column(default=0)
    events: Mapped[int] = mapped_column(default=0)
    spend: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")

    tool: Mapped[Tool | None] = relationship()

    @property
    def key(self) -> str:
        return f"{self.source}:{self.observed_name}"


class ChangeRecord(Base):
    """One create, update or delete, written in the same transaction as the change itself."""

    __tablename__ = "change_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(20))  # create | update | delete
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_key: Mapped[str] = mapped_column(sa.String(600))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    request_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)

    __table_args__ = (sa.Index("ix_change_record_object", "object_type", "object_key"),)


# Discovery ---------------------------------------------------------------------------------------


class ToolAlias(Base):
    """Another name, or a source's app id, under which discovery sources report a tool.

    `source` is empty for a normalised name (valid for every source) and the importer name for an
    app id (Entra Application ID, Okta app id, Google client_id), which only that source uses.
    """

    __tablename__ = "tool_alias"
    __table_args__ = (sa.UniqueConstraint("source", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(sa.ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(sa.String(40), default="")
    value: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    tool: Mapped[Tool] = relationship()

    @property
    def key(self) -> str:
        return f"{self.source}:{self.value}" if self.source else self.value


class IgnoredApp(Base):
    """An app someone decided is not a tool worth tracking; later imports do not raise it again."""

    __tablename__ = "ignored_app"
    __table_args__ = (sa.UniqueConstraint("source", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(40), default="")  # as in ToolAlias
    value: Mapped[str] = mapped_column(sa.String(500))
    label: Mapped[str] = mapped_column(sa.String(500), default="")  # the name as first seen
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.value}" if self.source else self.value


# Taxonomy ----------------------------------------------------------------------------------------


class TaxonomyEntry(Base):
    """A group or subcategory an administrator added to the taxonomy (docs/governance.md#taxonomy).

    Keys never change once added (tools store them, like slugs); a rename changes the label only.
    A retired category is no longer offered nor accepted; it is kept so its key is not reused.
    """

    __tablename__ = "taxonomy_entry"
    __table_args__ = (sa.UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # group | category
    key: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(100))
    group_key: Mapped[str] = mapped_column(sa.String(100), default="")  # categories only
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(254), default="")


# Triage decisions --------------------------------------------------------------------------------


class TriageDecision(Base):
    """An ignore or a merge decided in triage, kept so that it can be listed and undone.

    An ignore keeps the tool and all its evidence; the decision hides it from the triage inbox
    and names the ignored-app keys it added, which an undo removes again. A merge removes the
    discovered tool; `detail` holds what moved where, so that an undo can put it back while
    nothing moved has changed since.
    """

    __tablename__ = "triage_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(20))  # ignore | merge
    # The ignored tool (a merged tool no longer exists, so merges keep only its slug and name).
    tool_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tool.id", ondelete="SET NULL"), index=True
    )
    tool_slug: Mapped[str] = mapped_column(sa.String(100))
    tool_name: Mapped[str] = mapped_column(sa.String(200))
    into_slug: Mapped[str] = mapped_column(sa.String(100), default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    decided_by: Mapped[str] = mapped_column(sa.String(254))
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    undone_by: Mapped[str | None] = mapped_column(sa.String(254))
    undone_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    tool: Mapped[Tool | None] = relationship()


# Discovery triage tables and the governance records live in their own modules on this metadata;
# importing them here registers them wherever the model is loaded (migrations, tests, the app),
# and `from catalog.models import User` keeps working.
from catalog import discovery_models as _discovery_models  # noqa: E402, F401
from catalog.models_governance import FindingState  # noqa: E402
from catalog.models_governance import Notice  # noqa: E402
from catalog.models_governance import NoticeEvent  # noqa: E402
from catalog.models_governance import NotificationPreference  # noqa: E402
from catalog.models_governance import Proposal  # noqa: E402
from catalog.models_governance import ReviewSignoff  # noqa: E402
from catalog.models_governance import SavedView  # noqa: E402
from catalog.models_governance import ScorecardSnapshot  # noqa: E402
from catalog.models_governance import Setting  # noqa: E402
from catalog.models_governance import User  # noqa: E402

__all__ = [
    "Base",
    "ChangeRecord",
    "DataFlow",
    "Dependency",
    "FindingState",
    "IgnoredApp",
    "Notice",
    "NoticeEvent",
    "NotificationPreference",
    "Person",
    "Proposal",
    "ReviewSignoff",
    "SavedView",
    "ScorecardSnapshot",
    "Setting",
    "Sighting",
    "TaxonomyEntry",
    "Tool",
    "ToolAlias",
    "TriageDecision",
    "User",
    "Versioned",
    "utcnow",
]
