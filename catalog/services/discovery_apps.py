"""Decide what an import does with each observed app: match it, attach a platform app to its
platform's tool (or skip it), or plan a discovered tool; and how its sighting changes."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import matching
from catalog.services import spend_lines
from catalog.services.discovery_merge import merged_spend
from catalog.services.discovery_merge import sighting_change
from catalog.services.discovery_types import SPEND_SOURCES
from catalog.services.discovery_types import AppPlan
from catalog.services.discovery_types import AppTotals
from catalog.services.discovery_types import NewTool
from catalog.services.discovery_types import Plan
from catalog.services.platform_apps import SKIP_REASON as PLATFORM_SKIP
from catalog.services.platform_apps import PlatformApps
from catalog.services.records import slugify
from catalog.vocab import Lifecycle


class ImportContext:
    """What people decided that an import consults: merchant decisions and platform apps."""

    def __init__(self, session: Session) -> None:
        self.decisions = spend_lines.decisions(session)
        self.keys: dict[str, str] = {}  # merchant -> key, merchants repeat line after line
        self.platforms = PlatformApps(session)

    def decision(self, merchant: str) -> str | None:
        key = self.keys.get(merchant)
        if key is None:
            key = self.keys[merchant] = spend_lines.merchant_key(merchant)
        return self.decisions.get(key)


def _spend(app: AppTotals) -> tuple[Decimal | None, str, str | None]:
    if not app.spend:
        return None, "USD", None
    # One currency per sighting: the one with the most spend; the rest is reported, not summed.
    currency, amount = max(app.spend.items(), key=lambda kv: (abs(kv[1]), kv[0]))
    note = None
    if len(app.spend) > 1:
        others = ", ".join(f"{v} {k}" for k, v in sorted(app.spend.items()) if k != currency)
        note = f"spend in other currencies left out: {others}"
    return max(amount, Decimal(0)).quantize(Decimal("0.01")), currency, note


def plan_apps(
    session: Session, plan: Plan, apps: dict[tuple[str, str], AppTotals], context: ImportContext
) -> None:
    """Decide every app of the import: matched, platform, ignored or new; plan its sighting."""
    matchers: dict[str, matching.Matcher] = {}
    slugs: dict[int, str] = {}
    known: set[int] = set()  # tools a platform app may attach to: anything but discovered ones
    for tool_id, slug, lifecycle in session.execute(sa.select(Tool.id, Tool.slug, Tool.lifecycle)):
        slugs[tool_id] = slug
        if lifecycle != Lifecycle.DISCOVERED:
            known.add(tool_id)
    taken = set(slugs.values()) | set(plan.tools.slugs)
    existing = {
        (s.source, s.observed_name): s
        for s in session.scalars(
            sa.select(Sighting).where(Sighting.source.in_({src for src, _ in apps}))
        )
    }
    for (src, name), app in sorted(apps.items()):
        matcher = matchers.get(src) or matchers.setdefault(src, matching.Matcher(session, src))
        found = matcher.match(name, app.app_id)
        platform = context.platforms.platform(src, name, app.app_id, app.platform)
        if platform is not None and found.how != "ignored" and found.tool_id not in known:
            # A platform's own app is use of the platform: its tool, or nothing, never new.
            target = context.platforms.tool_for(matcher, platform, known)
            if target is None:
                plan.skipped[PLATFORM_SKIP] += app.events
                plan.platform_apps["skipped"] += 1
                continue
            found = matching.Match(target, "platform")
            plan.platform_apps["attached"] += 1
        elif platform is not None:
            plan.platform_apps["attached" if found.tool_id is not None else "ignored"] += 1
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
        entry.how = found.how
        if found.tool_id is not None:
            entry.tool = slugs.get(found.tool_id)
        if entry.tool is None and found.how not in ("ignored", "platform"):
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
