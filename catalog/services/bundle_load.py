"""Write a bundle section by section in batches: validate every record, then one executemany.

The per-record services in `entities` flush once per record, which made a 10,000-tool bundle take
over a minute. Here each section is read once (a dict from key to row), validated in Python with
the same `records` rules and messages, and written with Core executemany inserts and updates;
the change records, one per created or updated record, go in with one insert at the end. The
caller commits, so the import stays all-or-nothing.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import ChangeRecord
from catalog.models import Tool
from catalog.models import utcnow
from catalog.services import policy
from catalog.services import records
from catalog.services.records import ValidationError
from catalog.services.registers import REGISTERS
from catalog.services.tools import TOOLS
from catalog.services.tools import new_slug
from catalog.services.writes import REF_MODELS
from catalog.services.writes import Register
from catalog.services.writes import check_refs

Raw = t.Mapping[str, t.Any]
Row = dict[str, t.Any]
Existing = dict[tuple[str, ...], tuple[int, int | None, Row]]
BATCH = 2000


def label(section: str, index: int, raw: t.Any) -> str:
    """Name a record the way every bundle error does: `tools[3] (slug='x', name='X')`."""
    register = REGISTERS[section]
    if isinstance(raw, t.Mapping):
        names = register.label_fields or register.key_fields
        shown = [f"{k}={raw.get(k)!r}" for k in names if raw.get(k) is not None]
        if shown:
            return f"{section}[{index}] ({', '.join(shown)})"
    return f"{section}[{index}]"


def _key(register: Register, v: t.Mapping[str, t.Any]) -> tuple[str, ...]:
    return tuple(v[name] for name in register.key_fields)


def _shown_key(register: Register, key: tuple[str, ...]) -> str:
    # Identifiers (emails, slugs, sources, mechanisms) bare; an app's free-text name quoted.
    parts = [
        repr(p) if name in register.quoted else p
        for name, p in zip(register.key_fields, key, strict=True)
    ]
    return f"({', '.join(parts)})"


def _recorder(register: Register) -> t.Callable[[t.Mapping[str, t.Any]], Row]:
    """Return a function giving the change-log and export shape of a record's values (as
    `Register.record` gives it for an object)."""
    # Which fields hold dates, money or lists, the only values `records.plain` changes: a
    # 50,000-record bundle would otherwise call it a million times for nothing.
    converted = tuple((f.name, f.kind in ("date", "money", "choices")) for f in register.fields)
    plain = records.plain

    def record(values: t.Mapping[str, t.Any]) -> Row:
        return {name: plain(values[name]) if conv else values[name] for name, conv in converted}

    return record


class Loader:
    """Holds what exists (key to row) for the sections of one import, and the change records."""

    def __init__(self, session: Session, actor: str) -> None:
        session.flush()  # objects the caller added are rows before we read the tables
        self.conn = session.connection()
        self.session = session
        # A bundle writes IT's fields and lifecycles directly: an IT or administrator action
        # (the governance rules of catalog/services/policy.py apply to each record below).
        self.decider = policy.actor_of(session, actor)
        policy.check_decider(self.decider, None, "importing a bundle")
        self.actor = actor
        self.estates: list[tuple[str, str]] = []
        self.now = utcnow()
        self.changes: list[Row] = []
        # The id of every person (by e-mail) and tool (by slug) that references may name.
        self.known: dict[str, dict[str, int]] = {}
        for refers in REF_MODELS:
            self._refresh(refers)

    def _refresh(self, refers: str) -> None:
        model = REF_MODELS[refers]
        key = getattr(model, records.REF_KEYS[refers])
        self.known[refers] = {row[0]: row[1] for row in self.conn.execute(sa.select(key, model.id))}

    # Reading what exists, in the field names of the bundle ---------------------------------

    def _existing(self, register: Register) -> Existing:
        """Return key -> (id, version, values) for every row of the register's table."""
        names = {refers: {i: k for k, i in ids.items()} for refers, ids in self.known.items()}
        found: Existing = {}
        for row in self.conn.execute(sa.select(register.model.__table__)).mappings():
            values = dict(row)
            for f in register.refs:
                assert f.refers is not None
                values[f.name] = names[f.refers].get(values[f"{f.name}_id"])
            found[_key(register, values)] = (values["id"], values.get("version"), values)
        return found

    # Validation ---------------------------------------------------------------------------

    def _clean(self, register: Register, raw: Raw, existing: Existing) -> Row:
        if register is TOOLS:
            # A derived slug is validated as a given one would be.
            slug = raw.get("slug") or records.slugify(str(raw.get("name") or ""))
            raw = {**raw, "slug": slug or None}
        values = records.clean(register.fields, raw)
        if register is TOOLS:
            values["slug"] = values["slug"] or records.slugify(values["name"])
            if (values["slug"],) not in existing:
                new_slug(values)
        check_refs(register, values, lambda f: values[f.name] in self.known[str(f.refers)])
        return values

    # Writing ------------------------------------------------------------------------------

    def _row(self, register: Register, v: Row) -> Row:
        """Column values for a record's row (references turned into ids)."""
        row = {f.name: v[f.name] for f in register.fields}
        for f in register.refs:
            assert f.refers is not None
            key = row.pop(f.name)
            row[f"{f.name}_id"] = self.known[f.refers][key] if key is not None else None
        if "updated_at" in register.model.__table__.c:
            row["updated_at"] = self.now
        return row

    def load(self, section: str, items: list[t.Any]) -> dict[str, int]:
        """Validate and write one section; raise ValidationError naming the first bad record."""
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        if not items:
            return counts
        register = REGISTERS[section]
        columns = register.model.__table__.c
        existing = self._existing(register)
        record = _recorder(register)
        seen: dict[tuple[str, ...], int] = {}
        inserts: list[Row] = []
        updates: list[Row] = []
        for index, raw in enumerate(items):
            if not isinstance(raw, t.Mapping):
                raise ValidationError(
                    {"record": "must be a JSON object"}, record=label(section, index, raw)
                )
            try:
                values = self._clean(register, raw, existing)
            except ValidationError as exc:
                raise ValidationError(exc.errors, record=label(section, index, raw)) from None
            key = _key(register, values)
            if key in seen:
                shared = f"{section}[{seen[key]}] and {section}[{index}] share"
                raise ValidationError(
                    {register.key_fields[-1]: f"{shared} {_shown_key(register, key)}"},
                    record=label(section, index, raw),
                )
            seen[key] = index
            after = record(values)
            old = existing.get(key)
            before = record(old[2]) if old is not None else None
            if before == after:
                counts["unchanged"] += 1
                continue
            if register is TOOLS:
                self._govern(old, before, after)
            row = self._row(register, values)
            if old is None:
                counts["created"] += 1
                if "version" in columns:
                    row["version"] = 1
                if "created_at" in columns:
                    row["created_at"] = self.now
                inserts.append(row)
            else:
                counts["updated"] += 1
                updates.append({**row, "b_id": old[0], "b_version": old[1]})
            self.changes.append(
                {
                    "at": self.now,
                    "actor": self.actor,
                    "action": "create" if old is None else "update",
                    "object_type": register.object_type,
                    "object_key": register.key(dict(zip(register.key_fields, key, strict=True))),
                    "before": before,
                    "after": after,
                }
            )
        self._write(register, inserts, updates)
        for slug, lifecycle in self.estates:
            policy.record_estate(
                self.session, self.decider, slug, lifecycle, self.decider.estate_reason or ""
            )
        self.estates.clear()
        if register.object_type in self.known:
            self._refresh(register.object_type)
        return counts

    def _govern(
        self,
        old: tuple[int, int | None, Row] | None,
        before: dict[str, t.Any] | None,
        after: dict[str, t.Any],
    ) -> None:
        """Apply the lifecycle rules of a save to one tool record of the bundle."""
        slug, lifecycle = after["slug"], after["lifecycle"]
        if old is None:
            policy.check_lifecycle(self.session, self.decider, None, slug, lifecycle)
            if self.decider.estate_reason and lifecycle in policy.DECIDED_BY_REVIEW:
                self.estates.append((slug, lifecycle))
            return
        assert before is not None
        owners_changed = any(
            before.get(f) != after.get(f) for f in ("business_owner", "technical_owner")
        )
        if before.get("lifecycle") == lifecycle and not owners_changed:
            return
        tool = self.session.get(Tool, old[0])
        assert tool is not None
        policy.check_lifecycle(self.session, self.decider, tool, slug, lifecycle)
        policy.void_signoffs(self.session, self.decider, tool, before, after)

    def _write(self, register: Register, inserts: list[Row], updates: list[Row]) -> None:
        table = register.model.__table__
        for start in range(0, len(inserts), BATCH):
            self.conn.execute(table.insert(), inserts[start : start + BATCH])
        if not updates:
            return
        # Parameters named like columns become the SET clause; b_* ones fill the WHERE.
        stmt = table.update().where(table.c.id == sa.bindparam("b_id"))
        if "version" in table.c:
            # The version the rows were read at: a row someone changed since is not overwritten.
            stmt = stmt.where(table.c.version == sa.bindparam("b_version"))
            stmt = stmt.values(version=table.c.version + 1)
        else:
            updates = [{k: v for k, v in u.items() if k != "b_version"} for u in updates]
        result = self.conn.execute(stmt, updates)
        if self.conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(updates):
            raise ValidationError(
                {
                    "record": "changed by someone else during the import; "
                    "nothing was imported, try again"
                },
                record=register.name,
            )

    def write_changes(self) -> None:
        """Insert the change records of every section, in the order the records came."""
        for start in range(0, len(self.changes), BATCH):
            self.conn.execute(sa.insert(ChangeRecord), self.changes[start : start + BATCH])
