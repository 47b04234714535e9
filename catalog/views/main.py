"""The front door: what waits on the signed-in person, and the headline numbers."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import current_app
from flask import g
from flask import render_template
from flask.typing import ResponseReturnValue

from catalog.auth import auth_enabled
from catalog.auth import require
from catalog.extensions import db
from catalog.services import home
from catalog.services import review

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Show each person what waits on them: sign-offs, requests, findings, the IT queue."""
    require("read")
    user = getattr(g, "user", None)
    email = str(user.email) if user is not None else None
    # Without sign-in (a team's test app) the page shows what IT sees.
    role = str(user.role) if user is not None else ("admin" if not auth_enabled() else "viewer")
    sla = review.sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
    page = home.build(db.session, date.today(), email=email, role=role, sla=sla)
    name = (user.name or user.email) if user is not None else ""
    return render_template("home.html", home=page, user_name=name)
