"""Dependency pages: which tool needs which, and the forms to register and edit a dependency."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import aliased
from sqlalchemy.orm import selectinload

from catalog.auth import require_write
from catalog.extensions import db
from catalog.forms import ConfirmForm
from catalog.forms import DependencyForm
from catalog.models import Dependency
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
from catalog.views.common import conflict_for
from catalog.views.common import paginate
from catalog.web import current_actor

bp = Blueprint("dependencies", __name__, url_prefix="/dependencies")


def _dep_or_404(id: int) -> Dependency:
    dep = db.session.get(Dependency, id)
    if dep is None:
        abort(404)
    return dep


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


@bp.route("/new", methods=["GET", "POST"])
def create() -> ResponseReturnValue:
    """Register a dependency (prefilled from ?tool= or ?depends_on=)."""
    require_write("dependency")
    if request.method == "GET":
        prefill = {k: request.args[k] for k in ("tool", "depends_on") if request.args.get(k)}
        form = DependencyForm(data=prefill).setup(db.session)
        return render_template("dependencies/form.html", form=form, dep=None)
    form = DependencyForm().setup(db.session)
    if form.validate_on_submit():
        require_write("dependency", record=form.to_record())
        try:
            dep = entities.save_dependency(db.session, form.to_record(), actor=current_actor())
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            form.apply_errors(exc.errors)
        else:
            flash(f"Registered: {dep.tool.name} depends on {dep.depends_on.name}.", "success")
            return redirect(url_for("tools.detail", slug=dep.tool.slug))
    else:
        form.precheck()
    return render_template("dependencies/form.html", form=form, dep=None), 422


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
def edit(id: int) -> ResponseReturnValue:
    """Edit a dependency; a form opened before someone else's save is refused with 409."""
    dep = _dep_or_404(id)
    require_write("dependency", dep)
    if request.method == "GET":
        data = records.dependency_record(dep) | {"version": str(dep.version)}
        form = DependencyForm(data=data).setup(db.session)
        return render_template("dependencies/form.html", form=form, dep=dep)
    form = DependencyForm().setup(db.session)
    if not form.validate_on_submit():
        form.precheck()
        return render_template("dependencies/form.html", form=form, dep=dep), 422
    record = form.to_record()
    require_write("dependency", dep, record)
    try:
        entities.save_dependency(
            db.session,
            record,
            actor=current_actor(),
            dependency=dep,
            expected_version=form.expected_version() or -1,
        )
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        form.apply_errors(exc.errors)
        return render_template("dependencies/form.html", form=form, dep=dep), 422
    except ConflictError:
        db.session.rollback()
        return _conflict("dependencies/form.html", id, form, record)
    flash(f"Saved: {dep.tool.name} depends on {dep.depends_on.name}.", "success")
    return redirect(url_for("dependencies.index"))


def _conflict(template: str, id: int, form: t.Any, mine: dict | None) -> ResponseReturnValue:
    dep = db.session.get(Dependency, id, populate_existing=True)
    if dep is None:
        flash("Someone deleted this dependency while you had it open; nothing was saved.", "error")
        return redirect(url_for("dependencies.index"))
    current = records.dependency_record(dep)
    conflict = conflict_for(db.session, "dependency", dep.key, current, mine, dep.version)
    form.set_version(dep.version)
    return render_template(template, form=form, dep=dep, conflict=conflict), 409


@bp.route("/<int:id>/delete", methods=["GET", "POST"])
def delete(id: int) -> ResponseReturnValue:
    """Confirm (GET) and delete (POST) a dependency."""
    dep = _dep_or_404(id)
    require_write("dependency", dep, delete=True)
    if request.method == "GET":
        form = ConfirmForm(data={"version": str(dep.version)})
        return render_template("dependencies/delete.html", form=form, dep=dep)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    label = f"{dep.tool.name} depends on {dep.depends_on.name}"
    try:
        entities.delete_dependency(
            db.session, dep, actor=current_actor(), expected_version=form.expected_version() or -1
        )
        db.session.commit()
    except ConflictError:
        db.session.rollback()
        return _conflict("dependencies/delete.html", id, form, None)
    flash(f"Deleted the dependency: {label}.", "success")
    return redirect(url_for("dependencies.index"))
