"""Tool pages: the searchable list, the tool page, registration, edit and delete."""

from __future__ import annotations

import typing as t
from datetime import date

import sqlalchemy as sa
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from catalog.auth import can
from catalog.auth import require_write
from catalog.extensions import db
from catalog.forms import ConfirmForm
from catalog.forms import ToolForm
from catalog.models import ReviewSignoff
from catalog.models import Tool
from catalog.services import audit
from catalog.services import changes
from catalog.services import entities
from catalog.services import policy
from catalog.services import records
from catalog.services import review
from catalog.services import review_checklist
from catalog.services import triage
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
from catalog.services.tool_query import SORTS
from catalog.views.common import conflict_for
from catalog.views.common import history
from catalog.views.common import page_of
from catalog.web import current_actor

bp = Blueprint("tools", __name__, url_prefix="/tools")

# A tool page shows the first CAP items of each long list (blast radius, reach, flows,
# dependencies, sightings, history) with the count and a link to the whole list, paged.
CAP = 20
LISTS = {
    "blast": "Blast radius",
    "reach": "Personal-data reach",
    "flows-out": "Data flows out",
    "flows-in": "Data flows in",
    "depends-on": "Depends on",
    "dependents": "Depended on by",
    "sightings": "Sightings",
    "history": "Change history",
}


def _tool_or_404(slug: str) -> Tool:
    tool = entities.tool_by_slug(db.session, slug)
    if tool is None:
        abort(404)
    return tool


def _decides(tool: Tool | None) -> bool:
    return can(current_user, "tool.decide", tool)


def form_data(tool: Tool) -> dict[str, t.Any]:
    """Return a tool's values as form data (native dates and amounts, owners by e-mail)."""
    data = records.tool_record(tool)
    for name in ("annual_cost", "renewal_date", "requested_at", "decided_at", "retired_at"):
        data[name] = getattr(tool, name)
    return data | {"version": str(tool.version)}


@bp.get("")
def index() -> ResponseReturnValue:
    """List tools with search, filters, sorting and pagination."""
    from catalog.views import tool_list

    return render_template(
        "tools/index.html", sorts=SORTS, args=request.args, **tool_list.list_context(request.args)
    )


@bp.route("/new", methods=["GET", "POST"])
def create() -> ResponseReturnValue:
    """Register a tool."""
    require_write("tool")
    form = ToolForm().setup(db.session, editing=False, decide=_decides(None))
    status = 200
    if form.validate_on_submit():
        require_write("tool", record=form.to_record(editing=False))
        try:
            tool = entities.save_tool(
                db.session,
                form.to_record(editing=False),
                actor=_estate(request.form.get("estate_reason")),
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            form.apply_errors(exc.errors)
        else:
            flash(f"Registered {tool.name}.", "success")
            return redirect(url_for("tools.detail", slug=tool.slug))
    elif form.is_submitted():
        form.precheck()
    if form.is_submitted():
        status = 422
    return render_template("tools/form.html", form=form, tool=None), status


@bp.get("/<slug>")
def detail(slug: str) -> ResponseReturnValue:
    """Show a tool: owners, data, flows, dependencies, sightings and history."""
    tool = entities.tool_by_slug(db.session, slug)
    if tool is None:
        return _gone(slug)
    return render_template(
        "tools/detail.html",
        tool=tool,
        cap=CAP,
        **_lists(tool),
        ignored=triage.active_ignore(db.session, tool),
        sanction_override=review_checklist.override_reasons(db.session, [tool.slug]).get(tool.slug),
        governance=_governance(tool),
    )


def _governance(tool: Tool) -> dict[str, t.Any]:
    return audit.tool_governance(
        db.session,
        tool.slug,
        date.today(),
        # the administrator's runtime setting, as on /audit, /review and in the CLI
        sla_days=review.sla_days(db.session, int(current_app.config["REVIEW_SLA_DAYS"])),
    )


def _lists(tool: Tool) -> dict[str, list[t.Any]]:
    flows = entities.tool_flows(db.session, tool)
    deps = entities.tool_dependencies(db.session, tool)
    return {
        "flows_out": [f for f in flows if f.source_id == tool.id],
        "flows_in": [f for f in flows if f.target_id == tool.id],
        "depends_on": [d for d in deps if d.tool_id == tool.id],
        "dependents": [d for d in deps if d.depends_on_id == tool.id],
        # (source, name) is unique: the same order on every request, so pages never overlap.
        "sightings": sorted(
            entities.tool_sightings(db.session, tool), key=lambda s: (s.source, s.observed_name)
        ),
        "history": history(db.session, "tool", tool.slug),
    }


@bp.get("/<slug>/list/<kind>")
def full_list(slug: str, kind: str) -> ResponseReturnValue:
    """One of a tool page's long lists in full, a page at a time."""
    if kind not in LISTS:
        abort(404)
    tool = _tool_or_404(slug)
    if kind in ("blast", "reach"):
        governance = _governance(tool)
        items = (
            governance["blast_radius"]["tools"]
            if kind == "blast"
            else governance["personal_data_reach"]
        )
    else:
        items = _lists(tool)[kind.replace("-", "_")]
    return render_template(
        "tools/list.html", tool=tool, kind=kind, title=LISTS[kind], page=page_of(items)
    )


def _gone(slug: str) -> ResponseReturnValue:
    """A deleted or merged tool: say so, and keep its history readable (410 Gone)."""
    fate = changes.fate(db.session, "tool", slug)
    if fate is None:
        abort(404)
    entries = history(db.session, "tool", slug)
    names = [
        (e.record.before or {}).get("name") or (e.record.after or {}).get("name") for e in entries
    ]
    name = next((n for n in names if n), slug)
    return render_template("tools/gone.html", slug=slug, name=name, fate=fate, history=entries), 410


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> ResponseReturnValue:
    """Edit a tool; a form opened before someone else's save is refused with 409."""
    tool = _tool_or_404(slug)
    require_write("tool", tool)
    if request.method == "GET":
        form = ToolForm(data=form_data(tool)).setup(db.session, editing=True, decide=_decides(tool))
        return render_template("tools/form.html", form=form, tool=tool)
    form = ToolForm().setup(db.session, editing=True, decide=_decides(tool))
    form.slug.data = tool.slug
    if not form.validate_on_submit():
        form.precheck()
        return render_template("tools/form.html", form=form, tool=tool), 422
    record = form.to_record(editing=True)
    require_write("tool", tool, record)
    try:
        entities.save_tool(
            db.session,
            record,
            actor=current_actor(),
            tool=tool,
            expected_version=form.expected_version() or -1,
        )
        flash_proposals(policy.take_queued(db.session))
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        form.apply_errors(exc.errors)
        return render_template("tools/form.html", form=form, tool=tool), 422
    except ConflictError:
        db.session.rollback()
        return _conflict("tools/form.html", slug, form, record)
    flash(f"Saved {tool.name}.", "success")
    return redirect(url_for("tools.detail", slug=tool.slug))


def _estate(reason: str | None) -> str:
    """Return the actor, registering pre-existing estate when IT gives a reason for it."""
    actor = current_actor()
    if reason and reason.strip() and isinstance(actor, policy.Actor):
        return actor.registering_estate(reason)
    return actor


def flash_proposals(queued: list[t.Any]) -> None:
    """Tell a marketer which part of their change waits for IT (a proposal in /review)."""
    for proposal in queued:
        what = (
            ", ".join(n.replace("_", " ") for n in proposal.changes)
            if proposal.action == "update"
            else "deleting it"
        )
        flash(
            f"{what.capitalize()} on {proposal.object_key} is IT's decision: proposal "
            f"{proposal.id} waits for IT in the review queue.",
            "info",
        )


def _conflict(template: str, slug: str, form: t.Any, mine: dict | None) -> ResponseReturnValue:
    """Re-render with the newer values and version, keeping the user's input (409)."""
    tool = entities.tool_by_slug(db.session, slug)
    if tool is None:
        flash("Someone deleted this tool while you had it open; nothing was saved.", "error")
        return redirect(url_for("tools.index"))
    current = records.tool_record(tool)
    conflict = conflict_for(db.session, "tool", slug, current, mine, tool.version)
    form.set_version(tool.version)
    return render_template(
        template,
        form=form,
        tool=tool,
        conflict=conflict,
        **(_delete_context(tool) if mine is None else {}),
    ), 409


def _delete_context(tool: Tool) -> dict[str, t.Any]:
    deps = entities.tool_dependencies(db.session, tool)
    return {
        "flows": entities.tool_flows(db.session, tool),
        "dependencies": deps,
        "sightings": entities.tool_sightings(db.session, tool),
        "aliases": entities.tool_aliases(db.session, tool),
        "signoffs": list(
            db.session.scalars(
                sa.select(ReviewSignoff)
                .where(ReviewSignoff.tool_id == tool.id)
                .order_by(ReviewSignoff.round, ReviewSignoff.side)
            )
        ),
    }


@bp.route("/<slug>/delete", methods=["GET", "POST"])
def delete(slug: str) -> ResponseReturnValue:
    """Confirm (GET) and delete (POST) a tool with its flows and dependencies."""
    tool = _tool_or_404(slug)
    require_write("tool", tool, delete=True)
    if request.method == "GET":
        form = ConfirmForm(data={"version": str(tool.version)})
        return render_template("tools/delete.html", form=form, tool=tool, **_delete_context(tool))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    name = tool.name
    try:
        entities.delete_tool(
            db.session, tool, actor=current_actor(), expected_version=form.expected_version() or -1
        )
        db.session.commit()
    except ConflictError:
        db.session.rollback()
        return _conflict("tools/delete.html", slug, form, None)
    flash(f"Deleted {name} with its flows and dependencies.", "success")
    return redirect(url_for("tools.index"))
