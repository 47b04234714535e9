"""Discovery imports on the web: upload, preview, commit or cancel; and the triage inbox."""

from __future__ import annotations

import json
import re
import secrets
import typing as t
from datetime import date
from pathlib import Path

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

import integrations
from catalog.auth import require
from catalog.extensions import db
from catalog.models import Tool
from catalog.services import discovery
from catalog.services import entities
from catalog.services import import_options
from catalog.services import import_runs
from catalog.services import platform_apps
from catalog.services import spend_triage
from catalog.services import tool_search
from catalog.services import triage
from catalog.services import triage_merge
from catalog.services.discovery_summary import stale_line
from catalog.services.records import ValidationError
from catalog.views.common import Page
from catalog.views.common import page_number
from catalog.views.common import paginate
from catalog.views.writes import commit_or_back
from catalog.web import current_actor

bp = Blueprint("imports", __name__)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _stash_dir() -> Path:
    # Uploads wait here between preview and commit (IMPORT_STASH_DIR overrides, e.g. in tests).
    path = Path(
        current_app.config.get("IMPORT_STASH_DIR") or Path(current_app.instance_path) / "imports"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stash(token: str) -> tuple[Path, dict[str, str]]:
    # The token names files on disk: only our own random tokens get that far.
    if not TOKEN_RE.match(token):
        abort(404)
    data, meta = _stash_dir() / f"{token}.upload", _stash_dir() / f"{token}.json"
    if not data.exists() or not meta.exists():
        abort(404)
    return data, json.loads(meta.read_text(encoding="utf-8"))


def _expire_stash() -> None:
    """Delete uploads previewed but never imported nor cancelled (UPLOAD_MAX_AGE_HOURS)."""
    import time

    hours = float(current_app.config.get("UPLOAD_MAX_AGE_HOURS", 24))
    cutoff = time.time() - hours * 3600
    for path in _stash_dir().iterdir():
        try:
            if path.suffix in (".upload", ".json") and path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass  # another request expired it first


def _drop(token: str) -> None:
    for suffix in (".upload", ".json"):
        (_stash_dir() / f"{token}{suffix}").unlink(missing_ok=True)


def _sources() -> list[tuple[str, str]]:
    return [("auto", "Detect from the file")] + [
        (name, cls.label) for name, cls in integrations.IMPORTERS.items()
    ]


@bp.route("/imports", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    """Upload an export to preview its import."""
    if request.method == "GET":
        require("read")
        runs, pages = import_runs.page(db.session, request.args.get("page", 1, type=int))
        return render_template(
            "imports/index.html",
            sources=_sources(),
            discovered=triage.inbox_count(db.session),
            unclassified=spend_triage.waiting_count(db.session),
            runs=runs,
            page=min(max(request.args.get("page", 1, type=int), 1), pages),
            pages=pages,
            platform_apps=platform_apps.listed(db.session),
            platforms=platform_apps.PLATFORM_LABELS,
        )
    require("import.run")
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return _too_large()
    source = request.form.get("source", "auto")
    if source not in dict(_sources()):
        flash("Choose a source from the list.", "error")
        return redirect(url_for("imports.index"))
    if upload is None or not upload.filename:
        flash("Choose a file to import.", "error")
        return redirect(url_for("imports.index"))
    purchases = request.form.get("purchases", "positive")
    try:
        if purchases not in import_options.PURCHASES:
            raise import_options.OptionError("purchases must be positive or negative")
        columns = import_options.parse_columns(request.form.get("columns", "")[:2000], purchases)
    except import_options.OptionError as exc:
        flash(f"Nothing imported. Column mapping: {exc}", "error")
        return redirect(url_for("imports.index"))
    _expire_stash()
    token = secrets.token_urlsafe(24)
    upload.save(_stash_dir() / f"{token}.upload")
    meta = {"source": source, "filename": Path(upload.filename).name[:200], "by": current_actor()}
    if columns:
        meta |= {"columns": columns, "purchases": purchases}
    (_stash_dir() / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return redirect(url_for("imports.preview", token=token))


def _too_large() -> ResponseReturnValue:
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{max(limit // 1024, 1)} KB"
    message = (
        f"The file is larger than the upload limit of {size}. "
        "Nothing was imported; split the export or use `martech import` on the server."
    )
    return render_template("error.html", code=413, message=message), 413


@bp.route("/imports/<token>")
def preview(token: str) -> ResponseReturnValue:
    """Show what importing the uploaded file would do, before anything is written."""
    require("import.run")
    path, meta = _stash(token)
    try:
        plan = _plan(path, meta)
        error = plan.failure()
    except discovery.ImportFailed as exc:
        plan, error = None, str(exc)
    finally:
        db.session.rollback()  # the preview reads only
    return render_template(
        "imports/preview.html",
        token=token,
        meta=meta,
        plan=plan,
        error=error,
        labels={n: c.label for n, c in integrations.IMPORTERS.items()},
        stale=stale_line(import_runs.stale_evidence(plan.newest_evidence(), date.today()))
        if plan
        else None,
    )


def _plan(path: Path, meta: dict[str, t.Any]) -> discovery.Plan:
    """Plan the import of an uploaded file, with the options given on upload (write nothing)."""
    options = (
        {"columns": meta["columns"], "purchases": meta.get("purchases", "positive")}
        if meta.get("columns")
        else {}
    )
    names = {str(path): meta["filename"]}
    return discovery.plan_import(
        db.session, meta["source"], [str(path)], names=names, options=options
    )


@bp.post("/imports/<token>/commit")
def commit(token: str) -> ResponseReturnValue:
    """Import the uploaded file (parsed again), with the suggestions the user confirmed."""
    require("import.run")
    path, meta = _stash(token)
    wanted = set(request.form.getlist("confirm"))
    try:
        # Confirmations name group keys; the tool each one goes to comes from a fresh plan, so a
        # forged form can only confirm what the preview offered.
        plan = _plan(path, meta)
        failure = plan.failure()
        if failure:
            raise discovery.ImportFailed(failure)
        confirm = {
            k: n.suggestion[0] for k, n in plan.new_tools.items() if k in wanted and n.suggestion
        }
        actor = current_actor()
        reason = (request.form.get("estate_reason") or "").strip()
        if reason and hasattr(actor, "registering_estate"):  # tools that start sanctioned
            actor = actor.registering_estate(reason)
        summary = import_runs.run_import(db.session, plan, actor=actor, via="web", confirm=confirm)
        db.session.commit()
    except discovery.ImportFailed as exc:
        db.session.rollback()
        import_runs.record_failure(
            db.session,
            actor=current_actor(),
            via="web",
            files=[meta["filename"]],
            sources=[meta["source"]],
            message=str(exc),
        )
        db.session.commit()
        flash(f"Nothing imported. {exc}", "error")
        return redirect(url_for("imports.preview", token=token))
    _drop(token)
    flash(
        f"Imported {meta['filename']}: " + discovery.format_summary(summary).replace("\n", " "),
        "success",
    )
    if summary["new_tools"]:
        return redirect(url_for("imports.triage_inbox"))
    return redirect(url_for("imports.index"))


@bp.post("/imports/<token>/cancel")
def cancel(token: str) -> ResponseReturnValue:
    """Throw the uploaded file away without importing it."""
    require("import.run")
    _stash(token)
    _drop(token)
    flash("Import cancelled; nothing was written.")
    return redirect(url_for("imports.index"))


@bp.route("/imports/triage")
def triage_inbox() -> ResponseReturnValue:
    """List discovered tools waiting for a decision, and the ignores and merges to undo."""
    require("read")
    # One page of discovered tools (newest evidence first), and one of the ignores.
    total = triage.inbox_count(db.session)
    number, pages, size = page_number(total)
    items = triage.inbox(db.session, offset=(number - 1) * size, limit=size)
    return render_template(
        "imports/triage.html",
        items=items,
        inbox_page=Page(items, number, pages, total, "page", size),
        needs_reason={i.tool.slug: triage.reason_needed(db.session, i.tool) for i in items},
        ignored=paginate(db.session, triage.ignored_query(), "ignored_page"),
        merges=triage_merge.merges(db.session),
    )


def _discovered(slug: str) -> Tool:
    tool = entities.tool_by_slug(db.session, slug)
    if tool is None:
        abort(404)
    return tool


@bp.get("/imports/triage/<slug>/merge")
def triage_merge_confirm(slug: str) -> ResponseReturnValue:
    """Show what merging a discovered tool into the chosen one moves, before anything moves."""
    require("import.run")
    tool = _discovered(slug)
    typed = request.args.get("into", "").strip()
    # A picker without its script sends what was typed: a slug or a tool's exact name.
    into = entities.tool_by_slug(db.session, tool_search.resolve(db.session, typed) or typed)
    try:
        if into is None:
            raise ValidationError(
                {
                    "into": f"no tool with the slug or name {typed!r}"
                    if typed
                    else "choose the tool to merge into"
                },
                record=slug,
            )
        plan = triage_merge.plan_merge(db.session, tool, into)
    except ValidationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("imports.triage_inbox"))
    return render_template("imports/merge_confirm.html", plan=plan)


@bp.post("/imports/triage/<slug>/<action>")
def triage_action(slug: str, action: str) -> ResponseReturnValue:
    """Register, merge (after its confirmation page) or ignore a discovered tool."""
    require("import.run")
    if action not in ("register", "merge", "ignore"):
        abort(404)
    tool = _discovered(slug)
    name = tool.name

    def act() -> str:
        if action == "register":
            triage.register(db.session, tool, actor=current_actor(), today=date.today())
            return f"{name} is now a request waiting for IT's review."
        if action == "merge":
            into = entities.tool_by_slug(db.session, request.form.get("into", ""))
            if into is None:
                raise ValidationError({"into": "choose the tool to merge into"}, record=slug)
            triage_merge.merge(db.session, tool, into, actor=current_actor())
            return (
                f"{name} merged into {into.name}; its names will match {into.name} from now on. "
                "Undo it under Recent merges below while nothing it moved has changed."
            )
        triage.ignore(
            db.session, tool, actor=current_actor(), reason=request.form.get("reason", "")
        )
        return (
            f"{name} is ignored; later imports will not raise it again. "
            "It keeps its flows, sightings and spend; Undo is in the Ignored list."
        )

    flash(commit_or_back(act, url_for("imports.triage_inbox")), "success")
    return redirect(url_for("imports.triage_inbox"))


@bp.post("/imports/triage/decisions/<int:decision_id>/undo")
def triage_undo(decision_id: int) -> ResponseReturnValue:
    """Undo an ignore or a merge decided in triage."""
    require("import.run")
    item = triage.decision(db.session, decision_id)
    if item is None:
        abort(404)

    def undo() -> str:
        assert item is not None
        if item.action == "ignore":
            triage.undo_ignore(db.session, item, actor=current_actor())
            return f"{item.tool_name} is back in triage; imports will raise its names again."
        triage_merge.undo_merge(db.session, item, actor=current_actor())
        return (
            f"The merge of {item.tool_name} into {item.into_slug} is undone; "
            f"{item.tool_name} is back in triage with what it had."
        )

    flash(commit_or_back(undo, url_for("imports.triage_inbox")), "success")
    return redirect(url_for("imports.triage_inbox"))


# Unclassified spend, platform apps and import runs: routes on this blueprint, in their own module.
from catalog.views import imports_triage as _imports_triage  # noqa: E402, F401
