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
from catalog.models import DataFlow
from catalog.models import Dependency
from catalog.models import Person
from catalog.models import Sighting
from catalog.models import Tool
from catalog.models import utcnow
from catalog.services import policy
from catalog.services import records
from catalog.services.entities import RESERVED_SLUGS
from catalog.services.records import Field
from catalog.services.records import ValidationError

Raw = t.Mapping[str, t.Any]
BATCH = 2000

FIELDS: dict[str, tuple[Field, ...]] = {
    "people": records.PERSON_FIELDS,
    "tools": records.TOOL_FIELDS,
    "flows": records.FLOW_FIELDS,
    "dependencies": records.DEPENDENCY_FIELDS,
    "sightings": records.SIGHTING_FIELDS,
}
KEY_FIELDS = {
    "people": ("email",),
    "tools": ("slug", "name"),
    "flows": ("source", "target", "mechanism"),
    "dependencies": ("tool", "depends_on"),
    "sightings": ("source", "observed_name"),
}
OBJECT_TYPE = {
    "people": "person",
    "tools": "tool",
    "flows": "flow",
    "dependencies": "dependency",
    "sightings": "sighting",
}
TABLE = {
    "people": Person.__table__,
    "tools": Tool.__table__,
    "flows": DataFlow.__table__,
    "dependencies": Dependency.__table__,
    "sightings": Sighting.__table__,
}


def label(section: str, index: int, raw: t.Any) -> str:
    """Name a record the way every bundle error does: `tools[3] (slug='x', name='X')`."""
    if isinstance(raw, t.Mapping):
        shown = [f"{k}={raw.get(k)!r}" for k in KEY_FIELDS[section] if raw.get(k) is not None]
        if shown:
            return f"{section}[{index}] ({', '.join(shown)})"
    return f"{section}[{index}]"


def _key(section: str, v: dict[str, t.Any]) -> tuple[str, ...]:
    if section == "people":
        return (v["email"],)
    if section == "tools":
        return (v["slug"],)
    if section == "flows":
        return (v["source"], v["target"], v["mechanism"])
    if section == "dependencies":
        return (v["tool"], v["depends_on"])
    return (v["source"], v["observed_name"])


def _shown_key(section: str, key: tuple[str, ...]) -> str:
    # Identifiers (emails, slugs, sources, mechanisms) bare; an app's free-text name quoted.
    parts = [repr(p) if section == "sightings" and i == 1 else p for i, p in enumerate(key)]
    return f"({', '.join(parts)})"


def _object_key(section: str, key: tuple[str, ...]) -> str:
    if section == "flows":
        return f"{key[0]}->{key[1]} ({key[2]})"
    if section == "dependencies":
        return f"{key[0]}->{key[1]}"
    if section == "sightings":
        return f"{key[0]}:{key[1]}"
    return key[0]


# Which fields hold dates, money or lists, the only values `records.plain` changes: a 50,000-record
# bundle would otherwise call it a million times for nothing.
_CONVERTED = {
    section: tuple((f.name, f.kind in ("date", "money", "choices")) for f in fields)
    for section, fields in FIELDS.items()
}


def _record(section: str, values: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The change-log and export shape of a record (as `records.*_record` gives it)."""
    plain = records.plain
    return {
        name: plain(values[name]) if converted else values[name]
        for name, converted in _CONVERTED[section]
    }


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
        self.changes: list[dict[str, t.Any]] = []
        self.people: dict[str, int] = {}
        self.tools: dict[str, int] = {}
        self._refresh_people()
        self._refresh_tools()

    def _refresh_people(self) -> None:
        self.people = dict(self.conn.execute(sa.select(Person.email, Person.id)).all())

    def _refresh_tools(self) -> None:
        self.tools = dict(self.conn.execute(sa.select(Tool.slug, Tool.id)).all())

    # Reading what exists, in the field names of the bundle ---------------------------------

    def _existing(self, section: str) -> dict[tuple[str, ...], tuple[int, int | None, dict]]:
        """Return key -> (id, version, values) for every row of the section's table."""
        emails = {i: e for e, i in self.people.items()}
        slugs = {i: s for s, i in self.tools.items()}
        table = TABLE[section]
        found: dict[tuple[str, ...], tuple[int, int | None, dict]] = {}
        for row in self.conn.execute(sa.select(table)).mappings():
            values = dict(row)
            if section == "tools":
                values["business_owner"] = emails.get(values["business_owner_id"])
                values["technical_owner"] = emails.get(values["technical_owner_id"])
            elif section == "flows":
                values["source"], values["target"] = (
                    slugs[values["source_id"]],
                    slugs[values["target_id"]],
                )
            elif section == "dependencies":
                values["tool"], values["depends_on"] = (
                    slugs[values["tool_id"]],
                    slugs[values["depends_on_id"]],
                )
            elif section == "sightings":
                values["tool"] = slugs.get(values["tool_id"])
            found[_key(section, values)] = (values["id"], values.get("version"), values)
        return found

    # Validation ---------------------------------------------------------------------------

    def _clean(self, section: str, raw: Raw, existing: dict) -> dict[str, t.Any]:
        if section == "tools":
            slug = raw.get("slug") or records.slugify(str(raw.get("name") or ""))
            values = records.clean(records.TOOL_FIELDS, {**raw, "slug": slug or None})
            values["slug"] = values["slug"] or records.slugify(values["name"])
            if (values["slug"],) not in existing:
                if not values["slug"]:
                    raise ValidationError({"slug": "cannot derive a slug from this name; give one"})
                if values["slug"] in RESERVED_SLUGS:
                    raise ValidationError(
                        {
                            "slug": f"{values['slug']!r} is reserved by the "
                            "catalog's pages; choose another"
                        }
                    )
            errors = {
                f: f"no person with e-mail {values[f]} (register them first)"
                for f in ("business_owner", "technical_owner")
                if values[f] is not None and values[f] not in self.people
            }
            if errors:
                raise ValidationError(errors)
            return values
        values = records.clean(FIELDS[section], raw)
        if section in ("flows", "dependencies"):
            ends = ("source", "target") if section == "flows" else ("tool", "depends_on")
            errors = {
                e: f"no tool with slug {values[e]!r}" for e in ends if values[e] not in self.tools
            }
            if not errors and values[ends[0]] == values[ends[1]]:
                errors[ends[1]] = "must be a different tool"
            if errors:
                raise ValidationError(errors)
        elif section == "sightings" and values["tool"] is not None:
            if values["tool"] not in self.tools:
                raise ValidationError({"tool": f"no tool with slug {values['tool']!r}"})
        return values

    # Writing ------------------------------------------------------------------------------

    def _row(self, section: str, v: dict[str, t.Any]) -> dict[str, t.Any]:
        """Column values for a record's row (references turned into ids)."""
        row = {f.name: v[f.name] for f in FIELDS[section]}
        if section == "tools":
            row["business_owner_id"] = self.people.get(row.pop("business_owner") or "")
            row["technical_owner_id"] = self.people.get(row.pop("technical_owner") or "")
            row["updated_at"] = self.now
        elif section == "flows":
            row["source_id"], row["target_id"] = (
                self.tools[row.pop("source")],
                self.tools[row.pop("target")],
            )
        elif section == "dependencies":
            row["tool_id"], row["depends_on_id"] = (
                self.tools[row.pop("tool")],
                self.tools[row.pop("depends_on")],
            )
        elif section == "sightings":
            slug = row.pop("tool")
            row["tool_id"] = self.tools[slug] if slug is not None else None
        return row

    def load(self, section: str, items: list[t.Any]) -> dict[str, int]:
        """Validate and write one section; raise ValidationError naming the first bad record."""
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        if not items:
            return counts
        existing = self._existing(section)
        seen: dict[tuple[str, ...], int] = {}
        inserts: list[dict[str, t.Any]] = []
        updates: list[dict[str, t.Any]] = []
        for index, raw in enumerate(items):
            if not isinstance(raw, t.Mapping):
                raise ValidationError(
                    {"record": "must be a JSON object"}, record=label(section, index, raw)
                )
            try:
                values = self._clean(section, raw, existing)
            except ValidationError as exc:
                raise ValidationError(exc.errors, record=label(section, index, raw)) from None
            key = _key(section, values)
            if key in seen:
                raise ValidationError(
                    {
                        KEY_FIELDS[section][
                            -1 if section != "tools" else 0
                        ]: f"{section}[{seen[key]}] and {section}[{index}] share "
                        f"{_shown_key(section, key)}"
                    },
                    record=label(section, index, raw),
                )
            seen[key] = index
            after = _record(section, values)
            old = existing.get(key)
            before = _record(section, old[2]) if old is not None else None
            if before == after:
                counts["unchanged"] += 1
                continue
            if section == "tools":
                self._govern(old, before, after)
            row = self._row(section, values)
            if old is None:
                counts["created"] += 1
                if section != "sightings":
                    row["version"] = 1
                if section == "tools":
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
                    "object_type": OBJECT_TYPE[section],
                    "object_key": _object_key(section, key),
                    "before": before,
                    "after": after,
                }
            )
        self._write(section, inserts, updates)
        if section == "tools":
            for slug, lifecycle in self.estates:
                policy.record_estate(
                    self.session, self.decider, slug, lifecycle, self.decider.estate_reason or ""
                )
            self.estates.clear()
        if section == "people":
            self._refresh_people()
        elif section == "tools":
            self._refresh_tools()
        return counts

    def _govern(
        self,
        old: tuple[int, int | None, dict] | None,
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

    def _write(self, section: str, inserts: list[dict], updates: list[dict]) -> None:
        table = TABLE[section]
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
                record=section,
            )

    def write_changes(self) -> None:
        """Insert the change records of every section, in the order the records came."""
        for start in range(0, len(self.changes), BATCH):
            self.conn.execute(ChangeRecord.__table__.insert(), self.changes[start : start + BATCH])
