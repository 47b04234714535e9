"""The joint scorecard: the numbers the CMO and the CIO both watch, with their trend."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from catalog.auth import can
from catalog.auth import require
from catalog.extensions import db
from catalog.services import review
from catalog.services import scorecard
from catalog.views.writes import commit_or_flash
from catalog.web import current_actor

bp = Blueprint("scorecard", __name__)

WINDOW_DAYS = 90


@bp.get("/scorecard")
def view() -> ResponseReturnValue:
    """Show today's figures, each with its 90-day trend rebuilt from the change log.

    Only reads: the trend comes from the catalog's history, so viewing writes nothing.
    """
    require("read")
    today = date.today()
    sla = review.sla_days(db.session, current_app.config["REVIEW_SLA_DAYS"])
    points = scorecard.series(db.session, today, sla_days=sla, window=WINDOW_DAYS)
    goals = scorecard.targets(db.session)
    from flask_login import current_user

    return render_template(
        "scorecard/view.html",
        trends=scorecard.trends(points, points[-1].metrics, targets=goals),
        today=today,
        days=len(points),
        window=WINDOW_DAYS,
        sla=sla,
        step=scorecard.TREND_STEP_DAYS,
        metrics=scorecard.METRICS,
        goals=goals,
        can_set=can(current_user, "settings.edit"),
    )


@bp.post("/scorecard/targets")
def set_targets() -> ResponseReturnValue:
    """Administrators record the targets marketing and IT agreed on."""
    require("settings.edit")
    raw = {key: request.form.get(key, "") for key, *_ in scorecard.METRICS}
    commit_or_flash(
        lambda: scorecard.set_targets(db.session, raw, actor=current_actor()), "Targets saved."
    )
    return redirect(url_for("scorecard.view"))
