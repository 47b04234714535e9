"""Dependency pages: which tool needs which, and the forms to register and edit a dependency."""

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
from catalog.forms import DependencyForm
from catalog.models import Dependency
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.views.common import paginate
from catalog.views.generic import Messages
from catalog.views.generic import RegisterPages
from catalog.views.generic import add_register_pages

bp = Blueprint("dependencies", __name__, url_prefix="/dependencies")


@bp.get("")
def index() -> ResponseReturnValue:
    """List dependencies; filter by tool."""
    tool, on = aliased(Tool), aliased(Tool)
    query = (
        sa.select(Dependency)
        .join(tool, Dependency.tool_id == tool.id)
        .join(on, Dependency.depends_on_id == on.id)
        .options(selectinload(Dependency.tool), selectinload(Dependency.depends_on))
        .order_by(sa.func.lower(tool.name), sa.func.lower(on.name))
    )
    slug = request.args.get("tool")
    if slug:
        query = query.where(sa.or_(tool.slug == slug, on.slug == slug))
    if request.args.get("kind"):
        query = query.where(Dependency.kind == request.args["kind"])
    return render_template(
        "dependencies/index.html", page=paginate(db.session, query), args=request.args
    )


PAGES = RegisterPages(
    endpoint="dependencies",
    kind="dependency",
    form=DependencyForm,
    prefill=("tool", "depends_on"),
    setup=lambda form, dependency: form.setup(db.session),
    key=Dependency.id,
    label=lambda dep: f"{dep.tool.name} depends on {dep.depends_on.name}",
    change_key=lambda dep: dep.key,
    as_record=records.dependency_record,
    save=entities.save_dependency,
    delete=entities.delete_dependency,
    messages=Messages(
        "Registered: {label}.", "Saved: {label}.", "Deleted the dependency: {label}."
    ),
    after_create=lambda dep: url_for("tools.detail", slug=dep.tool.slug),
)
add_register_pages(bp, PAGES)
