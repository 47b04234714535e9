"""Request plumbing shared by every page: write intent, the actor, errors, template helpers."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import Flask
from flask import g
from flask import render_template
from flask import request

from catalog import taxonomy
from catalog import vocab
from catalog.extensions import set_write_intent
from catalog.services.policy import Actor
from catalog.services.policy import GovernanceError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_actor() -> str:
    """Return who is making this change: the signed-in user with their role (an `Actor`).

    With sign-in switched off (development), a plain "anonymous@..." string, which the services
    treat as the system actor.
    """
    user = getattr(g, "user", None)
    if user is not None:
        return Actor(str(user.email), user.role)
    return f"anonymous@{request.remote_addr or 'local'}"


def init_app(app: Flask) -> None:
    """Install request hooks, error pages and template globals."""

    @app.before_request
    def _write_intent() -> None:
        if request.method not in SAFE_METHODS:
            g._write_token = set_write_intent(True)

    @app.teardown_request
    def _reset_write_intent(exc: BaseException | None) -> None:
        token = g.pop("_write_token", None)
        if token is not None:
            token.var.reset(token)

    @app.errorhandler(sa.exc.OperationalError)
    def _busy(exc: sa.exc.OperationalError) -> t.Any:
        # SQLite serialises writers; a lock held past the busy timeout is a retry, not a crash.
        message = str(exc.orig) if exc.orig is not None else str(exc)
        if "locked" in message or "busy" in message:
            body = render_template(
                "error.html", code=503, message="The catalog is busy; try again in a moment."
            )
            return body, 503, {"Retry-After": "2"}
        raise exc

    @app.errorhandler(GovernanceError)
    def _refused(exc: GovernanceError) -> t.Any:
        # The services refused a change by a governance rule: nothing is written, and pages and
        # the API give the same answer (403 with what to do instead).
        from catalog.extensions import db

        db.session.rollback()
        if request.path.startswith("/api/"):
            return {"error": exc.message, "record": exc.record, "field": exc.field}, 403
        return render_template("error.html", code=403, message=exc.message), 403

    @app.errorhandler(404)
    def _not_found(exc: Exception) -> t.Any:
        if request.path.startswith("/api/"):
            return {"error": "not found"}, 404
        return render_template("error.html", code=404, message="There is nothing here."), 404

    @app.errorhandler(500)
    def _server_error(exc: Exception) -> t.Any:
        if request.path.startswith("/api/"):
            return {"error": "internal error"}, 500
        return render_template(
            "error.html", code=500, message="Something went wrong on our side."
        ), 500

    @app.context_processor
    def _nav() -> dict[str, t.Any]:
        # Only link pages that exist, so the nav never leads to a 404 while features arrive.
        return {"nav_endpoints": set(app.view_functions)}

    app.jinja_env.globals.update(
        taxonomy=taxonomy,
        vocab=vocab,
        data_class_label=lambda key: vocab.DATA_CLASS_LABELS.get(key, key),
    )
