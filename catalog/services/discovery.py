"""Discovery imports: parse exports, aggregate sightings per app, match them, then write.

`plan_import` reads and decides without writing (the web preview shows it); `apply_plan` writes
it through the entity services, so every created or changed object has one change record.
`import_files` does both, all-or-nothing: any bad row raises ImportFailed before anything is
written. Re-importing a file finds every sighting, alias and tool as it left them, so the second
run writes nothing.

How a re-import merges into an existing sighting (sign-in logs replace, expense and card
statements add the days not yet counted) is in `catalog.services.discovery_merge`.
"""

from __future__ import annotations

import typing as t
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

import integrations
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import matching
from catalog.services.discovery_merge import SPEND_SOURCES
from catalog.services.discovery_merge import DayFigures
from catalog.services.discovery_merge import merged_sighting
from catalog.services.discovery_merge import merged_spend
from catalog.services.discovery_merge import sighting_change
from catalog.services.discovery_plan import ToolPlan
from catalog.services.discovery_plan import plan_tools
from catalog.services.discovery_write import apply_plan
from catalog.services.records import slugify
from integrations.base import BadRow
from integrations.base import DependencyRecord
from integrations.base import Observation
from integrations.base import ParseError
from integrations.base import Skipped
from integrations.base import ToolRecord
from integrations.base import Unclassified
from integrations.base import Warning_

__all__ = [
    "ImportFailed",
    "Plan",
    "plan_import",
    "apply_plan",
    "import_files",
    "format_summary",
    "merged_sighting",
]

MAX_SHOWN = 20  # bad rows and warnings listed in a message; all are counted
ProgressFactory = t.Callable[[int | None, str], t.Any]


class ImportFailed(Exception):
    """Nothing was imported; the message names the file, row or line, and the problem."""


class _App:
    """Running aggregate of one (source, app name): the per-row hot path, so plain slots."""

    __slots__ = ("app_id", "first", "last", "users", "events", "spend", "scopes", "days")

    def __init__(self) -> None:
        self.app_id: str | None = None
        self.first: date | None = None
        self.last: date | None = None
        self.users: set[int] = set()
        self.events = 0
        self.spend: dict[str, Decimal] = {}
        self.scopes: set[str] = set()
        self.days: dict[date | None, DayFigures] = {}  # spend sources only


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
    bad_rows: list[str] = field(default_factory=list)
    bad_count: int = 0
    warnings: list[str] = field(default_factory=list)
    tools: ToolPlan = field(default_factory=ToolPlan)

    def failure(self) -> str | None:
        """Return the all-or-nothing message when any row was bad, else None."""
        if not self.bad_count:
            return None
        shown = "; ".join(self.bad_rows[:MAX_SHOWN])
        more = f" (and {self.bad_count - MAX_SHOWN} more)" if self.bad_count > MAX_SHOWN else ""
        plural = "s" if self.bad_count > 1 else ""
        return f"{self.bad_count} bad row{plural}: {shown}{more}"


def _resolve_sources(source: str, paths: list[str]) -> list[str]:
    if source == "auto":
        found = []
        for path in paths:
            try:
                found.append(integrations.detect(path))
            except ParseError as exc:
                raise ImportFailed(f"{Path(path).name}: {exc}") from None
        return found
    if source not in integrations.IMPORTERS:
        raise ImportFailed(
            f"unknown source {source!r}; expected one of "
            f"{', '.join(integrations.IMPORTERS)} or auto"
        )
    return [source] * len(paths)


def plan_import(
    session: Session,
    source: str,
    paths: list[str],
    *,
    progress_factory: ProgressFactory | None = None,
    names: t.Mapping[str, str] | None = None,
) -> Plan:
    """Read every file and decide what the import would do; write nothing."""
    names = names or {}
    sources = _resolve_sources(source, paths)
    plan = Plan(sources=sorted(set(sources)), files=[names.get(p, Path(p).name) for p in paths])
    apps: dict[tuple[str, str], _App] = {}
    tool_items: list[tuple[str, ToolRecord | DependencyRecord]] = []
    for path, src in zip(paths, sources, strict=True):
        shown = names.get(path, Path(path).name)
        importer = integrations.get_importer(src)
        bar = progress_factory(None, f"{src} {shown}") if progress_factory else None
        try:
            with open(path, "rb") as fh:
                if bar is not None:
                    with bar:
                        _read(importer.parse(fh), src, shown, plan, apps, tool_items, bar.update)
                else:
                    _read(importer.parse(fh), src, shown, plan, apps, tool_items, None)
        except ParseError as exc:
            raise ImportFailed(f"{shown}: {exc}") from None
        except OSError as exc:
            raise ImportFailed(f"{shown}: {exc.strerror or exc}") from None
    if tool_items:
        plan.tools = plan_tools(session, tool_items, plan.bad_rows)
        plan.bad_count += plan.tools.bad_count
        plan.warnings.extend(plan.tools.warnings)
    _plan_apps(session, plan, apps)
    return plan


def _read(
    items: t.Iterator[t.Any],
    src: str,
    shown: str,
    plan: Plan,
    apps: dict[tuple[str, str], _App],
    tool_items: list[t.Any],
    update: t.Callable[[int], t.Any] | None,
) -> None:
    users: dict[str, int] = {}  # user -> small int, so per-app user sets stay small
    by_day = src in SPEND_SOURCES
    count = 0
    for item in items:
        count += 1
        if update is not None and count % 10_000 == 0:
            update(10_000)
        kind = type(item)
        if kind is Observation:
            key = (src, item.app_name)
            app = apps.get(key)
            if app is None:
                app = apps[key] = _App()
            app.events += 1
            day = item.day
            if day is not None:
                if app.first is None or day < app.first:
                    app.first = day
                if app.last is None or day > app.last:
                    app.last = day
            if item.user:
                uid = users.get(item.user)
                if uid is None:
                    uid = users[item.user] = len(users)
                app.users.add(uid)
            if item.app_id and app.app_id is None:
                app.app_id = item.app_id
            if item.spend is not None:
                cur = item.currency or "USD"
                app.spend[cur] = app.spend.get(cur, Decimal(0)) + item.spend
            if by_day:
                figures = app.days.get(day)
                if figures is None:
                    figures = app.days[day] = DayFigures()
                figures.events += 1
                if item.spend is not None:
                    figures.spend[cur] = figures.spend.get(cur, Decimal(0)) + item.spend
            if item.scopes and len(app.scopes) < 50:
                app.scopes.update(item.scopes)
        elif kind is Unclassified:
            plan.unclassified.append(item)  # waits in triage; never a tool by itself
        elif kind is Skipped:
            reason = item.reason if len(plan.skipped) < 50 else "other"
            plan.skipped[reason] += 1
        elif kind is BadRow:
            plan.bad_count += 1
            if len(plan.bad_rows) < MAX_SHOWN:
                plan.bad_rows.append(f"{shown}, {item.where}: {item.message}")
        elif kind is Warning_:
            if len(plan.warnings) < 200:
                plan.warnings.append(f"{shown}, {item.where}: {item.message}")
        else:
            tool_items.append((shown, item))
    if update is not None:
        update(count % 10_000)
    plan.rows += count


def _spend(app: _App) -> tuple[Decimal | None, str, str | None]:
    if not app.spend:
        return None, "USD", None
    # One currency per sighting: the one with the most spend; the rest is reported, not summed.
    currency, amount = max(app.spend.items(), key=lambda kv: (abs(kv[1]), kv[0]))
    note = None
    if len(app.spend) > 1:
        others = ", ".join(f"{v} {k}" for k, v in sorted(app.spend.items()) if k != currency)
        note = f"spend in other currencies left out: {others}"
    return max(amount, Decimal(0)).quantize(Decimal("0.01")), currency, note


def _plan_apps(session: Session, plan: Plan, apps: dict[tuple[str, str], _App]) -> None:
    matchers: dict[str, matching.Matcher] = {}
    slugs = dict(session.execute(sa.select(Tool.id, Tool.slug)).all())
    taken = set(slugs.values()) | set(plan.tools.slugs)
    existing = {
        (s.source, s.observed_name): s
        for s in session.scalars(
            sa.select(Sighting).where(Sighting.source.in_({src for src, _ in apps}))
        )
    }
    for (src, name), app in sorted(apps.items()):
        matcher = matchers.get(src) or matchers.setdefault(src, matching.Matcher(session, src))
        spend, currency, note = _spend(app)
        old = existing.get((src, name))
        if old is not None and src in SPEND_SOURCES:
            note = None  # what this import adds to the sighting is checked below instead
        if note:
            plan.warnings.append(f"{src} {name}: {note}")
        entry = AppPlan(
            src,
            name,
            app.app_id,
            app.first,
            app.last,
            len(app.users),
            app.events,
            spend,
            currency,
            tuple(sorted(app.scopes)),
            "none",
            days=app.days if src in SPEND_SOURCES else None,
        )
        plan.observations += app.events
        found = matcher.match(name, app.app_id)
        entry.how = found.how
        if found.tool_id is not None:
            entry.tool = slugs.get(found.tool_id)
        if entry.tool is None and found.how != "ignored":
            by_name = plan.tools.slug_for_name(name)
            if by_name is not None:  # a tool this same import registers (Backstage, catalog CSV)
                entry.how, entry.tool = "name", by_name
            else:
                entry.how = "new"
                entry.group = _new_tool(plan, matcher, slugs, taken, name)
        if old is not None and entry.days is not None:
            note = merged_spend(old, entry)[3]
            if note:
                plan.warnings.append(f"{src} {name}: {note}")
        entry.sighting = sighting_change(old, entry)
        plan.apps.append(entry)


def _new_tool(
    plan: Plan, matcher: matching.Matcher, slugs: dict[int, str], taken: set[str], name: str
) -> str:
    key = matching.group_key(name)
    new = plan.new_tools.get(key)
    if new is None:
        shown = matching.display_name(name)
        base = slugify(shown) or "app"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base[:95]}-{n}", n + 1
        taken.add(slug)
        new = plan.new_tools[key] = NewTool(key, shown, slug)
        hint = matcher.suggest(name)
        if hint is not None and hint[0] in slugs:
            new.suggestion = (slugs[hint[0]], matcher.names[hint[0]], hint[1])
    new.apps.append(name)
    return key


def import_files(
    session: Session,
    source: str,
    paths: list[str],
    *,
    actor: str,
    progress_factory: ProgressFactory | None = None,
    confirm: t.Mapping[str, str] | None = None,
    names: t.Mapping[str, str] | None = None,
) -> dict[str, t.Any]:
    """Plan and apply an import, all-or-nothing; return the summary. The caller commits."""
    plan = plan_import(session, source, paths, progress_factory=progress_factory, names=names)
    failure = plan.failure()
    if failure:
        raise ImportFailed(failure)
    return apply_plan(session, plan, actor=actor, confirm=confirm or {})


def format_summary(summary: t.Mapping[str, t.Any]) -> str:
    """Return the summary as the lines the CLI prints."""
    s = summary
    lines = [
        f"Read {s['rows']} records from {', '.join(s['files'])} ({', '.join(s['sources'])}).",
    ]
    if s["apps"]:
        lines.append(
            f"Apps: {s['apps']} seen, {s['matched']} matched to tools, "
            f"{len(s['new_tools'])} new discovered tools, {s['ignored']} ignored."
        )
        sc = s["sightings"]
        lines.append(
            f"Sightings: {sc['created']} created, {sc['updated']} updated, "
            f"{sc['unchanged']} unchanged."
        )
    if s["tools"]["created"] or s["tools"]["updated"] or s["tools"]["unchanged"]:
        tc, dc = s["tools"], s["dependencies"]
        lines.append(
            f"Tools: {tc['created']} created, {tc['updated']} updated, "
            f"{tc['unchanged']} unchanged. Dependencies: {dc['created']} created, "
            f"{dc['unchanged']} unchanged."
        )
    for name in s["new_tools"][:MAX_SHOWN]:
        lines.append(f"  new: {name}")
    for hint in s["suggestions"][:MAX_SHOWN]:
        lines.append(f"  possible match: {hint} (confirm or merge it in /imports/triage)")
    if s["skipped"]:
        total = sum(s["skipped"].values())
        top = ", ".join(f"{n} {r}" for r, n in Counter(s["skipped"]).most_common(5))
        lines.append(f"Skipped {total} records: {top}.")
    for warning in s["warnings"][:MAX_SHOWN]:
        lines.append(f"  warning: {warning}")
    lines.append(f"{s['changes']} changes recorded.")
    return "\n".join(lines)
