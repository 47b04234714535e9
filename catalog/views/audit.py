"""The rogue-tool audit report: the printable page, its CSV and JSON downloads, and the API."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask.typing import ResponseReturnValue

from catalog.extensions import db
from catalog.services import audit as audit_service
from catalog.services import records

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
    page = audit_service.audit_page(
        db.session, as_of, sla_days=_sla(),
        rule=request.args.get("rule", "").strip(), tool=request.args.get("tool", "").strip(),
    )
    return render_template("audit/report.html", as_of=as_of, sla_days=_sla(), **page)


@bp.route("/audit.json")
def json_download() -> ResponseReturnValue:
    """Download the audit as the SPEC 5.3 JSON document."""
    try:
        as_of = _as_of()
    except BadDate as exc:
        return jsonify(error=str(exc)), 400
    response = jsonify(audit_service.audit_report(db.session, as_of, sla_days=_sla()))
    response.headers["Content-Disposition"] = _download_name(as_of, "json")
    return response


@bp.route("/audit.csv")
def csv_download() -> ResponseReturnValue:
    """Download the findings as CSV (one row per finding, formulas defused)."""
    try:
        as_of = _as_of()
    except BadDate as exc:
        return Response(str(exc) + "\n", status=400, mimetype="text/plain")
    body = audit_service.render_csv(audit_service.audit_report(db.session, as_of,
                                                               sla_days=_sla()))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": _download_name(as_of, "csv")})


@bp.route("/api/v1/audit")
def api() -> ResponseReturnValue:
    """Return the audit as JSON (SPEC 5.3)."""
    try:
        as_of = _as_of()
    except BadDate as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(audit_service.audit_report(db.session, as_of, sla_days=_sla()))
