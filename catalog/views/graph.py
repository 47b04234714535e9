"""The dependency graph viewer: `/graph`, its filters, and downloads of exactly the current view."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint
from flask import Response
from flask import current_app
from flask import g
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from catalog import taxonomy
from catalog import vocab
from catalog.analysis import render as render_mod
from catalog.analysis.neighbourhood import DIRECTIONS
from catalog.analysis.neighbourhood import MAX_DEPTH
from catalog.analysis.neighbourhood import ViewError
from catalog.analysis.neighbourhood import busiest
from catalog.analysis.neighbourhood import parse_params
from catalog.extensions import db
from catalog.models import Tool
from catalog.services import graph as graph_service

bp = Blueprint("graph", __name__)

_PLACEHOLDER = "0slug0placeholder0"
_SLUG = re.compile(r"[a-z0-9-]+")

TABLE_ROWS = 1000
# A downloaded SVG opened on its own must not run anything (reference notes 1.3 b).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
MEDIA = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


def cache() -> graph_service.RenderCache:
    """Return this app's render cache (one per app, so tests and apps never share pictures)."""
    store = current_app.extensions.setdefault("graph_cache", None)
    if store is None:
        store = graph_service.RenderCache(
            max_entries=current_app.config.get("GRAPH_CACHE_ENTRIES", 64),
            max_bytes=current_app.config.get("GRAPH_CACHE_BYTES", 64 * 1024 * 1024),
        )
        current_app.extensions["graph_cache"] = store
    return store


def node_url(slug: str) -> str:
    """Return the tool page URL, from the app's own routes only."""
    if "tools.detail" in current_app.view_functions:
        # url_for costs ~0.1 ms; a 200-tool page needs a thousand links. Build one and reuse
        # its shape: slugs are [a-z0-9-], so nothing in them needs quoting.
        pattern = g.get("_tool_url")
        if pattern is None:
            pattern = g._tool_url = url_for("tools.detail", slug=_PLACEHOLDER)
        if _SLUG.fullmatch(slug):
            return pattern.replace(_PLACEHOLDER, slug)
        return url_for("tools.detail", slug=slug)
    return f"{request.script_root}/tools/{quote(slug, safe='')}"


def _bad_request(exc: ViewError) -> ResponseReturnValue:
    code = 404 if exc.field in ("focus", "blast") else 400
    message = (f"There is no tool {exc.message.removeprefix('no tool ')} to show."
               if code == 404 else f"Cannot show this graph: {exc.field} {exc.message}.")
    return render_template("error.html", code=code, message=message), code


@bp.get("/graph")
def view() -> ResponseReturnValue:
    """Show the stack as a graph, or download the current view with `format=`."""
    fmt = request.args.get("format", "").strip()
    if fmt and fmt not in graph_service.FORMATS:
        allowed = ", ".join(graph_service.FORMATS)
        message = f"Cannot show this graph: format must be one of {allowed}."
        return render_template("error.html", code=400, message=message), 400
    try:
        params = parse_params(request.args, data_classes=vocab.DATA_CLASSES,
                              groups=taxonomy.GROUPS, lifecycles=vocab.LIFECYCLES)
        page_key = graph_service.cache_key(db.session, params, "page", node_url=node_url,
                                           as_of=date.today())
        if not fmt and (page := cache().get(page_key)) is not None:
            return _page_from(page)
        result = graph_service.render(
            db.session, params, fmt or "svg", node_url=node_url, cache=cache(),
            timeout=current_app.config.get("GRAPH_LAYOUT_TIMEOUT", 10.0),
            dot_max_nodes=current_app.config.get("GRAPH_DOT_MAX_NODES", 200),
        )
    except ViewError as exc:
        return _bad_request(exc)
    if fmt:
        return _download(result, params.focus)
    body = _body(result)
    page = dataclasses.replace(result, fmt="page", content=body.encode("utf-8"))
    cache().put(page_key, page)
    return _page_from(page)


def _page_from(page: graph_service.Rendered) -> str:
    body = Markup((page.content or b"").decode("utf-8"))  # our own autoescaped template output
    return render_template("graph/view.html", body=body, has_svg=not page.timed_out
                           and not page.failed and bool(page.view.tools))


def _download(result: graph_service.Rendered, focus: str | None) -> ResponseReturnValue:
    if result.content is None:
        reason = "took too long" if result.timed_out else "failed"
        message = (f"The layout {reason}. Narrow the view (focus on a tool) or download the "
                   "DOT source or the CSV edge list instead.")
        return render_template("error.html", code=503, message=message), 503
    name = f"martech-graph{'-' + focus if focus else ''}.{result.fmt}"  # focus is a real slug
    response = Response(result.content, mimetype=MEDIA[result.fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if result.fmt == "svg":
        response.headers["Content-Security-Policy"] = SVG_CSP
    return response


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _body(result: graph_service.Rendered) -> str:
    view = result.view
    tools = db.session.execute(sa.select(Tool.slug, Tool.name).order_by(Tool.name, Tool.slug)).all()
    args = {k: v for k, v in request.args.items() if k != "format"}
    downloads = {fmt: url_for("graph.view", **(args | {"format": fmt}))
                 for fmt in graph_service.FORMATS}
    rows = graph_service.edge_rows(view)
    counts = ", ".join(
        _plural(len(items), *words) for items, words in (
            (view.tools, ("tool", "tools")), (view.flows, ("flow", "flows")),
            (view.dependencies, ("dependency", "dependencies")))
    ) + "."
    return render_template(
        "graph/_body.html",
        result=result,
        view=view,
        counts=counts,
        params=view.params,
        svg=graph_service.inline_svg(result.content) if result.content else None,
        rows=rows[:TABLE_ROWS],
        rows_total=len(rows),
        names={tool.slug: tool.name for tool in view.tools},
        suggestions=busiest(view),
        tool_choices=tools,
        downloads=downloads,
        directions=DIRECTIONS,
        max_depth=MAX_DEPTH,
        state_labels=render_mod.STATE_LABEL,
        focus_url=lambda slug: url_for("graph.view", focus=slug, depth=view.params.depth,
                                       direction=view.params.direction),
        node_url=node_url,
    )
