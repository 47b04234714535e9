"""The rogue-tool audit report: the printable page, its CSV and JSON downloads, and the API."""

from __future__ import annotations

import typing as t
from datetime import date

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from catalog.extensions import csrf
from catalog.extensions import db
from catalog.services import audit as audit_service
from catalog.services import records
from catalog.services import review_checklist
from catalog.services.audit_page import audit_page
from catalog.services.tool_search import resolve_tool_args

bp = Blueprint("audit", __name__)


class BadDate(ValueError):
    """The as_of query parameter is not a calendar date."""


def _as_of() -> date:
    raw = request.args.get("as_of", "").strip()
    if not raw:
        return date.today()
    try:
        return records.parse_date(raw)
    except ValueError as exc:
        raise BadDate(f"as_of: {exc}; use YYYY-MM-DD, e.g. 2026-11-22.") from None


def _page_url(param: str, number: int) -> str:
    """This page's URL with one of its lists turned to another page."""
    args = request.args.to_dict() | {param: str(number)}
    return url_for("audit.report", **args)


def _number(name: str) -> int:
    """A page number from the query string; anything else is the first page."""
    raw = request.args.get(name, "1").strip()
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


def _sla() -> int:
    from catalog.services.review import sla_days  # the administrator's runtime setting

    return sla_days(db.session, int(current_app.config.get("REVIEW_SLA_DAYS", 10)))


def _download_name(as_of: date, ext: str) -> str:
    return f'attachment; filename="martech-audit-{as_of.isoformat()}.{ext}"'


@bp.route("/audit")
def report() -> ResponseReturnValue:
    """Show the audit report as of a date, with findings filtered by rule and by tool."""
    try:
        as_of = _as_of()
    except BadDate as exc:
        return render_template("error.html", code=400, message=str(exc)), 400
    page = audit_page(
        db.session,
        as_of,
        sla_days=_sla(),
        rule=request.args.get("rule", "").strip(),
        # the tool picker sends a slug, or a typed exact name without its script
        tool=resolve_tool_args(db.session, request.args, ("tool",)).get("tool", "").strip(),
        severity=request.args.get("severity", "").strip(),
        page=_number("page"),
        shadow_page=_number("shadow_page"),
        silo_page=_number("silo_page"),
    )
    role = _actor_role()[1]
    from catalog.services.history import is_past

    return render_template(
        "audit/report.html",
        as_of=as_of,
        sla_days=_sla(),
        can_manage_findings=role in ("it", "admin", "marketing"),
        overrides=review_checklist.override_reasons(db.session),
        rebuilt=is_past(as_of),
        page_url=_page_url,
        **page,
    )


@bp.route("/audit.json")
def json_download() -> ResponseReturnValue:
    """Download the audit as the audit JSON document (docs/formats.md#audit-json)."""
    return _audit_json(download=True)


@bp.route("/audit.csv")
def csv_download() -> ResponseReturnValue:
    """Download the findings as CSV (one row per finding, formulas defused)."""
    try:
        as_of = _as_of()
    except BadDate as exc:
        return Response(str(exc) + "\n", status=400, mimetype="text/plain")
    body = audit_service.render_csv(audit_service.audit_report(db.session, as_of, sla_days=_sla()))
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": _download_name(as_of, "csv")}
    )


@bp.route("/api/v1/audit")
def api() -> ResponseReturnValue:
    """Return the audit as JSON (docs/formats.md#audit-json)."""
    return _audit_json(download=False)


def _audit_json(*, download: bool) -> ResponseReturnValue:
    """The audit JSON document as of `?as_of=` (a 400 naming a bad date); `download` names it."""
    try:
        as_of = _as_of()
    except BadDate as exc:
        return jsonify(error=str(exc)), 400
    response = jsonify(audit_service.audit_report(db.session, as_of, sla_days=_sla()))
    if download:
        response.headers["Content-Disposition"] = _download_name(as_of, "json")
    return response


# Findings with a life: accept a risk, assign, link a ticket, reopen (rules in services.findings).


def _actor_role() -> tuple[str, str]:
    from flask import g

    from catalog.auth import auth_enabled
    from catalog.web import current_actor

    user = getattr(g, "user", None)
    if user is not None:
        return str(user.email), str(user.role)
    # Without sign-in (a team's test app) everyone acts as an administrator, as elsewhere.
    return current_actor(), "admin" if not auth_enabled() else "viewer"


def _act(values: t.Mapping[str, t.Any]) -> tuple[int, str]:
    """Apply a finding action; return (status, message). Commits on success."""
    from catalog.auth import require
    from catalog.services import findings
    from catalog.services.records import ValidationError

    require("read")  # signed in at least; the service decides the rest
    actor, role = _actor_role()
    subject = values.get("subject") or {}
    if not isinstance(subject, t.Mapping):
        return 400, "subject: must be an object with type and key"
    try:
        findings.act(
            db.session,
            str(values.get("action", "")),
            str(values.get("rule", "")),
            str(subject.get("type", "")),
            str(subject.get("key", "")),
            values,
            actor=actor,
            role=role,
            today=date.today(),
        )
    except findings.NotAllowed as exc:
        db.session.rollback()
        return 403, str(exc)
    except ValidationError as exc:
        db.session.rollback()
        return 400, str(exc)
    db.session.commit()
    return 200, "saved"


@bp.post("/audit/findings")
def finding_action() -> ResponseReturnValue:
    """The forms on the audit page: one action on one finding, then back to where it was."""
    from flask import flash
    from flask import redirect

    form = request.form
    values = dict(form) | {
        "subject": {"type": form.get("subject_type", ""), "key": form.get("subject_key", "")}
    }
    status, message = _act(values)
    flash("Saved." if status == 200 else message, "success" if status == 200 else "error")
    back = form.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("audit.report")
    return redirect(back)


@bp.post("/api/v1/findings")
def finding_api() -> ResponseReturnValue:
    """Accept, assign, link a ticket to, or reopen one finding (JSON body; see docs)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="the body must be a JSON object"), 400
    status, message = _act(body)
    if status != 200:
        return jsonify(error=message), status
    return jsonify(status="saved"), 200


# Like the rest of /api/v1: a JSON body, which a cross-site form cannot send, instead of a token.
csrf.exempt(finding_api)


def _date_arg(name: str, default: date) -> date:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return records.parse_date(raw)
    except ValueError as exc:
        raise BadDate(f"{name}: {exc}; use YYYY-MM-DD, e.g. 2026-11-22.") from None


@bp.route("/audit/compare")
def compare_page() -> ResponseReturnValue:
    """Compare the audits of two days: what appeared, what went away, spend then and now."""
    from datetime import timedelta

    from catalog.analysis.compare import compare

    today = date.today()
    try:
        start = _date_arg("from", today - timedelta(days=90))
        end = _date_arg("to", today)
    except BadDate as exc:
        return render_template("error.html", code=400, message=str(exc)), 400
    if start > end:
        start, end = end, start
    sla = _sla()
    before = audit_service.audit_report(db.session, start, sla_days=sla)
    after = audit_service.audit_report(db.session, end, sla_days=sla)
    names = {
        tool.slug: tool.name or tool.slug
        for day in (start, end)
        for tool in audit_service.snapshot_and_report(db.session, day, sla_days=sla)[0].tools
    }
    return render_template(
        "audit/compare.html", diff=compare(before, after), start=start, end=end, names=names
    )
