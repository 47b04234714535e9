"""Martech Catalog: a governed catalog of the marketing-technology stack."""

from __future__ import annotations

import typing as t

from flask import Flask

from catalog.extensions import csrf
from catalog.extensions import db

# Each module defines `bp`; the order is the order of the nav.
BLUEPRINTS = (
    "main",
    "tools",
    "people",
    "flows",
    "dependencies",
    "graph",
    "audit",
    "imports",
    "review",
    "scorecard",
    "changes",
    "auth",
    "api",
    "admin",
    "notifications",
    "tool_list",
)


def create_app(test_config: t.Mapping[str, t.Any] | None = None, *, web: bool = True) -> Flask:
    """Create and configure an instance of the catalog application.

    :param web: install the pages, the API and their request hooks. The command line leaves them
        out for commands that never handle a request (a third of `martech audit`'s start-up).
    """
    app = Flask(__name__, static_folder="../static", instance_relative_config=True)
    app.config.from_object("config.Config")
    if test_config is not None:
        app.config.update(test_config)

    db.init_app(app)
    csrf.init_app(app)
    init_caches(app)
    if web:
        register_web(app)
    return app


def init_caches(app: Flask) -> None:
    """Give the app its one cache object and let services find it.

    See docs/architecture.md#caches-and-invalidation.
    """
    from flask import current_app
    from flask import has_app_context

    from catalog.services import caches
    from catalog.services import write_guard

    # Caches are emptied when catalog_version moves; a write that would not move it is refused.
    with app.app_context():
        for engine in db.engines.values():
            write_guard.watch(engine)
    store = caches.CatalogCaches(app.config.get("CACHE_SIZES"))
    app.extensions["catalog_caches"] = store
    # The rendered-graph region under its older name: benchmarks/graph.py clears it to time a
    # fresh render (drop this line once it clears the region itself).
    app.extensions["graph_cache"] = store.region("graph.render")
    caches.set_locator(
        lambda: current_app.extensions.get("catalog_caches") if has_app_context() else None
    )


def register_web(app: Flask) -> None:
    """Register every blueprint, then the request hooks, error pages and security layer."""
    import importlib

    for name in BLUEPRINTS:
        module = importlib.import_module(f"catalog.views.{name}")
        app.register_blueprint(module.bp)

    from catalog import web

    web.init_app(app)
    importlib.import_module("catalog.security").init_app(app)
