"""Plan the tool registrations of a Backstage or catalog-CSV import: validate every row first."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Tool
from catalog.services import matching
from catalog.services import records
from catalog.services.records import ValidationError
from integrations.base import DependencyRecord
from integrations.base import ToolRecord


@dataclass
class ToolPlan:
    creates: list[dict[str, t.Any]] = field(default_factory=list)
    updates: list[dict[str, t.Any]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dependencies: list[dict[str, str]] = field(default_factory=list)
    dependencies_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    bad_count: int = 0
    names: dict[str, str] = field(default_factory=dict)  # normalised name -> slug

    @property
    def slugs(self) -> list[str]:
        return [r["slug"] for r in self.creates]

    def slug_for_name(self, name: str) -> str | None:
        """Return the slug of a tool this import registers under that name, if any."""
        for key in matching.candidate_keys(name):
            if key in self.names:
                return self.names[key]
        return None


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{k}: {v}" for k, v in exc.errors.items())


def plan_tools(
    session: Session, items: list[tuple[str, ToolRecord | DependencyRecord]], bad_rows: list[str]
) -> ToolPlan:
    """Validate tool and dependency records against the catalog; add bad rows to `bad_rows`."""
    plan = ToolPlan()
    emails = set(session.scalars(sa.select(Person.email)))
    wanted = {
        str(i.fields.get("slug") or records.slugify(str(i.fields.get("name") or "")))
        for _, i in items
        if isinstance(i, ToolRecord)
    }
    existing = {
        tool.slug: tool for tool in session.scalars(sa.select(Tool).where(Tool.slug.in_(wanted)))
    }
    seen: dict[str, str] = {}

    def bad(message: str) -> None:
        plan.bad_count += 1
        if len(bad_rows) < 20:
            bad_rows.append(message)

    for shown, item in items:
        if not isinstance(item, ToolRecord):
            continue
        where = f"{shown}, {item.where}"
        fields = dict(item.fields)
        slug = str(fields.get("slug") or records.slugify(str(fields.get("name") or "")))
        if not slug:
            bad(f"{where}: name: is required")
            continue
        if slug in seen:
            bad(f"{where}: slug: {slug!r} is also registered at {seen[slug]}")
            continue
        seen[slug] = item.where
        tool = existing.get(slug)
        current = records.tool_record(tool) if tool is not None else dict(item.create_only)
        raw = current | fields | {"slug": slug}
        try:
            values = records.clean(records.TOOL_FIELDS, raw)
        except ValidationError as exc:
            bad(f"{where}: {_errors(exc)}")
            continue
        missing = [
            f"{f}: no person with e-mail {values[f]} (register them first)"
            for f in ("business_owner", "technical_owner")
            if values[f] is not None and values[f] not in emails
        ]
        if missing:
            bad(f"{where}: {'; '.join(missing)}")
            continue
        plan.names.setdefault(matching.normalise(values["name"]), slug)
        if tool is None:
            plan.creates.append(raw)
        elif records.clean(records.TOOL_FIELDS, records.tool_record(tool)) == values:
            plan.unchanged.append(slug)
        else:
            plan.updates.append(raw)
    _plan_dependencies(session, plan, items, set(seen))
    return plan


def _plan_dependencies(
    session: Session, plan: ToolPlan, items: list[tuple[str, t.Any]], batch: set[str]
) -> None:
    known = batch | set(session.scalars(sa.select(Tool.slug)))
    other = aliased(Tool)
    registered = set(
        session.execute(
            sa.select(Tool.slug, other.slug)
            .join(Dependency, Dependency.tool_id == Tool.id)
            .join(other, Dependency.depends_on_id == other.id)
        ).all()
    )
    planned: set[tuple[str, str]] = set()
    for shown, item in items:
        if not isinstance(item, DependencyRecord):
            continue
        pair = (item.tool, item.depends_on)
        missing = [s for s in pair if s not in known]
        if missing:
            plan.warnings.append(
                f"{shown}, {item.where}: dangling reference: {item.tool} depends on "
                f"{item.depends_on}, but {missing[0]!r} is neither in this import nor in the "
                "catalog; left out"
            )
        elif item.tool == item.depends_on:
            plan.warnings.append(f"{shown}, {item.where}: {item.tool} depends on itself; left out")
        elif pair in registered:
            plan.dependencies_unchanged += 1
        elif pair not in planned:
            planned.add(pair)
            plan.dependencies.append(
                {
                    "tool": item.tool,
                    "depends_on": item.depends_on,
                    "kind": item.kind,
                    "description": item.description,
                }
            )
