"""The joint scorecard: the numbers the CMO and the CIO both watch, with their trend."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask.typing import ResponseReturnValue

from catalog.auth import require
from catalog.extensions import db
from catalog.models import ScorecardSnapshot
from catalog.services import review
from catalog.services import scorecard

bp = Blueprint("scorecard", __name__)

WINDOW_DAYS = 90


@bp.get("/scorecard")
def view() -> ResponseReturnValue:
    """Show today's scorecard figures, each with its 90-day trend.

    Viewing writes nothing: today's figures are computed live and drawn as the last point of
    the stored days. The daily row is recorded by `martech scorecard snapshot` (run from cron),
    so a viewer's page never waits for, nor takes, the write lock.
    """
    require("read")
    today = date.today()
    sla = review.sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
    metrics = scorecard.current_metrics(db.session, today, sla_days=sla)
    rows = [row for row in scorecard.history(db.session, today, WINDOW_DAYS) if row.day != today]
    rows.append(ScorecardSnapshot(day=today, metrics=metrics))  # transient, never added
    return render_template("scorecard/view.html", trends=scorecard.trends(rows, metrics),
                           today=today, days=len(rows), window=WINDOW_DAYS, sla=sla)
