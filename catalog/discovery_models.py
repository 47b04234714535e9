"""Discovery triage records: spend lines waiting for a decision, merchant decisions, the
administrator's platform apps, and the import runs themselves.

Kept apart from `catalog.models` (which imports this module at its end) so that module stays
readable in one sitting; the tables share its metadata.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from catalog.models import Base
from catalog.models import utcnow


class ImportRun(Base):
    """One discovery import, committed or failed: what was read, by whom, and what came of it.

    The change records an import wrote carry `import-run:<id>` as their request id, so the run's
    page lists exactly what it changed.
    """

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(254))
    via: Mapped[str] = mapped_column(sa.String(10), default="cli")  # cli | web
    files: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    sources: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(10), default="done")  # done | failed
    #: The import summary: counts by outcome and reason (see discovery.format_summary).
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    changes: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.Text, default="")  # why a failed run failed

    @property
    def change_tag(self) -> str:
        return f"import-run:{self.id}"


class UnclassifiedSpend(Base):
    """A card or expense line that is neither clearly software nor clearly not, kept for triage.

    `fingerprint` is a digest of (source, merchant, raw, day, amount, currency, user): importing
    the same statement twice adds no line the second time.
    """

    __tablename__ = "unclassified_spend"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)
    source: Mapped[str] = mapped_column(sa.String(40))
    merchant: Mapped[str] = mapped_column(sa.String(500))  # the cleaned name lines group under
    merchant_key: Mapped[str] = mapped_column(sa.String(500), index=True)
    raw: Mapped[str] = mapped_column(sa.String(500))
    day: Mapped[date | None]
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    user: Mapped[str | None] = mapped_column(sa.String(254))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    import_run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("import_run.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class MerchantDecision(Base):
    """A person's word on a cleaned merchant: software (discover it) or not (skip its lines)."""

    __tablename__ = "merchant_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_key: Mapped[str] = mapped_column(sa.String(500), unique=True)
    merchant: Mapped[str] = mapped_column(sa.String(500))  # as shown when decided
    decision: Mapped[str] = mapped_column(sa.String(20))  # software | not_software
    decided_by: Mapped[str] = mapped_column(sa.String(254))
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    @property
    def key(self) -> str:
        return self.merchant_key


class PlatformAppEntry(Base):
    """An app an administrator declared a platform's own (by name, app id, or both)."""

    __tablename__ = "platform_app"
    __table_args__ = (sa.UniqueConstraint("platform", "name", "app_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(sa.String(20))  # microsoft | google | okta
    name: Mapped[str] = mapped_column(sa.String(500), default="")  # normalised match key
    label: Mapped[str] = mapped_column(sa.String(500), default="")  # as the administrator typed
    app_id: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by: Mapped[str] = mapped_column(sa.String(254), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.app_id or self.name}"
