"""Dependency pages: which tool needs which, and the forms to register and edit a dependency."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from catalog.extensions import db
from catalog.forms import DependencyForm
from catalog.models import Dependency
from catalog.services.relations import DEPENDENCIES
from catalog.views.common import paginate
from catalog.views.generic import Messages
from catalog.views.generic import RegisterPages
from catalog.views.generic import add_register_pages
from catalog.views.generic import between_tools

bp = Blueprint("dependencies", __name__, url_prefix="/dependencies")


@bp.get("")
def index() -> ResponseReturnValue:
    """List dependencies; filter by tool and kind."""
    page = paginate(
        db.session,
        between_tools((Dependency.tool, Dependency.depends_on), equals={"kind": Dependency.kind}),
    )
    return render_template("dependencies/index.html", page=page, args=request.args, register=PAGES)


PAGES = RegisterPages(
    endpoint="dependencies",
    register=DEPENDENCIES,
    form=DependencyForm,
    prefill=("tool", "depends_on"),
    setup=lambda form, dependency: form.setup(db.session),
    key=Dependency.id,
    label=lambda dep: f"{dep.tool.name} depends on {dep.depends_on.name}",
    messages=Messages(
        "Registered: {label}.", "Saved: {label}.", "Deleted the dependency: {label}."
    ),
    after_create=lambda dep: url_for("tools.detail", slug=dep.tool.slug),
)
add_register_pages(bp, PAGES)
