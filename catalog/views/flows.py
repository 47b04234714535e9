"""Data flow pages: the list of who feeds whom, and the forms to register and edit a flow."""

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
from catalog.forms import FlowForm
from catalog.models import DataFlow
from catalog.models import Tool
from catalog.services import entities
from catalog.services import policy
from catalog.services import records
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
from catalog.views.common import conflict_for
from catalog.views.common import paginate
from catalog.views.tools import flash_proposals
from catalog.web import current_actor

bp = Blueprint("flows", __name__, url_prefix="/flows")


def _flow_or_404(id: int) -> DataFlow:
    flow = db.session.get(DataFlow, id)
    if flow is None:
        abort(404)
    return flow


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


@bp.route("/new", methods=["GET", "POST"])
def create() -> ResponseReturnValue:
    """Register a data flow (prefilled from ?source= or ?target=)."""
    require_write("flow")
    if request.method == "GET":
        prefill = {k: request.args[k] for k in ("source", "target") if request.args.get(k)}
        form = FlowForm(data=prefill).setup(db.session)
        return render_template("flows/form.html", form=form, flow=None)
    form = FlowForm().setup(db.session)
    if form.validate_on_submit():
        require_write("flow", record=form.to_record())
        try:
            flow = entities.save_flow(db.session, form.to_record(), actor=current_actor())
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            form.apply_errors(exc.errors)
        else:
            flash(f"Registered the flow {flow.source.name} → {flow.target.name}.", "success")
            return redirect(url_for("tools.detail", slug=flow.source.slug))
    else:
        form.precheck()
    return render_template("flows/form.html", form=form, flow=None), 422


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
def edit(id: int) -> ResponseReturnValue:
    """Edit a data flow; a form opened before someone else's save is refused with 409."""
    flow = _flow_or_404(id)
    require_write("flow", flow)
    if request.method == "GET":
        data = records.flow_record(flow) | {"version": str(flow.version)}
        return render_template(
            "flows/form.html", form=FlowForm(data=data).setup(db.session), flow=flow
        )
    form = FlowForm().setup(db.session)
    if not form.validate_on_submit():
        form.precheck()
        return render_template("flows/form.html", form=form, flow=flow), 422
    record = form.to_record()
    require_write("flow", flow, record)
    try:
        entities.save_flow(
            db.session,
            record,
            actor=current_actor(),
            flow=flow,
            expected_version=form.expected_version() or -1,
        )
        flash_proposals(policy.take_queued(db.session))
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        form.apply_errors(exc.errors)
        return render_template("flows/form.html", form=form, flow=flow), 422
    except ConflictError:
        db.session.rollback()
        return _conflict("flows/form.html", id, form, record)
    flash(f"Saved the flow {flow.source.name} → {flow.target.name}.", "success")
    return redirect(url_for("flows.index"))


def _conflict(template: str, id: int, form: t.Any, mine: dict | None) -> ResponseReturnValue:
    flow = db.session.get(DataFlow, id, populate_existing=True)
    if flow is None:
        flash("Someone deleted this flow while you had it open; nothing was saved.", "error")
        return redirect(url_for("flows.index"))
    current = records.flow_record(flow)
    conflict = conflict_for(
        db.session, "flow", entities.flow_key(flow), current, mine, flow.version
    )
    form.set_version(flow.version)
    return render_template(template, form=form, flow=flow, conflict=conflict), 409


@bp.route("/<int:id>/delete", methods=["GET", "POST"])
def delete(id: int) -> ResponseReturnValue:
    """Confirm (GET) and delete (POST) a data flow."""
    flow = _flow_or_404(id)
    require_write("flow", flow, delete=True)
    if request.method == "GET":
        form = ConfirmForm(data={"version": str(flow.version)})
        return render_template("flows/delete.html", form=form, flow=flow)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    label = f"{flow.source.name} → {flow.target.name}"
    try:
        entities.delete_flow(
            db.session, flow, actor=current_actor(), expected_version=form.expected_version() or -1
        )
        queued = policy.take_queued(db.session)
        flash_proposals(queued)
        db.session.commit()
    except ConflictError:
        db.session.rollback()
        return _conflict("flows/delete.html", id, form, None)
    if not queued:
        flash(f"Deleted the flow {label}.", "success")
    return redirect(url_for("flows.index"))
