"""Discovery triage beyond discovered tools: unclassified spend, platform apps, import runs.

Routes on the `imports` blueprint (registered when `catalog.views.imports` loads this module).
Decisions follow the triage inbox's rule: IT and administrators decide (`import.run`); only an
administrator extends the platform apps list (`settings.edit`).
"""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from catalog.auth import require
from catalog.discovery_models import ImportRun
from catalog.discovery_models import PlatformAppEntry
from catalog.extensions import db
from catalog.services import discovery
from catalog.services import import_runs
from catalog.services import platform_apps
from catalog.services import spend_triage
from catalog.services.discovery_summary import stale_line
from catalog.views.imports import bp
from catalog.views.writes import commit_or_back
from catalog.web import current_actor


@bp.route("/imports/spend")
def spend() -> ResponseReturnValue:
    """List unclassified spend grouped by merchant, and the decisions taken so far."""
    require("read")
    waiting, decided = spend_triage.groups(db.session)
    return render_template(
        "imports/spend.html", waiting=waiting, decided=decided, labels=spend_triage.DECISIONS
    )


@bp.post("/imports/spend/decide")
def spend_decide() -> ResponseReturnValue:
    """Call a merchant software (discover it from its lines) or not software (skip it)."""
    require("import.run")
    key = request.form.get("merchant", "")[:500]
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "")[:2000]
    summary = commit_or_back(
        lambda: spend_triage.decide(
            db.session, key, decision, actor=current_actor(), reason=reason
        ),
        url_for("imports.spend"),
    )
    if summary is None:
        flash("Not software: later imports skip this merchant's lines. Undo below.", "success")
        return redirect(url_for("imports.spend"))
    flash("Software: " + discovery.format_summary(summary).replace("\n", " "), "success")
    return redirect(url_for("imports.triage_inbox" if summary["new_tools"] else "imports.spend"))


@bp.post("/imports/spend/undo")
def spend_undo() -> ResponseReturnValue:
    """Forget a merchant decision; its lines wait in the list again."""
    require("import.run")
    key = request.form.get("merchant", "")[:500]
    item = commit_or_back(
        lambda: spend_triage.undo(db.session, key, actor=current_actor()), url_for("imports.spend")
    )
    flash(f"Decision on {item.merchant} undone; its lines wait for a decision again.", "success")
    return redirect(url_for("imports.spend"))


@bp.post("/imports/platform-apps")
def platform_app_add() -> ResponseReturnValue:
    """Declare an app a platform's own: later imports attach it to the platform or skip it."""
    require("settings.edit")
    form, back = request.form, url_for("imports.index") + "#platform-apps"

    def add() -> str:
        entry = platform_apps.add(
            db.session,
            platform=form.get("platform", ""),
            name=form.get("name", "")[:500],
            app_id=form.get("app_id", "")[:500],
            actor=current_actor(),
        )
        platform = platform_apps.PLATFORM_LABELS[entry.platform]
        return f"{entry.label or entry.app_id} is now a {platform} app."

    flash(commit_or_back(add, back), "success")
    return redirect(back)


@bp.post("/imports/platform-apps/<int:entry_id>/delete")
def platform_app_delete(entry_id: int) -> ResponseReturnValue:
    """Take an app off the platform apps list (recorded; add it again to undo)."""
    require("settings.edit")
    entry = db.get_or_abort(PlatformAppEntry, entry_id)
    message = f"{entry.label or entry.app_id} is no longer listed as a platform app."
    platform_apps.remove(db.session, entry, actor=current_actor())
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("imports.index") + "#platform-apps")


@bp.route("/imports/runs/<int:run_id>")
def run_detail(run_id: int) -> ResponseReturnValue:
    """Show one import run: its counts by outcome and reason, and the changes it made."""
    require("read")
    run = db.get_or_abort(ImportRun, run_id)
    changes, pages = import_runs.changes(db.session, run, request.args.get("page", 1, type=int))
    counts = run.counts or {}
    return render_template(
        "imports/run.html",
        run=run,
        counts=counts,
        summary=discovery.format_summary(counts) if counts.get("files") else "",
        stale=stale_line(counts.get("stale")),
        changes=changes,
        page=min(max(request.args.get("page", 1, type=int), 1), pages),
        pages=pages,
    )
