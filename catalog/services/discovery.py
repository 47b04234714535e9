"""Discovery imports: parse exports, aggregate sightings per app, match them, then write.

`plan_import` reads and decides without writing (the web preview shows it); `apply_plan` writes
it through the entity services, so every created or changed object has one change record.
`import_files` does both, all-or-nothing: any bad row raises ImportFailed before anything is
written. Re-importing a file finds every sighting, alias and tool as it left them, so the second
run writes nothing.

How a re-import merges into an existing sighting (sign-in logs replace, expense and card
statements add the days not yet counted) is in `catalog.services.discovery_merge`. What people
decided is consulted while planning: merchant decisions turn unclassified spend lines into
evidence or skips (`spend_triage`), platform apps attach to their platform's tool or are skipped
(`platform_apps`). `import_files` records each import as an `ImportRun` (`import_runs`).
"""

from __future__ import annotations

import typing as t
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

import integrations
from catalog.services import import_options
from catalog.services import import_runs
from catalog.services import spend_lines
from catalog.services.discovery_apps import ImportContext
from catalog.services.discovery_apps import plan_apps as _plan_apps
from catalog.services.discovery_merge import merged_sighting
from catalog.services.discovery_plan import plan_tools
from catalog.services.discovery_summary import format_summary
from catalog.services.discovery_types import MAX_SHOWN
from catalog.services.discovery_types import SPEND_SOURCES
from catalog.services.discovery_types import AppPlan
from catalog.services.discovery_types import AppTotals
from catalog.services.discovery_types import DayFigures
from catalog.services.discovery_types import ImportFailed
from catalog.services.discovery_types import NewTool
from catalog.services.discovery_types import Plan
from catalog.services.discovery_write import apply_plan
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
    "plan_observations",
    "merged_sighting",
    "AppPlan",
    "NewTool",
]

ProgressFactory = t.Callable[[int | None, str], t.Any]


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
    options: t.Mapping[str, t.Any] | None = None,
) -> Plan:
    """Read every file and decide what the import would do; write nothing.

    `options` go to the importers whose constructor takes them (`columns`, a card CSV's column
    mapping from `import_options.parse_columns`; `register_existing_estate` for Backstage).
    """
    names = names or {}
    options = dict(options or {})
    if options.get("register_existing_estate") and not str(options.get("reason") or "").strip():
        raise ImportFailed(
            "registering an existing estate as sanctioned needs a reason (--reason); "
            "it is recorded in the change log"
        )
    context = ImportContext(session)
    sources = _resolve_sources(source, paths)
    plan = Plan(sources=sorted(set(sources)), files=[names.get(p, Path(p).name) for p in paths])
    plan.options = options
    apps: dict[tuple[str, str], AppTotals] = {}
    tool_items: list[tuple[str, ToolRecord | DependencyRecord]] = []
    for path, src in zip(paths, sources, strict=True):
        shown = names.get(path, Path(path).name)
        try:
            importer = import_options.importer(src, options)
        except (ParseError, ValueError) as exc:
            raise ImportFailed(f"{shown}: {exc}") from None
        bar = progress_factory(None, f"{src} {shown}") if progress_factory else None
        try:
            with open(path, "rb") as fh:
                if bar is not None:
                    with bar:
                        _read(
                            importer.parse(fh),
                            src,
                            shown,
                            plan,
                            apps,
                            tool_items,
                            bar.update,
                            context,
                        )
                else:
                    _read(importer.parse(fh), src, shown, plan, apps, tool_items, None, context)
        except ParseError as exc:
            raise ImportFailed(f"{shown}: {exc}") from None
        except OSError as exc:
            raise ImportFailed(f"{shown}: {exc.strerror or exc}") from None
    if tool_items:
        plan.tools = plan_tools(session, tool_items, plan.bad_rows)
        plan.bad_count += plan.tools.bad_count
        plan.warnings.extend(plan.tools.warnings)
    _plan_apps(session, plan, apps, context)
    return plan


def plan_observations(
    session: Session, items: list[tuple[str, Observation]], *, label: str
) -> Plan:
    """Plan sightings from observations already in hand (a merchant someone called software)."""
    context = ImportContext(session)
    sources = sorted({src for src, _ in items})
    plan = Plan(sources=sources, files=[label])
    apps: dict[tuple[str, str], AppTotals] = {}
    for src in sources:
        mine = iter([o for s, o in items if s == src])
        _read(mine, src, label, plan, apps, [], None, context)
    _plan_apps(session, plan, apps, context)
    return plan


def _read(
    items: t.Iterator[t.Any],
    src: str,
    shown: str,
    plan: Plan,
    apps: dict[tuple[str, str], AppTotals],
    tool_items: list[t.Any],
    update: t.Callable[[int], t.Any] | None,
    context: ImportContext,
) -> None:
    users: dict[str, int] = {}  # user -> small int, so per-app user sets stay small
    by_day = src in SPEND_SOURCES
    count = 0
    for item in items:
        count += 1
        if update is not None and count % 10_000 == 0:
            update(10_000)
        kind = type(item)
        if kind is Unclassified:
            decided = context.decision(item.merchant)
            if decided is None:
                plan.unclassified.append(item)  # waits in triage; never a tool by itself
                plan.unclassified_sources.append(src)
                continue
            plan.decided_lines.append((src, item))
            plan.spend_decisions[decided] += 1
            if decided != spend_lines.SOFTWARE:
                plan.skipped[spend_lines.NOT_SOFTWARE_REASON] += 1
                continue
            # Someone called this merchant software: its line is evidence like any other.
            item = Observation(item.merchant, None, item.user, item.day, item.amount, item.currency)
            kind = Observation
        if kind is Observation:
            key = (src, item.app_name)
            app = apps.get(key)
            if app is None:
                app = apps[key] = AppTotals()
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
            if item.platform is not None:
                app.platform = item.platform
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


def import_files(
    session: Session,
    source: str,
    paths: list[str],
    *,
    actor: str,
    progress_factory: ProgressFactory | None = None,
    confirm: t.Mapping[str, str] | None = None,
    names: t.Mapping[str, str] | None = None,
    options: t.Mapping[str, t.Any] | None = None,
    via: str = "cli",
    today: date | None = None,
) -> dict[str, t.Any]:
    """Plan and apply an import as one recorded run, all-or-nothing; return the summary.

    The caller commits, or on ImportFailed rolls back and may `import_runs.record_failure`.
    """
    plan = plan_import(
        session, source, paths, progress_factory=progress_factory, names=names, options=options
    )
    failure = plan.failure()
    if failure:
        raise ImportFailed(failure)
    return import_runs.run_import(
        session, plan, actor=actor, via=via, confirm=confirm or {}, today=today
    )
