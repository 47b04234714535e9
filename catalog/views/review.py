"""The review queue: marketing requests tools, IT reviews them, both owners sign off."""

from __future__ import annotations

import typing as t
from datetime import date

import sqlalchemy as sa
from flask import Blueprint
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from catalog import taxonomy
from catalog.auth import require
from catalog.extensions import db
from catalog.forms import choices
from catalog.models import Person
from catalog.models import Tool
from catalog.services import entities
from catalog.services import proposals
from catalog.services import request_match
from catalog.services import review
from catalog.services import review_checklist
from catalog.services import tool_search
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
from catalog.views.common import page_of
from catalog.views.review_forms import DecisionForm
from catalog.views.review_forms import RequestForm
from catalog.views.review_forms import SlaForm
from catalog.web import current_actor

bp = Blueprint("review", __name__, url_prefix="/review")


def _today() -> date:
    return date.today()


def _sla() -> int:
    return review.sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])


def _fill_choices(form: RequestForm) -> None:
    people = db.session.scalars(
        sa.select(Person)
        .where(Person.active.is_(True))
        .order_by(sa.case((Person.department == "it", 0), else_=1), Person.name)
    ).all()
    form.technical_owner.choices = choices(
        [("", "— choose —")]
        + [(p.email, f"{p.name or p.email} ({p.department or 'no department'})") for p in people]
    )


def _sources(values: t.Iterable[str]) -> list[str]:
    """Return the slugs of the tools typed or picked (empty pickers left out)."""
    typed = [value.strip() for value in values if value and value.strip()]
    return [tool_search.resolve(db.session, value) or value for value in typed]


def _ensure_requester_person(email: str) -> None:
    # A marketer asking for a tool becomes its business owner even if nobody registered them
    # as a person yet; the person is created (and recorded) with the request.
    user = current_user if current_user.is_authenticated else None
    if user is None or email.lower() != user.email or entities.person_by_email(db.session, email):
        return
    department = "it" if user.role == "it" else "marketing"
    entities.save_person(
        db.session,
        {"email": email, "name": user.name, "department": department},
        actor=current_actor(),
    )


def _tool_or_404(slug: str) -> Tool:
    return db.one_or_abort(sa.select(Tool).where(Tool.slug == slug))


@bp.get("")
def queue() -> ResponseReturnValue:
    """Show the open requests, oldest first, with the SLA clock."""
    require("read")
    sla = _sla()
    queue_all = review.queue(db.session, _today(), sla)
    # A page of the queue (oldest first); its owners loaded in one query, not two per row.
    page = page_of(queue_all)
    owners = {i.tool.business_owner_id for i in page.items} | {
        i.tool.technical_owner_id for i in page.items
    }
    # Held until the page is rendered: the session's identity map only keeps what is referenced.
    people = list(db.session.scalars(sa.select(Person).where(Person.id.in_(owners - {None}))))
    form = SlaForm(sla_days=sla)
    return render_template(
        "review/queue.html",
        items=page.items,
        page=page,
        sla=sla,
        overdue=sum(1 for i in queue_all if i.overdue),
        sla_form=form,
        decided=review.recent_decisions(db.session),
        today=_today(),
        people=people,
        proposals=proposals.open_proposals(db.session),
        decision_form=DecisionForm(),
    )


@bp.get("/request/matches")
def request_matches() -> ResponseReturnValue:
    """Return the catalog tools a typed request name may stand for, with what to do (JSON)."""
    require("review.request")
    found = request_match.matches(
        db.session, request.args.get("name", ""), website=request.args.get("website", "")
    )
    return jsonify({"matches": request_match.to_json(found)})


@bp.route("/request", methods=["GET", "POST"])
def request_tool() -> ResponseReturnValue:
    """Ask IT to review a new tool."""
    require("review.request")
    form = RequestForm()
    _fill_choices(form)
    if not form.is_submitted() and current_user.is_authenticated:
        form.business_owner.data = current_user.email
    if form.validate_on_submit():
        raw = {name: (getattr(form, name).data or "").strip() for name in review.REQUEST_FIELDS}
        try:
            if raw["business_owner"]:
                _ensure_requester_person(raw["business_owner"])
            tool = review.request_tool(
                db.session,
                raw,
                sources=_sources(form.sources.data or []),
                data_classes=form.data_classes.data or [],
                mechanism=form.mechanism.data or "api",
                actor=current_actor(),
                today=_today(),
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            _fill_choices(form)
            form.apply_errors(exc.errors)
            return render_template(
                "review/request.html", form=form, taxonomy_groups=taxonomy.grouped_choices()
            ), 400
        # A new tool is at its first version; a reopened one has its earlier review behind it.
        again = " again: its review is reopened" if tool.version > 1 else ""
        flash(f"Requested {tool.name}{again}. IT will review it within {_sla()} days.", "success")
        return redirect(url_for("review.detail", slug=tool.slug))
    return render_template(
        "review/request.html", form=form, taxonomy_groups=taxonomy.grouped_choices()
    )


@bp.get("/<slug>")
def detail(slug: str) -> ResponseReturnValue:
    """Show one request: its owners, sign-offs, decision and review history."""
    require("read")
    return _detail(_tool_or_404(slug))


def _detail(tool: Tool, errors: dict[str, str] | None = None) -> str:
    item = next((i for i in review.queue(db.session, _today(), _sla()) if i.tool is tool), None)
    is_open = tool.lifecycle in review.OPEN
    return render_template(
        "review/detail.html",
        tool=tool,
        item=item,
        signoffs=review.signoffs(db.session, tool),
        controls=review_checklist.controls(db.session, tool) if is_open else [],
        requested=review_checklist.requested_flows(db.session, tool) if is_open else [],
        left=review_checklist.left_unmanaged(db.session, tool) if is_open else {},
        preview=review_checklist.preview(db.session, tool, _today(), sla_days=_sla())
        if is_open
        else None,
        override=review_checklist.override_reasons(db.session, [tool.slug]).get(tool.slug),
        history=review.history(db.session, tool),
        flows=entities.tool_flows(db.session, tool),
        form=DecisionForm(version=str(tool.version)),
        sides=review.SIDES,
        errors=errors or {},
    )


def _act(
    slug: str, action: t.Callable[[Tool, DecisionForm], t.Any], done: str
) -> ResponseReturnValue:
    tool = _tool_or_404(slug)
    form = DecisionForm()
    if not form.validate_on_submit():
        return redirect(url_for("review.detail", slug=slug))
    try:
        action(tool, form)
        db.session.commit()
    except ConflictError:
        db.session.rollback()
        errors = {
            "version": f"{tool.name} changed while you were looking at it; "
            "check it again before deciding."
        }
        return _detail(_tool_or_404(slug), errors=errors), 409
    except ValidationError as exc:
        db.session.rollback()
        # A refused decision goes back to the review page (never leaves the browser on a POST).
        for message in exc.errors.values():
            flash(f"Not done: {message}", "error")
        return redirect(url_for("review.detail", slug=slug))
    flash(done.format(name=tool.name), "success")
    return redirect(url_for("review.detail", slug=slug))


def _when(form: DecisionForm) -> dict[str, t.Any]:
    """Who decides, on which day, on which version of the tool (what every decision passes)."""
    return {
        "actor": current_actor(),
        "today": _today(),
        "expected_version": form.expected_version(),
    }


@bp.post("/<slug>/start")
def start(slug: str) -> ResponseReturnValue:
    """Put a request in review."""
    require("review.manage")
    return _act(
        slug,
        lambda tool, form: review.start_review(db.session, tool, **_when(form)),
        "{name} is now in review.",
    )


@bp.post("/<slug>/signoff/<side>")
def signoff(slug: str, side: str) -> ResponseReturnValue:
    """Sign off a request as its business or technical owner."""
    require("review.signoff")  # which side this user may sign is the service's rule
    return _act(
        slug,
        lambda tool, form: review.sign_off(
            db.session, tool, side, actor=current_actor(), note=form.note.data or ""
        ),
        f"Recorded the {side} sign-off on {{name}}.",
    )


@bp.post("/<slug>/sanction")
def sanction(slug: str) -> ResponseReturnValue:
    """Sanction a request that both owners signed off."""
    require("review.manage")
    return _act(
        slug,
        lambda tool, form: review.sanction(
            db.session, tool, **_when(form), override=form.override.data or "", sla_days=_sla()
        ),
        "{name} is sanctioned.",
    )


@bp.post("/<slug>/control/<name>")
def control(slug: str, name: str) -> ResponseReturnValue:
    """Tick or untick one control of the review checklist."""
    require("review.manage")
    return _act(
        slug,
        lambda tool, form: review_checklist.set_control(
            db.session,
            tool,
            name,
            form.value.data == "1",
            actor=current_actor(),
            expected_version=None
            if name == review_checklist.VENDOR_SSO
            else form.expected_version(),
        ),
        "Checklist of {name} updated.",
    )


@bp.post("/<slug>/flows/<int:flow_id>")
def decide_flow(slug: str, flow_id: int) -> ResponseReturnValue:
    """Take a requested flow over, leave it unmanaged with a reason, or drop it."""
    require("review.manage")
    from catalog.models import DataFlow

    flow = db.one_or_abort(sa.select(DataFlow).where(DataFlow.id == flow_id))
    return _act(
        slug,
        lambda tool, form: review_checklist.decide_flow(
            db.session,
            tool,
            flow,
            form.choice.data or "",
            actor=current_actor(),
            reason=form.reason.data or "",
        ),
        "Flow decided for {name}.",
    )


@bp.post("/<slug>/reject")
def reject(slug: str) -> ResponseReturnValue:
    """Reject a request, with a reason."""
    require("review.manage")
    return _act(
        slug,
        lambda tool, form: review.reject(db.session, tool, form.reason.data or "", **_when(form)),
        "{name} is rejected.",
    )


@bp.post("/proposals/<int:id>/<any(accept, decline):decision>")
def decide_proposal(id: int, decision: str) -> ResponseReturnValue:
    """Accept (apply as IT's change) or decline a marketer's proposal."""
    require("review.manage")
    from catalog.models import Proposal

    proposal = db.one_or_abort(sa.select(Proposal).where(Proposal.id == id))
    form, done = DecisionForm(), {"accept": "accepted", "decline": "declined"}[decision]
    if form.validate_on_submit():
        try:
            getattr(proposals, decision)(
                db.session, proposal, actor=current_actor(), note=form.note.data or ""
            )
            db.session.commit()
            flash(f"Proposal {id} {done}.", "success")
        except ValidationError as exc:
            db.session.rollback()
            flash(f"Proposal {id} not {done}: {exc}", "error")
        except ConflictError:
            db.session.rollback()
            flash(f"Proposal {id} not {done}: the record changed meanwhile.", "error")
    return redirect(url_for("review.queue"))


@bp.post("/sla")
def set_sla() -> ResponseReturnValue:
    """Change the review SLA (administrators)."""
    require("settings.edit")
    form = SlaForm()
    if form.validate_on_submit():
        try:
            days = review.set_sla_days(
                db.session,
                form.sla_days.raw_data[0] if form.sla_days.raw_data else "",
                actor=current_actor(),
            )
            db.session.commit()
            flash(f"The review SLA is now {days} days.", "success")
        except ValidationError as exc:
            db.session.rollback()
            flash(f"SLA not changed: {exc.errors['sla_days']}", "error")
    else:
        flash("SLA not changed: give a whole number of days.", "error")
    return redirect(url_for("review.queue"))
