"""Bulk actions on the tool list: assign owners, change category, start review.

Each tool goes through the same service as a single edit (entities.save_tool or
review.start_review), with the version the user saw, so the governance rules, the validation and
the change log apply to every one of them: one change record per tool. The caller commits once,
so the batch is all-or-nothing; the first refusal names the tool and the field.
"""

from __future__ import annotations

import typing as t
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.services import review
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
from catalog.vocab import Lifecycle

ACTIONS = {"owners": "assign owners", "category": "change category", "review": "start review"}
MAX_TOOLS = 500


class BulkError(Exception):
    """A bulk action refused for one tool; nothing was changed."""

    def __init__(self, tool: str, field: str, message: str) -> None:
        self.tool, self.field = tool, field
        super().__init__(f"Nothing changed: {tool}: {field}: {message}")


def _changes(action: str, values: t.Mapping[str, str]) -> dict[str, t.Any]:
    if action == "owners":
        changes = {
            side: values[side].strip().lower()
            for side in ("business_owner", "technical_owner")
            if (values.get(side) or "").strip()
        }
        if not changes:
            raise BulkError("(no tool)", "owners", "choose a business or a technical owner")
        return changes
    if action == "category":
        category = (values.get("category") or "").strip()
        if not category:
            raise BulkError("(no tool)", "category", "choose a category")
        return {"category": category}
    return {}


def apply(
    session: Session,
    action: str,
    slugs: t.Sequence[str],
    versions: t.Mapping[str, int | None],
    values: t.Mapping[str, str],
    *,
    actor: str,
    today: date,
    authorise: Callable[[Tool, dict[str, t.Any]], None] | None = None,
) -> list[Tool]:
    """Apply `action` to every tool in `slugs` (flushed, not committed); raise BulkError.

    :param versions: slug -> the version the user saw (a newer one is a conflict).
    :param authorise: called with each tool and its new record before it is saved (the view's
        permission check); it raises to refuse.
    """
    if action not in ACTIONS:
        raise BulkError("(no tool)", "action", f"{action!r} is not one of {', '.join(ACTIONS)}")
    slugs = list(dict.fromkeys(s for s in slugs if s))
    if not slugs:
        raise BulkError("(no tool)", "tools", "select at least one tool")
    if len(slugs) > MAX_TOOLS:
        raise BulkError("(no tool)", "tools", f"at most {MAX_TOOLS} tools at a time")
    changes = _changes(action, values)
    done = []
    for slug in slugs:
        tool = entities.tool_by_slug(session, slug)
        if tool is None:
            raise BulkError(slug, "tool", "no such tool (deleted or merged meanwhile?)")
        expected = versions.get(slug)
        try:
            if action == "review":
                if authorise is not None:
                    authorise(tool, records.tool_record(tool) | {"lifecycle": Lifecycle.IN_REVIEW})
                review.start_review(
                    session, tool, actor=actor, today=today, expected_version=expected
                )
            else:
                record = records.tool_record(tool) | changes
                if authorise is not None:
                    authorise(tool, record)
                entities.save_tool(
                    session, record, actor=actor, tool=tool, expected_version=expected
                )
        except ValidationError as exc:
            field, message = next(iter(exc.errors.items()))
            raise BulkError(tool.name, field.replace("_", " "), message) from None
        except ConflictError:
            raise BulkError(
                tool.name,
                "version",
                "someone changed this tool since the list was shown; reload and try again",
            ) from None
        done.append(tool)
    return done
