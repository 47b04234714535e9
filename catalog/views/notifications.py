"""Notification preferences (each signed-in user) and the outbox (administrators)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from catalog.auth import require
from catalog.extensions import db
from catalog.services import notify
from catalog.services.notify_events import KINDS
from catalog.services.records import ValidationError
from catalog.web import current_actor

bp = Blueprint("notifications", __name__)

STATUSES = ("pending", "failed", "sent")


def _signed_in_user() -> object:
    user = getattr(g, "user", None)
    if user is None:
        abort(404)  # anonymous visitors (or apps without sign-in) have no preferences
    return user


@bp.route("/account/notifications", methods=["GET", "POST"])
def preferences() -> ResponseReturnValue:
    """Choose which notices you receive by e-mail."""
    user = _signed_in_user()
    if request.method == "POST":
        try:
            notify.set_preferences(
                db.session,
                user,
                request.form.getlist("kind"),  # type: ignore[arg-type]
                actor=current_actor(),
            )
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Your notification choices are saved.", "success")
        return redirect(url_for("notifications.preferences"))
    return render_template(
        "notifications/preferences.html", kinds=KINDS, chosen=notify.preferences(db.session, user)
    )  # type: ignore[arg-type]


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
    try:
        notify.retry(db.session, notice_id, actor=current_actor())
    except ValidationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("The notice is queued again; the next `martech notify` run sends it.", "success")
    return redirect(url_for("notifications.outbox", status="failed"))
