"""Request plumbing shared by every page: write intent, the actor, errors, template helpers."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import Flask
from flask import g
from flask import render_template
from flask import request
from markupsafe import Markup

from catalog import taxonomy
from catalog import vocab
from catalog.analysis import registry
from catalog.extensions import set_write_intent

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_actor() -> str:
    """Return who is making this change, for the change log."""
    user = getattr(g, "user", None)
    if user is not None:
        return str(user.email)
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
        rule_cells={r.id: Markup('{} <small class="rule-id">{}</small>').format(r.title, r.id)
                    for r in registry.RULES.values()},
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

        names = {e.lower(): n for e, n in db.session.execute(sa.select(User.email, User.name))
                 if n}
        names.update((e.lower(), n) for e, n in
                     db.session.execute(sa.select(Person.email, Person.name)) if n)
        g._person_names = names
    return str(names.get(email.lower(), email))
