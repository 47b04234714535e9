"""The front door."""

from __future__ import annotations

from flask import Blueprint
from flask import redirect
from flask import url_for
from flask.typing import ResponseReturnValue

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Send visitors to the tool list, the catalog's front page."""
    return redirect(url_for("tools.index"))
