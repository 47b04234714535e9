"""The write path every register shares: its declaration, the version check, the change log.

A `Register` declares one record type once: its model, fields (catalog/fields.py), key, change-log
name, serializer and save/delete services. The API's resources, the bundle's sections, the field
permissions and the change log's object types are all read from the declarations
(`catalog.services.registers`). The helpers below are the one path every save and delete takes:
`opened` checks the version the caller saw, `put` writes, `saved`/`deleted` record the change.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import string
import typing as t
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog.fields import Field
from catalog.models import ChangeRecord
from catalog.models import Person
from catalog.models import Tool
from catalog.models import utcnow
from catalog.services import records
from catalog.services.records import ValidationError

Raw = t.Mapping[str, t.Any]
Record = dict[str, t.Any]
# An object's record on one side of a change; None where it did not exist (before a creation,
# after a deletion).
State = Record | None
# An id in a URL: ASCII digits ("²".isdigit() is true, int("²") fails), few enough to compare.
_DIGITS = re.compile(r"^[0-9]{1,18}$")
# The models a reference (catalog/fields.py `refers`) names a record of.
REF_MODELS: dict[str, type[Person] | type[Tool]] = {"person": Person, "tool": Tool}


@dataclass(frozen=True)
class Register:
    """One record type, declared once (see the module docstring)."""

    name: str  # plural: the bundle's section and the API's URL segment
    object_type: str  # one record, in the change log and in messages
    model: type[t.Any]
    fields: tuple[Field, ...]
    # The change log's key, formatted from the record; the fields it names identify a record.
    key_format: str
    save: t.Callable[..., t.Any]  # takes the object it edits as the keyword `object_type`
    delete: t.Callable[..., None] | None = None
    lookup: str = "id"  # the attribute an API URL names an object by
    clash: str = ""  # another record holds the key (formatted with the values and `existing`)
    label_fields: tuple[str, ...] = ()  # shown to name a bad bundle record (else key_fields)
    quoted: frozenset[str] = frozenset()  # free-text key fields, quoted in messages
    distinct: tuple[str, str] | None = None  # two references that must name different records
    api: bool = True  # served by the JSON API

    def record(self, obj: t.Any) -> Record:
        """Return the record (the bundle, API and change-log shape) of one object."""
        return records.record(self.fields, obj)

    def key(self, record: t.Mapping[str, t.Any]) -> str:
        return self.key_format.format_map(record)

    @functools.cached_property
    def key_fields(self) -> tuple[str, ...]:
        """The fields that identify a record (unique together), as `key_format` names them."""
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.key_format) if name)

    @property
    def refs(self) -> tuple[Field, ...]:
        """The fields that name another record (stored as `<name>_id`)."""
        return tuple(f for f in self.fields if f.refers is not None)

    def write(self, session: Session, raw: Raw, obj: t.Any = None, **kw: t.Any) -> t.Any:
        """Create (obj None) or update a record through the register's save service."""
        if obj is not None:
            kw[self.object_type] = obj
        return self.save(session, raw, **kw)

    def find(self, session: Session, key: str) -> t.Any:
        """Return the object a URL names by its `lookup` attribute, or None."""
        if self.lookup == "id":
            # An id past the 32-bit column names nothing (PostgreSQL would refuse to compare it).
            if not _DIGITS.match(key) or int(key) > records.MAX_INT:
                return None
            return session.get(self.model, int(key))
        value = key.lower() if self.lookup == "email" else key
        return session.scalar(
            sa.select(self.model).where(getattr(self.model, self.lookup) == value)
        )


class ConflictError(Exception):
    """The object changed since the caller read it; `current` is what it is now."""

    def __init__(self, object_type: str, key: str, current: Record, version: int) -> None:
        self.object_type = object_type
        self.key = key
        self.current = current
        self.version = version
        super().__init__(
            f"{object_type} {key!r} changed since it was opened (now version {version})"
        )


# When the changes being recorded happened, if not now: a setup that loads a story with its past
# (the demo) dates each record along it, so the catalog of any earlier day can be rebuilt.
_recorded_at: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "recorded_at", default=None
)


@contextlib.contextmanager
def recorded_at(moment: datetime | None) -> t.Iterator[None]:
    """Date the change records written inside this block at `moment` (None: now)."""
    token = _recorded_at.set(moment)
    try:
        yield
    finally:
        _recorded_at.reset(token)


def record_change(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_key: str,
    before: State = None,
    after: State = None,
) -> None:
    """Add one change record to the session (same transaction as the change)."""
    session.add(
        ChangeRecord(
            at=_recorded_at.get() or utcnow(),
            actor=str(actor),
            action=action,
            object_type=object_type,
            object_key=object_key,
            before=before,
            after=after,
        )
    )


def last_change(
    session: Session, object_type: str, object_key: str, action: str
) -> ChangeRecord | None:
    """Return the latest change record of `action` on one object, or None."""
    return session.scalar(
        sa.select(ChangeRecord)
        .where(
            ChangeRecord.object_type == object_type,
            ChangeRecord.object_key == object_key,
            ChangeRecord.action == action,
        )
        .order_by(ChangeRecord.id.desc())
        .limit(1)
    )


# Lookups by key -------------------------------------------------------------------------------


def by_key(session: Session, refers: str, key: str) -> t.Any:
    """Return the person (by e-mail) or tool (by slug) a reference names, or None."""
    model = REF_MODELS[refers]
    return session.scalar(sa.select(model).where(getattr(model, records.REF_KEYS[refers]) == key))


def person_by_email(session: Session, email: str) -> Person | None:
    found: Person | None = by_key(session, "person", email.lower())
    return found


def tool_by_slug(session: Session, slug: str) -> Tool | None:
    found: Tool | None = by_key(session, "tool", slug)
    return found


def rows(session: Session, model: type[t.Any], where: t.Any, order: t.Any) -> list[t.Any]:
    """Return the rows of `model` that match `where`, in `order`."""
    return list(session.scalars(sa.select(model).where(where).order_by(order)))


def missing(refers: str, key: str) -> str:
    """The message for a reference to a record that does not exist."""
    if refers == "person":
        return f"no person with e-mail {key} (register them first)"
    return f"no tool with slug {key!r}"


def check_refs(
    register: Register, values: t.Mapping[str, t.Any], exists: t.Callable[[Field], bool]
) -> None:
    """Refuse references to nothing (`exists(field)`: what the field's value names exists), and
    two ends of a relation naming the same tool."""
    errors = {
        f.name: missing(f.refers, values[f.name])
        for f in register.refs
        if f.refers is not None and values[f.name] is not None and not exists(f)
    }
    if not errors and register.distinct:
        first, second = register.distinct
        if values[first] == values[second]:
            errors[second] = "must be a different tool"
    if errors:
        raise ValidationError(errors)


def resolve(
    session: Session, register: Register, values: t.Mapping[str, t.Any]
) -> dict[str, t.Any]:
    """Return the object each reference of `values` names (None where empty), or raise naming
    every reference to nothing."""
    found: dict[str, t.Any] = {}
    for f in register.refs:
        key = values[f.name]
        found[f.name] = by_key(session, f.refers, key) if f.refers and key is not None else None
    check_refs(register, values, lambda f: found[f.name] is not None)
    return found


# The write path -------------------------------------------------------------------------------


def opened(register: Register, obj: t.Any, expected_version: int | None) -> Record | None:
    """Return the record of `obj` as it is (None for a new one); refuse a stale version."""
    if obj is None:
        return None
    before = register.record(obj)
    if expected_version is not None and expected_version != obj.version:
        raise ConflictError(register.object_type, register.key(before), before, obj.version)
    return before


def holder(
    session: Session, register: Register, values: Record, refs: t.Mapping[str, t.Any]
) -> t.Any:
    """Return the object that holds the key of `values` (references resolved in `refs`), if any."""
    model = register.model
    where = [
        getattr(model, f"{name}_id") == refs[name].id
        if name in refs
        else getattr(model, name) == values[name]
        for name in register.key_fields
    ]
    return session.scalar(sa.select(model).where(*where))


def refuse_clash(
    session: Session, register: Register, obj: t.Any, values: Record, refs: t.Mapping[str, t.Any]
) -> None:
    """Refuse a save whose key another record already holds (the register's `clash` message)."""
    existing = holder(session, register, values, refs)
    if existing is not None and existing is not obj:
        message = register.clash.format_map(values | {"existing": existing})
        raise ValidationError({register.key_fields[-1]: message})


def put(
    session: Session,
    register: Register,
    obj: t.Any,
    values: Record,
    refs: t.Mapping[str, t.Any],
    *,
    actor: str,
    before: Record | None,
) -> t.Any:
    """Create (obj None) or update the object from clean values; record the change."""
    if obj is None:
        obj = register.model()
        session.add(obj)
    for name, value in values.items():
        value = refs[name] if name in refs else value
        # Only touch what differs, so an unchanged save is no UPDATE and no version bump.
        if (getattr(obj, name) is not value) if name in refs else (getattr(obj, name) != value):
            setattr(obj, name, value)
    saved(session, register, obj, before, actor=actor)
    return obj


def _flush(session: Session, object_type: str, key: str) -> None:
    try:
        session.flush()
    except StaleDataError:
        # Another transaction updated the row between our load and our flush; the caller rolls
        # back and reloads to show the newer values.
        raise ConflictError(object_type, key, {}, -1) from None


def saved(
    session: Session, register: Register, obj: t.Any, before: Record | None, *, actor: str
) -> Record:
    """Flush a created or changed object and record the change (nothing when unchanged)."""
    _flush(session, register.object_type, register.key(before) if before else "")
    after = register.record(obj)
    if before != after:
        record_change(
            session,
            actor,
            "create" if before is None else "update",
            register.object_type,
            register.key(after),
            before=before,
            after=after,
        )
    return after


def deleted(
    session: Session, register: Register, obj: t.Any, before: Record, *, actor: str
) -> None:
    """Delete an object whose record was `before` and record the deletion."""
    key = register.key(before)
    session.delete(obj)
    _flush(session, register.object_type, key)
    record_change(session, actor, "delete", register.object_type, key, before=before)
