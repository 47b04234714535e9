"""Administrator additions to the taxonomy (docs/governance.md#taxonomy): add, rename, retire, load.

Additions live in `taxonomy_entry`; the live registry in `catalog.taxonomy` is rebuilt from them.
Every write stores a fresh random taxonomy version in the `setting` table, and `sync()` (run
before each request, by the bundle import and by `martech audit`) reloads the registry only when
the version differs from what this process loaded, so another worker's change is seen at once for
the price of one primary-key read.

Decisions: shipped groups and categories are fixed; a key never changes once added (tools store
it, like a slug), so a rename changes the label only; a category cannot be retired while tools
use it (move them first), and a retired key is rejected like an unknown one, but stays reserved
so it is never reused with another meaning and can be restored. Additions do not travel in the
bundle (docs/formats.md#the-bundle has no section for them): a bundle using a key unknown there is
rejected naming the record and the `category` field, so the target's administrator adds it first.
"""

from __future__ import annotations

import secrets
import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import taxonomy
from catalog.models import Setting
from catalog.models import TaxonomyEntry
from catalog.models import Tool
from catalog.services.entities import record_change
from catalog.services.records import ValidationError

VERSION_KEY = "taxonomy_version"
MAX_NAME = 100


def sync(bind: Session | sa.Connection) -> None:
    """Reload the registry from the database if it changed since this process last loaded it."""
    # Versions are random, so equal versions mean equal additions even across databases (two
    # test apps, a restored backup), and no version at all means the shipped taxonomy.
    version = bind.scalar(sa.select(Setting.value).where(Setting.key == VERSION_KEY))
    token = ("version", version)
    if token == taxonomy.loaded_token():
        return
    if version is None:
        taxonomy.install({}, [], token=token)  # nothing ever added: skip the second query
        return
    # Plain rows (not ORM objects) so that a Connection works as well as a Session.
    table = TaxonomyEntry.__table__
    install_entries(bind.execute(sa.select(table).order_by(table.c.id)).all(), token=token)


def install_entries(entries: t.Iterable[t.Any], token: t.Any = None) -> None:
    """Install the live (not retired) additions among `entries` into the registry."""
    entries = list(entries)
    groups = {e.key: e.name for e in entries if e.kind == "group" and not e.retired}
    live_groups = taxonomy.SHIPPED_GROUPS | groups
    categories = [
        taxonomy.Category(e.key, e.name, e.group_key, live_groups[e.group_key])
        for e in entries
        if e.kind == "category" and not e.retired and e.group_key in live_groups
    ]
    taxonomy.install(groups, categories, token=token)


def entries(session: Session) -> list[TaxonomyEntry]:
    """Return every addition, groups first, then by name."""
    return list(
        session.scalars(
            sa.select(TaxonomyEntry).order_by(TaxonomyEntry.kind.desc(), TaxonomyEntry.name)
        )
    )


def entry(session: Session, entry_id: int) -> TaxonomyEntry | None:
    return session.get(TaxonomyEntry, entry_id)


def _bump(session: Session, actor: str) -> None:
    setting = session.get(Setting, VERSION_KEY)
    if setting is None:
        session.add(Setting(key=VERSION_KEY, value=secrets.token_hex(8), updated_by=actor))
    else:
        setting.value = secrets.token_hex(8)
        setting.updated_by = actor


def _state(e: TaxonomyEntry) -> dict[str, t.Any]:
    state = {"kind": e.kind, "key": e.key, "name": e.name, "retired": e.retired}
    if e.kind == "category":
        state["group"] = e.group_key
    return state


def _clean_name(name: str | None, field: str = "name") -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({field: "is required"})
    if len(name) > MAX_NAME:
        raise ValidationError({field: f"must be at most {MAX_NAME} characters"})
    key = taxonomy.key_for(name)
    if not key:
        raise ValidationError({field: "must contain a letter or a digit"})
    return name, key


def _find(session: Session, kind: str, key: str) -> TaxonomyEntry | None:
    return session.scalar(
        sa.select(TaxonomyEntry).where(TaxonomyEntry.kind == kind, TaxonomyEntry.key == key)
    )


def _live_groups(session: Session) -> dict[str, str]:
    added = session.scalars(
        sa.select(TaxonomyEntry).where(
            TaxonomyEntry.kind == "group", TaxonomyEntry.retired.is_(False)
        )
    )
    return taxonomy.SHIPPED_GROUPS | {e.key: e.name for e in added}


def add_group(session: Session, *, name: str, actor: str) -> TaxonomyEntry:
    """Add a taxonomy group; its key is `key_for(name)`."""
    name, key = _clean_name(name)
    existing = _find(session, "group", key)
    if key in taxonomy.SHIPPED_GROUPS or existing is not None:
        label = taxonomy.SHIPPED_GROUPS.get(key) or (existing.name if existing else key)
        retired = " (retired; restore it instead)" if existing and existing.retired else ""
        raise ValidationError(
            {"name": f"the group {label!r} already has the key {key!r}{retired}"}, record=name
        )
    group = TaxonomyEntry(kind="group", key=key, name=name, group_key="", created_by=actor)
    return _write(session, group, "create", None, actor)


def add_category(session: Session, *, name: str, group: str, actor: str) -> TaxonomyEntry:
    """Add a subcategory to the group keyed `group`; its key is `key_for(name)`."""
    name, key = _clean_name(name)
    errors: dict[str, str] = {}
    if group not in _live_groups(session):
        errors["group"] = f"unknown group {group!r}"
    existing = _find(session, "category", key)
    if key in taxonomy.SHIPPED_CATEGORIES or existing is not None:
        label = (
            taxonomy.SHIPPED_CATEGORIES[key].name
            if key in taxonomy.SHIPPED_CATEGORIES
            else existing.name
            if existing
            else key
        )
        retired = " (retired; restore it instead)" if existing and existing.retired else ""
        errors["name"] = f"the category {label!r} already has the key {key!r}{retired}"
    if errors:
        raise ValidationError(errors, record=name)
    category = TaxonomyEntry(kind="category", key=key, name=name, group_key=group, created_by=actor)
    return _write(session, category, "create", None, actor)


def rename(session: Session, e: TaxonomyEntry, *, name: str, actor: str) -> TaxonomyEntry:
    """Change the label of an addition; its key stays, so tools using it are untouched."""
    name, key = _clean_name(name)
    shipped = (
        taxonomy.SHIPPED_GROUPS
        if e.kind == "group"
        else {k: c.name for k, c in taxonomy.SHIPPED_CATEGORIES.items()}
    )
    other = _find(session, e.kind, key)
    if key in shipped or (other is not None and other.id != e.id):
        label = shipped.get(key) or (other.name if other else key)
        raise ValidationError(
            {"name": f"{name!r} reads the same as the {e.kind} {label!r}"}, record=e.key
        )
    if name == e.name:
        return e
    before = _state(e)
    e.name = name
    return _write(session, e, "update", before, actor)


def set_retired(session: Session, e: TaxonomyEntry, retired: bool, *, actor: str) -> TaxonomyEntry:
    """Retire an addition (refused while tools or live categories use it) or restore it."""
    if e.retired == retired:
        return e
    if retired and e.kind == "category":
        slugs = list(
            session.scalars(
                sa.select(Tool.slug).where(Tool.category == e.key).order_by(Tool.slug).limit(4)
            )
        )
        if slugs:
            count = session.scalar(sa.select(sa.func.count()).where(Tool.category == e.key)) or 0
            shown = ", ".join(slugs[:3]) + (", ..." if count > 3 else "")
            uses = "1 tool still uses" if count == 1 else f"{count} tools still use"
            raise ValidationError(
                {"retired": f"{uses} it ({shown}); move them to another category first"},
                record=e.name,
            )
    if retired and e.kind == "group":
        members = [
            c
            for c in entries(session)
            if c.kind == "category" and c.group_key == e.key and not c.retired
        ]
        if members:
            raise ValidationError(
                {
                    "retired": f"it still has categories ({', '.join(m.name for m in members)}); "
                    "retire them first"
                },
                record=e.name,
            )
    if not retired and e.kind == "category" and e.group_key not in _live_groups(session):
        raise ValidationError(
            {"retired": "its group is retired; restore the group first"}, record=e.name
        )
    before = _state(e)
    e.retired = retired
    return _write(session, e, "update", before, actor)


def _write(
    session: Session, e: TaxonomyEntry, action: str, before: dict[str, t.Any] | None, actor: str
) -> TaxonomyEntry:
    session.add(e)
    _bump(session, actor)
    session.flush()
    record_change(
        session, actor, action, "taxonomy", f"{e.kind}:{e.key}", before=before, after=_state(e)
    )
    return e


def tool_counts(session: Session) -> dict[str, int]:
    """Return how many tools use each category key."""
    rows = session.execute(
        sa.select(Tool.category, sa.func.count())
        .where(Tool.category.is_not(None))
        .group_by(Tool.category)
    )
    return {key: count for key, count in rows if key is not None}
