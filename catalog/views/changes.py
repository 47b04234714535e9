"""The change log: every change record, filtered, paginated and exported as CSV.

Everyone who may read the catalog may read its change log, except the records of sign-in
accounts (type `user`), which only administrators see, as only they see the accounts.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from catalog.auth import can
from catalog.auth import require
from catalog.extensions import db
from catalog.services import changes
from catalog.services.records import ValidationError
from catalog.views.common import history_entry
from catalog.views.common import paginate

bp = Blueprint("changes", __name__)

ADMIN_ONLY_TYPES = ("user",)


def _hidden() -> tuple[str, ...]:
    return () if can(current_user, "account.manage") else ADMIN_ONLY_TYPES


def _filters() -> tuple[changes.Filters, str | None]:
    try:
        return changes.parse_filters(request.args), None
    except ValidationError as exc:
        return changes.Filters(), "; ".join(exc.errors.values())


@bp.get("/changes")
def index() -> ResponseReturnValue:
    """List change records, newest first, with filters and pages."""
    require("read")
    filters, error = _filters()
    hidden = _hidden()
    page = paginate(db.session, changes.query(filters, hidden_types=hidden))
    fate = None
    if filters.type and filters.key:
        fate = changes.fate(db.session, filters.type, filters.key)
    context: dict[str, t.Any] = {
        "page": page,
        "entries": [history_entry(rec) for rec in page.items],
        "filters": filters,
        "error": error,
        "fate": fate,
        "args": request.args,
        "options": changes.choices(db.session, hidden_types=hidden),
    }
    return render_template("changes/index.html", **context), 400 if error else 200


@bp.get("/changes.csv")
def export_csv() -> ResponseReturnValue:
    """Every change record matching the filters, as CSV (formulas defused)."""
    require("read")
    filters, error = _filters()
    if error:
        return Response(f"Nothing exported. {error}\n", status=400, mimetype="text/plain")
    rows = db.session.scalars(changes.query(filters, hidden_types=_hidden())).all()
    return Response(
        "".join(changes.csv_lines(rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=changes.csv"},
    )
