"""The catalog as one JSON document (docs/formats.md#the-bundle): export, all-or-nothing import."""

from __future__ import annotations

import operator
import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from catalog.services import bundle_load
from catalog.services import taxonomy as taxonomy_service
from catalog.services.records import ValidationError
from catalog.services.registers import REGISTERS
from catalog.services.registers import SECTIONS

__all__ = ["SECTIONS", "count_records", "export_bundle", "import_bundle"]


def export_bundle(session: Session) -> dict[str, list[dict[str, t.Any]]]:
    """Return the whole catalog as a bundle, every list in key order."""
    exported = {}
    for name, register in REGISTERS.items():
        model = register.model
        loads = [selectinload(getattr(model, f.name)) for f in register.refs]
        objs: t.Iterable[t.Any] = session.scalars(sa.select(model).options(*loads))
        # Sorted here, not by the database: PostgreSQL's locale collations ignore punctuation,
        # and the same catalog must export byte for byte the same on SQLite and PostgreSQL.
        exported[name] = sorted(
            map(register.record, objs), key=operator.itemgetter(*register.key_fields)
        )
    return exported


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
