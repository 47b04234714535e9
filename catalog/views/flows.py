"""Data flow pages: the list of who feeds whom, and the forms to register and edit a flow."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import aliased
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.forms import FlowForm
from catalog.models import DataFlow
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.views.common import paginate
from catalog.views.generic import Messages
from catalog.views.generic import RegisterPages
from catalog.views.generic import add_register_pages

bp = Blueprint("flows", __name__, url_prefix="/flows")


@bp.get("")
def index() -> ResponseReturnValue:
    """List data flows; filter by tool and by managed or not."""
    source, target = aliased(Tool), aliased(Tool)
    query = (
        sa.select(DataFlow)
        .join(source, DataFlow.source_id == source.id)
        .join(target, DataFlow.target_id == target.id)
        .options(selectinload(DataFlow.source), selectinload(DataFlow.target))
        .order_by(sa.func.lower(source.name), sa.func.lower(target.name), DataFlow.mechanism)
    )
    tool = request.args.get("tool")
    if tool:
        query = query.where(sa.or_(source.slug == tool, target.slug == tool))
    if request.args.get("unmanaged"):
        query = query.where(DataFlow.managed_by_it.is_(False))
    if request.args.get("mechanism"):
        query = query.where(DataFlow.mechanism == request.args["mechanism"])
    return render_template("flows/index.html", page=paginate(db.session, query), args=request.args)


PAGES = RegisterPages(
    kind="flow",
    endpoint="flows",
    key=DataFlow.id,
    form=FlowForm,
    setup=lambda form, flow: form.setup(db.session),
    prefill=("source", "target"),  # the tool page's "add a flow" links
    save=entities.save_flow,
    delete=entities.delete_flow,
    as_record=records.flow_record,
    change_key=entities.flow_key,
    label=lambda flow: f"{flow.source.name} → {flow.target.name}",
    messages=Messages(
        "Registered the flow {label}.", "Saved the flow {label}.", "Deleted the flow {label}."
    ),
    after_create=lambda flow: url_for("tools.detail", slug=flow.source.slug),
)
add_register_pages(bp, PAGES)
