"""Data flow pages: the list of who feeds whom, and the forms to register and edit a flow."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from catalog.extensions import db
from catalog.forms import FlowForm
from catalog.models import DataFlow
from catalog.services.relations import FLOWS
from catalog.views.common import paginate
from catalog.views.generic import Messages
from catalog.views.generic import RegisterPages
from catalog.views.generic import add_register_pages
from catalog.views.generic import between_tools

bp = Blueprint("flows", __name__, url_prefix="/flows")


@bp.get("")
def index() -> ResponseReturnValue:
    """List data flows; filter by tool, mechanism and by managed or not."""
    query = between_tools(
        (DataFlow.source, DataFlow.target),
        DataFlow.mechanism,
        equals={"mechanism": DataFlow.mechanism},
    )
    if request.args.get("unmanaged"):
        query = query.where(DataFlow.managed_by_it.is_(False))
    page = paginate(db.session, query)
    return render_template("flows/index.html", page=page, args=request.args, register=PAGES)


PAGES = RegisterPages(
    register=FLOWS,
    endpoint="flows",
    key=DataFlow.id,
    form=FlowForm,
    setup=lambda form, flow: form.setup(db.session),
    prefill=("source", "target"),  # the tool page's "add a flow" links
    label=lambda flow: f"{flow.source.name} → {flow.target.name}",
    messages=Messages(
        "Registered the flow {label}.", "Saved the flow {label}.", "Deleted the flow {label}."
    ),
    after_create=lambda flow: url_for("tools.detail", slug=flow.source.slug),
)
add_register_pages(bp, PAGES)
