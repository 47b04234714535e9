"""The tool list's query: the catalog filters, the sort orders and the fuzzy search, as SQL.

Shared by the tool list page and the API's `/api/v1/tools` (both read the same filter arguments),
so it lives below both in the service layer rather than in one of the views.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased
from sqlalchemy.orm import selectinload

from catalog import taxonomy
from catalog import vocab
from catalog.models import Person
from catalog.models import Tool
from catalog.services import tool_search

__all__ = ["SORTS", "filter_query", "filtered_tools"]

SORTS: dict[str, tuple[str, t.Any]] = {
    "name": ("Name", (sa.func.lower(Tool.name),)),
    "lifecycle": ("Lifecycle", (Tool.lifecycle, sa.func.lower(Tool.name))),
    "category": ("Category", (Tool.category.is_(None), Tool.category, sa.func.lower(Tool.name))),
    "cost": (
        "Annual cost (highest first)",
        (Tool.annual_cost.is_(None), Tool.annual_cost.desc(), sa.func.lower(Tool.name)),
    ),
    "updated": ("Recently updated", (Tool.updated_at.desc(), Tool.id.desc())),
    "renewal": (
        "Renewal (soonest first)",
        (Tool.renewal_date.is_(None), Tool.renewal_date, sa.func.lower(Tool.name)),
    ),
    # Ordered by the audit's figures after the database filters (catalog.services.tool_list).
    "risk": ("Risk score (highest first)", (sa.func.lower(Tool.name),)),
    "findings": ("Open findings (most severe first)", (sa.func.lower(Tool.name),)),
}


def filtered_tools(session: Session, args: t.Mapping[str, str]) -> sa.Select[tuple[Tool]]:
    """Build the list query from the filters in `args` (the search through the fuzzy index)."""
    query = filter_query(
        sa.select(Tool).options(
            selectinload(Tool.business_owner), selectinload(Tool.technical_owner)
        ),
        args,
    )
    q = (args.get("q") or "").strip()
    if q:
        ids = [tool_id for tool_id, _ in tool_search.search(session, q)]
        query = query.where(Tool.id.in_(ids))
    return query


def filter_query(query: sa.Select[t.Any], args: t.Mapping[str, str]) -> sa.Select[t.Any]:
    """Add the catalog filters in `args` (all evaluated by the database) and the order."""
    group = args.get("group")
    if group:
        keys = [c.key for c in taxonomy.CATEGORIES.values() if c.group_key == group]
        query = query.where(Tool.category.in_(keys))
    if args.get("category"):
        query = query.where(Tool.category == args["category"])
    if args.get("lifecycle"):
        query = query.where(Tool.lifecycle == args["lifecycle"])
    owner = (args.get("owner") or "").strip().lower()
    if owner:
        business, technical = aliased(Person), aliased(Person)
        query = (
            query.outerjoin(business, Tool.business_owner_id == business.id)
            .outerjoin(technical, Tool.technical_owner_id == technical.id)
            .where(sa.or_(business.email == owner, technical.email == owner))
        )
    data_class = args.get("data_class")
    if data_class in vocab.DATA_CLASSES:
        # data_classes is a JSON list of closed-vocabulary keys, so its text contains '"key"'
        # exactly when the list does; this one test works alike on SQLite and PostgreSQL.
        query = query.where(sa.cast(Tool.data_classes, sa.Text).like(f'%"{data_class}"%'))
    if args.get("missing_owner"):
        query = query.where(
            sa.or_(Tool.business_owner_id.is_(None), Tool.technical_owner_id.is_(None))
        )
    order = SORTS.get(args.get("sort") or "name", SORTS["name"])[1]
    return query.order_by(*order)
