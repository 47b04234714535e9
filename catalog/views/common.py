"""Helpers the register pages share: stale-edit conflicts, change diffs, pagination, proposals."""

from __future__ import annotations

import math
import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask import current_app
from flask import flash
from flask import request
from sqlalchemy.orm import Session

from catalog.models import ChangeRecord
from catalog.services import paging
from catalog.services.records import plain


def _shown(value: t.Any) -> str:
    value = plain(value)
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def flash_proposals(queued: t.Sequence[t.Any]) -> None:
    """Tell a marketer which part of their change waits for IT (a proposal in /review)."""
    for proposal in queued:
        what = (
            ", ".join(n.replace("_", " ") for n in proposal.changes)
            if proposal.action == "update"
            else "deleting it"
        )
        flash(
            f"{what.capitalize()} on {proposal.object_key} is IT's decision: proposal "
            f"{proposal.id} waits for IT in the review queue.",
            "info",
        )


@dataclass
class Conflict:
    """What the user sees when the object changed after they opened their form."""

    version: int
    mine: bool = True  # False when there is no user input to compare (a delete)
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # field, now, yours
    actor: str | None = None
    at: t.Any = None


def conflict_for(
    session: Session,
    object_type: str,
    key: str,
    current: t.Mapping[str, t.Any],
    mine: t.Mapping[str, t.Any] | None,
    version: int,
) -> Conflict:
    """Describe a conflict: the newer values, where they differ from the user's, and who changed."""
    rows = []
    for name, now in current.items():
        yours = mine.get(name, now) if mine is not None else now
        if mine is None or _shown(now) != _shown(yours):  # a delete shows every current value
            rows.append((name, _shown(now), _shown(yours)))
    last = latest_change(session, object_type, key)
    return Conflict(
        version=version,
        mine=mine is not None,
        rows=rows,
        actor=last.actor if last else None,
        at=last.at if last else None,
    )


def latest_change(session: Session, object_type: str, key: str) -> ChangeRecord | None:
    """Return the newest change record of an object."""
    return session.scalar(
        sa.select(ChangeRecord)
        .where(ChangeRecord.object_type == object_type, ChangeRecord.object_key == key)
        .order_by(ChangeRecord.at.desc(), ChangeRecord.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class HistoryEntry:
    record: ChangeRecord
    changes: list[tuple[str, str, str]]  # field, before, after


def history(session: Session, object_type: str, key: str) -> list[HistoryEntry]:
    """Return an object's change records, newest first, each with its field-by-field changes."""
    rows = session.scalars(
        sa.select(ChangeRecord)
        .where(ChangeRecord.object_type == object_type, ChangeRecord.object_key == key)
        .order_by(ChangeRecord.at.desc(), ChangeRecord.id.desc())
    )
    return [history_entry(rec) for rec in rows]


def history_entry(rec: ChangeRecord) -> HistoryEntry:
    """Return a change record with its field-by-field changes."""
    before, after = rec.before or {}, rec.after or {}
    names = list(after) + [k for k in before if k not in after]
    changes = [
        (name.replace("_", " "), _shown(before.get(name)), _shown(after.get(name)))
        for name in names
        if before.get(name) != after.get(name)
        # A new record's empty and false fields say nothing; show what was filled in.
        and not (rec.action == "create" and _shown(after.get(name)) in ("—", "no"))
    ]
    return HistoryEntry(rec, changes)


class Page(paging.Page):
    """One page of a list, and the links of its pager on the current request."""

    def url_args(self, page: int) -> dict[str, t.Any]:
        """Return the current query arguments with another page number."""
        args = {**(request.view_args or {}), **request.args.to_dict()}
        args[self.param] = page
        return args


def page_number(total: int, param: str = "page") -> tuple[int, int, int]:
    """Return (page, pages, size) for `total` items and the page asked for in `param`."""
    size = int(current_app.config.get("PAGE_SIZE", 25))
    pages = max(1, math.ceil(total / size))
    page = min(max(request.args.get(param, 1, type=int) or 1, 1), pages)
    return page, pages, size


def paginate(session: Session, query: sa.Select[t.Any], param: str = "page") -> Page:
    """Run `query` for the requested page (PAGE_SIZE rows), counting the total in SQL."""
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    total = int(total or 0)
    page, pages, size = page_number(total, param)
    items = list(session.scalars(query.limit(size).offset((page - 1) * size)))
    return Page(items, page, pages, total, param, size)


def page_of(items: t.Sequence[t.Any], param: str = "page") -> Page:
    """Return the requested page of a list already in memory."""
    page, pages, size = page_number(len(items), param)
    return Page(list(items[(page - 1) * size : page * size]), page, pages, len(items), param, size)
