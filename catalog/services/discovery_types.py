"""The records a discovery import passes from its planner to its writer.

`catalog.services.discovery` reads the files into a `Plan` (one `AppPlan` per observed app, the
`NewTool`s it would create); `discovery_write` writes it; both raise `ImportFailed`. Declared
here, below every module that reads or writes a plan, so imports point one way.
"""

from __future__ import annotations

import typing as t
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from catalog.services.discovery_plan import ToolPlan
from integrations.base import Unclassified

MAX_SHOWN = 20  # bad rows and warnings listed in a message; all are counted

#: Sources whose lines are charges, each dated once: their figures add up across statements.
SPEND_SOURCES = frozenset({"expensify", "card_csv"})


class DayFigures:
    """Events and spend per currency of one app on one day, for merging statements."""

    __slots__ = ("events", "spend")

    def __init__(self) -> None:
        self.events = 0
        self.spend: dict[str, Decimal] = {}


class AppTotals:
    """Running aggregate of one (source, app name): the per-row hot path, so plain slots."""

    __slots__ = (
        "app_id",
        "first",
        "last",
        "users",
        "events",
        "spend",
        "scopes",
        "days",
        "platform",
    )

    def __init__(self) -> None:
        self.app_id: str | None = None
        self.first: date | None = None
        self.last: date | None = None
        self.users: set[int] = set()
        self.events = 0
        self.spend: dict[str, Decimal] = {}
        self.scopes: set[str] = set()
        self.days: dict[date | None, DayFigures] = {}  # spend sources only
        self.platform: str | None = None  # set by the importer (Observation.platform)


@dataclass
class AppPlan:
    """What an import will do with one observed app."""

    source: str
    name: str
    app_id: str | None
    first_seen: date | None
    last_seen: date | None
    users: int
    events: int
    spend: Decimal | None
    currency: str
    scopes: tuple[str, ...]
    how: str  # see matching.Match.how; "new" for an app that becomes a discovered tool
    tool: str | None = None  # slug of the matched tool
    group: str | None = None  # new-tool group key
    sighting: str = "create"  # create, update, unchanged
    #: Spend sources only: this import's figures per day, so only days not yet counted add up.
    days: dict[date | None, DayFigures] | None = None


@dataclass
class NewTool:
    """A discovered tool the import would create, for every app of one group key."""

    key: str
    name: str
    slug: str
    apps: list[str] = field(default_factory=list)
    suggestion: tuple[str, str, int] | None = None  # (slug, name, score) for a person to confirm


class ImportFailed(Exception):
    """Nothing was imported; the message names the file, row or line, and the problem."""


@dataclass
class Plan:
    sources: list[str]
    files: list[str]
    rows: int = 0
    observations: int = 0
    apps: list[AppPlan] = field(default_factory=list)
    new_tools: dict[str, NewTool] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    #: Spend lines neither clearly software nor clearly not (integrations.base.Unclassified).
    unclassified: list[Unclassified] = field(default_factory=list)
    unclassified_sources: list[str] = field(default_factory=list)  # the source of each line
    #: Spend lines of merchants a person already decided on, kept with the undecided ones.
    decided_lines: list[tuple[str, Unclassified]] = field(default_factory=list)
    spend_decisions: Counter[str] = field(default_factory=Counter)  # software / not_software
    platform_apps: Counter[str] = field(default_factory=Counter)  # attached / skipped apps
    bad_rows: list[str] = field(default_factory=list)
    bad_count: int = 0
    warnings: list[str] = field(default_factory=list)
    tools: ToolPlan = field(default_factory=ToolPlan)
    options: dict[str, t.Any] = field(default_factory=dict)

    def newest_evidence(self) -> date | None:
        """Return the day of the newest sighting or spend line this import reads."""
        days = [a.last_seen for a in self.apps if a.last_seen is not None]
        days += [u.day for u in self.unclassified if u.day is not None]
        return max(days) if days else None

    def failure(self) -> str | None:
        """Return the all-or-nothing message when any row was bad, else None."""
        if not self.bad_count:
            return None
        shown = "; ".join(self.bad_rows[:MAX_SHOWN])
        more = f" (and {self.bad_count - MAX_SHOWN} more)" if self.bad_count > MAX_SHOWN else ""
        plural = "s" if self.bad_count > 1 else ""
        return f"{self.bad_count} bad row{plural}: {shown}{more}"
