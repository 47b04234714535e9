"""The tool list's work: governance columns, exports, saved views, bulk actions, suggestions."""

from __future__ import annotations

import csv
import io
import typing as t

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import jsonify
from flask import redirect
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from catalog import taxonomy
from catalog.auth import require
from catalog.auth import require_write
from catalog.extensions import db
from catalog.models import Tool
from catalog.services import bulk
from catalog.services import saved_views
from catalog.services import tool_list
from catalog.services import tool_search
from catalog.services.csv_cells import defuse_cell
from catalog.services.records import ValidationError
from catalog.services.tool_list import SEVERITY_COLUMNS
from catalog.views.tool_listing import list_ids
from catalog.views.tool_listing import today
from catalog.views.tool_listing import user_id
from catalog.web import current_actor

bp = Blueprint("tool_list", __name__)

EXPORT_HEADER = (
    "slug",
    "name",
    "vendor",
    "category",
    "lifecycle",
    "business_owner",
    "technical_owner",
    "data_classes",
    "annual_cost",
    "currency",
    "renewal_date",
    "shadow",
    "risk_score",
    *(f"open_{sev}" for sev in SEVERITY_COLUMNS),
)
SUGGEST_MAX = 25


# Exports ----------------------------------------------------------------------------------------


def _rows() -> t.Iterator[tuple[t.Any, ...]]:
    ids, gov, _ = list_ids(request.args)
    for row in tool_list.export_rows(db.session, ids):
        g = gov.get(row[0], tool_list.NONE)
        category = taxonomy.CATEGORIES.get(row[3] or "")
        yield (
            *row[:3],
            category.name if category else (row[3] or ""),
            *row[4:],
            "yes" if g.shadow else "no",
            g.risk,
            *(g.findings.get(sev, 0) for sev in SEVERITY_COLUMNS),
        )


@bp.get("/tool-list/export.csv")
def export_csv() -> ResponseReturnValue:
    """The filtered list (same query arguments as /tools, every page) as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for row in _rows():
        writer.writerow([defuse_cell("" if cell is None else cell) for cell in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=tools-{today().isoformat()}.csv"},
    )


@bp.get("/tool-list/export.xlsx")
def export_xlsx() -> ResponseReturnValue:
    """The filtered list as an Excel workbook: text cells are text, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Tools")
    sheet.append(list(EXPORT_HEADER))

    def cell(value: t.Any) -> t.Any:
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters are not valid XML
        if not (value.startswith("=") or value in ERROR_CODES):
            return value
        # openpyxl would store these as a formula or an error value; store them as text.
        out = WriteOnlyCell(sheet, value=None)
        out._value, out.data_type = value, "s"
        return out

    for row in _rows():
        sheet.append([cell(value) for value in row])
    data = io.BytesIO()
    book.save(data)
    return Response(
        data.getvalue(),
        headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f"attachment; filename=tools-{today().isoformat()}.xlsx",
        },
    )


# Saved views ------------------------------------------------------------------------------------


def _back(query: str = "") -> ResponseReturnValue:
    return redirect(url_for("tools.index") + (f"?{query}" if query else ""))


def _owner() -> dict[str, t.Any]:
    """Return who owns the saved views being changed: the signed-in user (403 if anonymous)."""
    require("read")
    uid = user_id()
    if uid is None:
        abort(403)
    return {"user_id": uid, "email": current_user.email, "actor": current_actor()}


@bp.post("/tool-list/views")
def save_view() -> ResponseReturnValue:
    """Save the filters of the list (sent as hidden fields) under a name, for this user."""
    owner = _owner()
    try:
        view = saved_views.save(
            db.session, name=request.form.get("name", ""), args=request.form, **owner
        )
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        flash(f"View not saved: {'; '.join(exc.errors.values())}.", "error")
        return _back(saved_views.query_string(request.form))
    flash(f"Saved the view “{view.name}”.", "success")
    return _back(view.query)


@bp.post("/tool-list/views/<int:view_id>/delete")
def delete_view(view_id: int) -> ResponseReturnValue:
    """Delete one of the user's saved views (the list and its tools stay as they are)."""
    owner = _owner()
    try:
        name = saved_views.delete(db.session, view_id=view_id, **owner)
        db.session.commit()
    except ValidationError:
        db.session.rollback()
        abort(404)
    flash(f"Deleted the view “{name}”.", "success")
    return _back()


# Bulk actions -----------------------------------------------------------------------------------


@bp.post("/tool-list/bulk")
def bulk_action() -> ResponseReturnValue:
    """Apply one action to the selected tools, all or nothing, one change record per tool."""
    require("tool.decide")
    form = request.form
    slugs = form.getlist("tools")
    versions: dict[str, int | None] = {}
    for slug in slugs:
        text = form.get(f"version-{slug}", "")
        versions[slug] = int(text) if text.isdigit() else None

    def authorise(tool: Tool, record: dict[str, t.Any]) -> None:
        try:
            require_write("tool", tool, record)
        except Forbidden as exc:
            raise bulk.BulkError(
                tool.name, "permission", exc.description or "not allowed"
            ) from None

    back = saved_views.query_string(form)
    try:
        done = bulk.apply(
            db.session,
            form.get("action", ""),
            slugs,
            versions,
            form,
            actor=current_actor(),
            today=today(),
            authorise=authorise,
        )
        db.session.commit()
    except bulk.BulkError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(back), 303
    label = bulk.ACTIONS[form["action"]]
    flash(
        f"{label.capitalize()}: done for {len(done)} tool{'s' if len(done) != 1 else ''} "
        f"({', '.join(t.name for t in done[:10])}{', …' if len(done) > 10 else ''}).",
        "success",
    )
    return _back(back), 303


# Suggestions for tool pickers -------------------------------------------------------------------


@bp.get("/api/v1/tools/suggest")
def suggest() -> ResponseReturnValue:
    """Return [{slug, name}] of the tools best matching `q` (typos forgiven), for pickers."""
    require("read")
    q = (request.args.get("q") or "").strip()[:200]
    limit = request.args.get("limit", 10, type=int) or 10
    limit = min(max(limit, 1), SUGGEST_MAX)
    return jsonify(tool_search.suggest(db.session, q, limit) if q else [])
