"""The joint scorecard: the numbers the CMO and the CIO both watch, with their trend."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask.typing import ResponseReturnValue

from catalog.auth import require
from catalog.extensions import db
from catalog.extensions import write_intent
from catalog.services import review
from catalog.services import scorecard

bp = Blueprint("scorecard", __name__)

WINDOW_DAYS = 90


@bp.get("/scorecard")
def view() -> ResponseReturnValue:
    """Show today's scorecard figures, each with its 90-day trend."""
    require("read")
    today = date.today()
    sla = review.sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
    metrics = scorecard.current_metrics(db.session, today, sla_days=sla)
    # End the read transaction, then write today's row in one that takes SQLite's write lock
    # up front (a read that turns into a write fails at once under a concurrent writer).
    db.session.rollback()
    with write_intent():
        scorecard.record_day(db.session, today, metrics)
        db.session.commit()
    rows = scorecard.history(db.session, today, WINDOW_DAYS)
    return render_template("scorecard/view.html", trends=scorecard.trends(rows, metrics),
                           today=today, days=len(rows), window=WINDOW_DAYS, sla=sla)
