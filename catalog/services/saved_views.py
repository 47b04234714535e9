"""Saved views of the tool list: a user keeps a filter set under a name and opens it again."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import SavedView
from catalog.services.entities import record_change
from catalog.services.records import ValidationError
from catalog.services.tool_list import FILTER_KEYS

MAX_NAME = 100
MAX_VIEWS = 50


def query_string(args: t.Mapping[str, str]) -> str:
    """Return the list's filters in `args` as a query string (only the known, non-empty ones)."""
    return urlencode(
        [(key, str(args[key]).strip()) for key in FILTER_KEYS if str(args.get(key) or "").strip()]
    )


def views(session: Session, user_id: int) -> list[SavedView]:
    """Return a user's saved views, by name."""
    return list(
        session.scalars(
            sa.select(SavedView)
            .where(SavedView.user_id == user_id)
            .order_by(sa.func.lower(SavedView.name), SavedView.id)
        )
    )


def _key(email: str, name: str) -> str:
    return f"{email}:{name}"


def save(
    session: Session, *, user_id: int, email: str, name: str, args: t.Mapping[str, str], actor: str
) -> SavedView:
    """Save the filters in `args` as `name` (replacing the user's view of that name)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "give the view a name"}, record="saved view")
    if len(name) > MAX_NAME:
        raise ValidationError({"name": f"at most {MAX_NAME} characters"}, record=name[:40])
    query = query_string(args)
    view = session.scalar(
        sa.select(SavedView).where(SavedView.user_id == user_id, SavedView.name == name)
    )
    before = None if view is None else {"name": view.name, "query": view.query}
    if view is None:
        count = (
            session.scalar(
                sa.select(sa.func.count(SavedView.id)).where(SavedView.user_id == user_id)
            )
            or 0
        )
        if count >= MAX_VIEWS:
            raise ValidationError(
                {"name": f"you have {MAX_VIEWS} saved views; delete one first"}, record=name
            )
        view = SavedView(user_id=user_id, name=name, query=query)
        session.add(view)
    view.query = query
    session.flush()
    after = {"name": name, "query": query}
    if before != after:
        record_change(
            session,
            actor,
            "create" if before is None else "update",
            "saved_view",
            _key(email, name),
            before=before,
            after=after,
        )
    return view


def delete(session: Session, *, user_id: int, email: str, view_id: int, actor: str) -> str:
    """Delete one of the user's views (another user's is not found); return its name."""
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != user_id:
        raise ValidationError({"view": "no such saved view of yours"}, record=str(view_id))
    name = view.name
    record_change(
        session,
        actor,
        "delete",
        "saved_view",
        _key(email, name),
        before={"name": name, "query": view.query},
    )
    session.delete(view)
    session.flush()
    return name


def args_of(view: SavedView) -> dict[str, str]:
    """Return a saved view's filters as query arguments."""
    return dict(parse_qsl(view.query))
