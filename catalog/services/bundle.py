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
from catalog.services import bundle_load
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


def import_bundle(
    session: Session, bundle: t.Any, *, actor: str, progress: t.Callable[[int], None] | None = None
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
    for section in SECTIONS:
        if not isinstance(bundle.get(section, []), list):
            raise ValidationError({section: "must be a list"}, record="bundle")
    loader = bundle_load.Loader(session, actor)
    summary = {}
    for section in SECTIONS:
        items = bundle.get(section, [])
        summary[section] = loader.load(section, items)
        if progress is not None and items:
            progress(len(items))
    loader.write_changes()
    # The rows were written with Core statements: objects the session holds must reload.
    session.expire_all()
    return summary


def count_records(bundle: t.Any) -> int:
    """Return how many records a bundle holds (for progress bars)."""
    if not isinstance(bundle, t.Mapping):
        return 0
    return sum(len(v) for k, v in bundle.items() if k in SECTIONS and isinstance(v, list))
