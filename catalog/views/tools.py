"""Tool pages: the searchable list, the tool page, registration, edit and delete."""

from __future__ import annotations

import typing as t
from datetime import date

import sqlalchemy as sa
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from catalog.auth import can
from catalog.extensions import db
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
from catalog.services.tool_query import SORTS
from catalog.services.tools import TOOLS
from catalog.views.common import history
from catalog.views.common import page_of
from catalog.views.generic import Messages
from catalog.views.generic import RegisterPages
from catalog.views.generic import add_register_pages
from catalog.views.tool_listing import list_context
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
    return data


def _setup(form: ToolForm, tool: Tool | None) -> ToolForm:
    """Offer the people and categories; only IT decides; a tool's slug never changes."""
    form.setup(db.session, editing=tool is not None, decide=_decides(tool))
    if tool is not None:
        form.slug.data = tool.slug
    return form


@bp.get("")
def index() -> ResponseReturnValue:
    """List tools with search, filters, sorting and pagination."""
    return render_template(
        "tools/index.html", sorts=SORTS, args=request.args, **list_context(request.args)
    )


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


def _estate(reason: str | None) -> str:
    """Return the actor, registering pre-existing estate when IT gives a reason for it."""
    actor = current_actor()
    if reason and reason.strip() and isinstance(actor, policy.Actor):
        return actor.registering_estate(reason)
    return actor


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


PAGES = RegisterPages(
    register=TOOLS,
    endpoint="tools",
    key=Tool.slug,
    form=ToolForm,
    setup=_setup,
    form_data=form_data,
    to_record=lambda form, editing: form.to_record(editing=editing),
    create_actor=lambda: _estate(request.form.get("estate_reason")),
    delete_context=_delete_context,
    label=lambda tool: tool.name,
    messages=Messages(
        "Registered {label}.", "Saved {label}.", "Deleted {label} with its flows and dependencies."
    ),
    after_create=lambda tool: url_for("tools.detail", slug=tool.slug),
    after_save=lambda tool: url_for("tools.detail", slug=tool.slug),
)
add_register_pages(bp, PAGES)
