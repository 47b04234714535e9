"""Request plumbing shared by every page: write intent, the actor, errors, template helpers."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import Flask
from flask import g
from flask import render_template
from flask import request
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from catalog import taxonomy
from catalog import vocab
from catalog.analysis import registry
from catalog.extensions import db
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


def answer(code: int, message: str, headers: dict[str, str] | None = None) -> t.Any:
    """Return an error answer: JSON on the API, the error page elsewhere."""
    if request.path.startswith("/api/"):
        return {"error": message}, code, headers or {}
    return render_template("error.html", code=code, message=message), code, headers or {}


def route_words(app: Flask) -> set[str]:
    """Return every fixed path segment of the app's URL map (`tools`, `new`, `request`...)."""
    words = set()
    for rule in app.url_map.iter_rules():
        for segment in rule.rule.split("/"):
            if segment and "<" not in segment:
                words.add(segment)
    return words


def init_app(app: Flask) -> None:
    """Install request hooks, error pages and template globals."""

    from catalog.services import entities

    # No tool may take a slug that a fixed route word already uses (`/review/request`).
    entities.reserve_route_words(route_words(app))

    from catalog.services import taxonomy as taxonomy_service

    @app.before_request
    def _sync_taxonomy() -> None:
        # Every page may validate or show categories, and another worker may have added one:
        # compare the stored taxonomy version on a connection of its own, so that the request's
        # session still opens its transaction after the write-intent hook (BEGIN IMMEDIATE on
        # SQLite). App-wide, so it lives here rather than in the admin blueprint.
        with db.engine.connect() as connection:
            taxonomy_service.sync(connection)

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
            # The error page reads (the signed-in user for the header): end the failed
            # transaction and read without asking for the write lock again, or the page waits
            # out a second busy timeout and fails in turn.
            db.session.rollback()
            set_write_intent(False)
            return answer(503, "The catalog is busy; try again in a moment.", {"Retry-After": "2"})
        raise exc

    @app.errorhandler(sa.exc.IntegrityError)
    @app.errorhandler(StaleDataError)
    @app.errorhandler(entities.ConflictError)
    def _clash(exc: Exception) -> t.Any:
        # Two requests created the same key at the same moment: the checks before the insert
        # both passed and the database's unique constraint settled it. Nothing was saved.
        db.session.rollback()
        return answer(
            409,
            "Someone saved the same record at the same moment, so this change "
            "was not saved. Reload to see it, then retry if still needed.",
        )

    @app.errorhandler(sa.exc.DataError)
    def _out_of_range(exc: sa.exc.DataError) -> t.Any:
        # The field checks refuse what the columns cannot hold; this is the last line.
        db.session.rollback()
        return answer(400, "A value is too long or out of range; nothing was saved.")

    @app.errorhandler(413)
    def _too_large(exc: Exception) -> t.Any:
        limit = int(app.config.get("MAX_CONTENT_LENGTH") or 0)
        size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{max(limit // 1024, 1)} KB"
        return answer(
            413,
            f"The file is larger than the upload limit of {size}. Nothing was "
            "imported; split the export or use `martech import` on the server.",
        )

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
        # Words, not codes (docs/governance.md#rules): pages show labels, ids as small print.
        rule_info=registry.rule,
        # A finding's rule cell, built once: the audit page shows tens of thousands of them.
        rule_cells={
            r.id: Markup('{} <small class="rule-id">{}</small>').format(r.title, r.id)
            for r in registry.RULES.values()
        },
        lifecycle_label=vocab.lifecycle_label,
        category_label=category_label,
        person_name=person_name,
    )
    app.jinja_env.filters["plural"] = vocab.plural


def category_label(key: str | None) -> str:
    """Return a taxonomy category's name for its key (the key itself when unknown)."""
    category = taxonomy.CATEGORIES.get(key or "")
    return category.name if category is not None else (key or "")


def person_name(email: str | None) -> str:
    """Return the name of the person or account with this e-mail (the e-mail when unnamed).

    Pages show names with the e-mail on hover; the change log and sign-offs store e-mails.
    Looked up once per request for all people and accounts (a few hundred rows at most).
    """
    if not email:
        return ""
    names = g.get("_person_names")
    if names is None:
        from catalog.extensions import db
        from catalog.models import Person
        from catalog.models import User

        names = {e.lower(): n for e, n in db.session.execute(sa.select(User.email, User.name)) if n}
        names.update(
            (e.lower(), n) for e, n in db.session.execute(sa.select(Person.email, Person.name)) if n
        )
        g._person_names = names
    return str(names.get(email.lower(), email))
