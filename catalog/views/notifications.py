"""Notification preferences (each signed-in user) and the outbox (administrators)."""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import abort
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from catalog.auth import require
from catalog.extensions import db
from catalog.models import User
from catalog.services import notify
from catalog.services.notify_events import KINDS
from catalog.views.writes import commit_or_flash
from catalog.web import current_actor

bp = Blueprint("notifications", __name__)

STATUSES = ("pending", "failed", "sent")


def _signed_in_user() -> User:
    user = getattr(g, "user", None)
    if user is None:
        abort(404)  # anonymous visitors (or apps without sign-in) have no preferences
    return t.cast(User, user)


@bp.route("/account/notifications", methods=["GET", "POST"])
def preferences() -> ResponseReturnValue:
    """Choose which notices you receive by e-mail."""
    user = _signed_in_user()
    if request.method == "POST":
        kinds = request.form.getlist("kind")
        commit_or_flash(
            lambda: notify.set_preferences(db.session, user, kinds, actor=current_actor()),
            "Your notification choices are saved.",
        )
        return redirect(url_for("notifications.preferences"))
    return render_template(
        "notifications/preferences.html", kinds=KINDS, chosen=notify.preferences(db.session, user)
    )


@bp.get("/admin/notifications")
def outbox() -> ResponseReturnValue:
    """Administrators see what was sent, what waits for a retry and what failed, and why."""
    require("settings.edit")
    status = request.args.get("status", "")
    if status not in STATUSES:
        status = ""
    return render_template(
        "notifications/outbox.html",
        notices=notify.outbox(db.session, status),
        counts=notify.counts(db.session),
        status=status,
        statuses=STATUSES,
        kinds=KINDS,
    )


@bp.post("/admin/notifications/<int:notice_id>/retry")
def retry(notice_id: int) -> ResponseReturnValue:
    require("settings.edit")
    commit_or_flash(
        lambda: notify.retry(db.session, notice_id, actor=current_actor()),
        "The notice is queued again; the next `martech notify` run sends it.",
    )
    return redirect(url_for("notifications.outbox", status="failed"))
