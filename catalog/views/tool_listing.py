"""What the tool list shows at /tools, shared by the tools pages and the list's exports."""

from __future__ import annotations

import math
import typing as t
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask import request
from flask_login import current_user

from catalog.auth import can
from catalog.extensions import db
from catalog.models import Person
from catalog.models import Tool
from catalog.services import bulk
from catalog.services import review
from catalog.services import saved_views
from catalog.services import tool_list
from catalog.services.tool_list import SEVERITY_COLUMNS
from catalog.services.tool_query import filter_query
from catalog.views.common import Page


def today() -> date:
    return date.today()


def governance() -> dict[str, tool_list.Governance]:
    """Return every tool's governance figures (shadow, risk, open findings) as of today."""
    sla = review.sla_days(db.session, int(current_app.config["REVIEW_SLA_DAYS"]))
    return tool_list.governance(db.session, today(), sla_days=sla)


def listing(args: t.Mapping[str, str]) -> tool_list.Listing:
    """Return what decides the list's rows for the query string `args`."""
    base = filter_query(sa.select(Tool.id, Tool.slug), args)
    return tool_list.Listing(base, args, tool_list.parse_filters(args), governance(), today())


def list_ids(
    args: t.Mapping[str, str],
) -> tuple[list[int], t.Mapping[str, tool_list.Governance], tool_list.ListFilters]:
    """Return the ids of every tool the list's filters in `args` keep, in the list's order."""
    shown = listing(args)
    return tool_list.list_ids(db.session, shown), shown.gov, shown.filters


def user_id() -> int | None:
    """Return the signed-in user's id (None when anonymous)."""
    user = current_user if current_user and current_user.is_authenticated else None
    return getattr(user, "id", None)


def list_context(args: t.Mapping[str, str]) -> dict[str, t.Any]:
    """Return what the list page shows: one page of tools with their governance figures."""
    shown = listing(args)
    filters, gov = shown.filters, shown.gov
    size = int(current_app.config.get("PAGE_SIZE", 25))
    ids, total, number = tool_list.page_ids(
        db.session, shown, page=request.args.get("page", 1, type=int) or 1, size=size
    )
    items = tool_list.tools_by_ids(db.session, ids)
    uid = user_id()
    return {
        "page": Page(items, number, max(1, math.ceil(total / size)), total),
        "gov": gov,
        "no_gov": tool_list.NONE,
        "filter_errors": filters.errors,
        "people": db.session.execute(
            sa.select(Person.email, Person.name).order_by(Person.name, Person.email)
        ).all(),
        "saved": saved_views.views(db.session, uid) if uid is not None else None,
        "query": saved_views.query_string(args),
        "bulk_actions": bulk.ACTIONS if can(current_user, "tool.decide") else None,
        "severities": SEVERITY_COLUMNS,
    }
