"""The catalog as one JSON document (docs/formats.md#the-bundle): export, all-or-nothing import."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.services import taxonomy as taxonomy_service
from catalog.services.records import ValidationError

SECTIONS = ("people", "tools", "flows", "dependencies", "sightings")


def export_bundle(session: Session) -> dict[str, list[dict[str, t.Any]]]:
    """Return the whole catalog as a bundle, every list in key order."""
    people = session.scalars(sa.select(Person).order_by(Person.email))
    tools = session.scalars(
        sa.select(Tool)
        .options(selectinload(Tool.business_owner), selectinload(Tool.technical_owner))
        .order_by(Tool.slug)
    )
    flows = [
        records.flow_record(f)
        for f in session.scalars(
            sa.select(DataFlow).options(
                selectinload(DataFlow.source), selectinload(DataFlow.target)
            )
        )
    ]
    deps = [
        records.dependency_record(d)
        for d in session.scalars(
            sa.select(Dependency).options(
                selectinload(Dependency.tool), selectinload(Dependency.depends_on)
            )
        )
    ]
    sightings = [
        records.sighting_record(s)
        for s in session.scalars(sa.select(Sighting).options(selectinload(Sighting.tool)))
    ]
    # Sorted here, not by the database: PostgreSQL's locale collations ignore punctuation, and
    # the same catalog must export byte for byte the same on SQLite and PostgreSQL.
    return {
        "people": sorted((records.person_record(p) for p in people), key=lambda p: p["email"]),
        "tools": sorted((records.tool_record(tl) for tl in tools), key=lambda tl: tl["slug"]),
        "flows": sorted(flows, key=lambda f: (f["source"], f["target"], f["mechanism"])),
        "dependencies": sorted(deps, key=lambda d: (d["tool"], d["depends_on"])),
        "sightings": sorted(sightings, key=lambda s: (s["source"], s["observed_name"])),
    }


def _label(section: str, index: int, raw: t.Any) -> str:
    keys = {
        "people": ("email",),
        "tools": ("slug", "name"),
        "flows": ("source", "target", "mechanism"),
        "dependencies": ("tool", "depends_on"),
        "sightings": ("source", "observed_name"),
    }[section]
    if isinstance(raw, t.Mapping):
        shown = [f"{k}={raw.get(k)!r}" for k in keys if raw.get(k) is not None]
        if shown:
            return f"{section}[{index}] ({', '.join(shown)})"
    return f"{section}[{index}]"


def _upsert(session: Session, section: str, raw: t.Mapping[str, t.Any], actor: str) -> str:
    """Apply one record; return 'created', 'updated' or 'unchanged'."""
    if section == "people":
        email = raw.get("email")
        existing = entities.person_by_email(session, email) if isinstance(email, str) else None
        before = records.person_record(existing) if existing else None
        obj = entities.save_person(session, raw, actor=actor, person=existing)
        after = records.person_record(obj)
    elif section == "tools":
        slug = raw.get("slug") or records.slugify(str(raw.get("name") or ""))
        existing = entities.tool_by_slug(session, slug) if isinstance(slug, str) and slug else None
        before = records.tool_record(existing) if existing else None
        obj = entities.save_tool(session, {**raw, "slug": slug or None}, actor=actor, tool=existing)
        after = records.tool_record(obj)
    elif section == "flows":
        existing = _find_flow(session, raw)
        before = records.flow_record(existing) if existing else None
        after = records.flow_record(entities.save_flow(session, raw, actor=actor, flow=existing))
    elif section == "dependencies":
        existing = _find_dependency(session, raw)
        before = records.dependency_record(existing) if existing else None
        obj = entities.save_dependency(session, raw, actor=actor, dependency=existing)
        after = records.dependency_record(obj)
    else:
        source, name = raw.get("source"), raw.get("observed_name")
        existing_s = (
            session.scalar(
                sa.select(Sighting).where(Sighting.source == source, Sighting.observed_name == name)
            )
            if isinstance(source, str) and isinstance(name, str)
            else None
        )
        before = records.sighting_record(existing_s) if existing_s else None
        after = records.sighting_record(entities.save_sighting(session, raw, actor=actor))
    if before is None:
        return "created"
    return "unchanged" if before == after else "updated"


def _find_flow(session: Session, raw: t.Mapping[str, t.Any]) -> DataFlow | None:
    source = entities.tool_by_slug(session, str(raw.get("source")))
    target = entities.tool_by_slug(session, str(raw.get("target")))
    if source is None or target is None:
        return None
    return session.scalar(
        sa.select(DataFlow).where(
            DataFlow.source_id == source.id,
            DataFlow.target_id == target.id,
            DataFlow.mechanism == raw.get("mechanism"),
        )
    )


def _find_dependency(session: Session, raw: t.Mapping[str, t.Any]) -> Dependency | None:
    tool = entities.tool_by_slug(session, str(raw.get("tool")))
    on = entities.tool_by_slug(session, str(raw.get("depends_on")))
    if tool is None or on is None:
        return None
    return session.scalar(
        sa.select(Dependency).where(
            Dependency.tool_id == tool.id, Dependency.depends_on_id == on.id
        )
    )


def import_bundle(
    session: Session,
    bundle: t.Any,
    *,
    actor: str,
    progress: t.Callable[[int], None] | None = None,
) -> dict[str, dict[str, int]]:
    """Upsert every record of a bundle; raise ValidationError naming the first bad record.

    Nothing is committed here: on an error the caller rolls back and the catalog is unchanged.
    """
    taxonomy_service.sync(session)  # categories an administrator added are valid keys too
    if not isinstance(bundle, t.Mapping):
        raise ValidationError({"bundle": "must be a JSON object with people, tools, flows, ..."})
    unknown = sorted(set(bundle) - set(SECTIONS))
    if unknown:
        raise ValidationError(
            {unknown[0]: f"unknown section; expected {', '.join(SECTIONS)}"}, record="bundle"
        )
    summary = {s: {"created": 0, "updated": 0, "unchanged": 0} for s in SECTIONS}
    for section in SECTIONS:
        items = bundle.get(section, [])
        if not isinstance(items, list):
            raise ValidationError({section: "must be a list"}, record="bundle")
        for index, raw in enumerate(items):
            if not isinstance(raw, t.Mapping):
                raise ValidationError(
                    {"record": "must be a JSON object"}, record=_label(section, index, raw)
                )
            try:
                outcome = _upsert(session, section, raw, actor)
            except ValidationError as exc:
                raise ValidationError(exc.errors, record=_label(section, index, raw)) from None
            except entities.ConflictError as exc:  # pragma: no cover - concurrent writer
                raise ValidationError(
                    {"record": str(exc)}, record=_label(section, index, raw)
                ) from None
            summary[section][outcome] += 1
            if progress is not None:
                progress(1)
    return summary


def count_records(bundle: t.Any) -> int:
    """Return how many records a bundle holds (for progress bars)."""
    if not isinstance(bundle, t.Mapping):
        return 0
    return sum(len(v) for k, v in bundle.items() if k in SECTIONS and isinstance(v, list))
