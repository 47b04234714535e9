"""The dependency graph viewer: `/graph`, its filters, and downloads of exactly the current view."""

from __future__ import annotations

import dataclasses
import re
import typing as t
from datetime import date
from urllib.parse import quote

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
from catalog.analysis import overview as overview_mod
from catalog.analysis import render as render_mod
from catalog.analysis.neighbourhood import DIRECTIONS
from catalog.analysis.neighbourhood import MAX_DEPTH
from catalog.analysis.neighbourhood import ViewError
from catalog.analysis.neighbourhood import ViewParams
from catalog.analysis.neighbourhood import busiest
from catalog.analysis.neighbourhood import parse_params
from catalog.extensions import db
from catalog.services import caches
from catalog.services import graph as graph_service
from catalog.services.caches import Region
from catalog.services.snapshot import catalog_version
from catalog.services.tool_search import resolve_tool_args

bp = Blueprint("graph", __name__)

_PLACEHOLDER = "0slug0placeholder0"
# Where the SVG goes in a body drafted during the layout. Autoescaped catalog text can never
# contain "<", so only the template itself can write this marker.
_SVG_SLOT = "<!--graph-svg-slot-->"
_SLUG = re.compile(r"[a-z0-9-]+")

TABLE_ROWS = 1000
# A downloaded SVG opened on its own must not run anything (reference notes 1.3 b).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
MEDIA = {
    "svg": "image/svg+xml",
    "png": "image/png",
    # Flask adds "; charset=utf-8" to text/* itself; naming it here made it appear twice.
    "dot": "text/vnd.graphviz",
    "csv": "text/csv",
}


def cache() -> Region:
    """Return this app's region of rendered views and pages (catalog.services.caches)."""
    return graph_service.render_region()


def node_url(slug: str) -> str:
    """Return the tool page URL, from the app's own routes only."""
    return tool_link()(slug)


def tool_link() -> t.Callable[[str], str]:
    """Return this request's tool URL builder (node_url without a lookup per call)."""
    linker = g.get("_tool_linker")
    if linker is None:
        linker = g._tool_linker = _linker()
    return linker


def _linker() -> t.Callable[[str], str]:
    # url_for costs ~0.1 ms and each proxy lookup (current_app, g) a few µs; a 200-tool page
    # needs a thousand links. Build one and reuse its shape: a slug that fullmatches [a-z0-9-]
    # needs no quoting; anything else goes through url_for.
    if "tools.detail" not in current_app.view_functions:
        root = request.script_root
        return lambda slug: f"{root}/tools/{quote(slug, safe='')}"
    head, _, tail = url_for("tools.detail", slug=_PLACEHOLDER).partition(_PLACEHOLDER)
    plain = _SLUG.fullmatch

    def link(slug: str) -> str:
        return f"{head}{slug}{tail}" if plain(slug) else url_for("tools.detail", slug=slug)

    return link


def _bad_request(exc: ViewError) -> ResponseReturnValue:
    code = 404 if exc.field in ("focus", "blast") else 400
    message = (
        f"There is no tool {exc.message.removeprefix('no tool ')} to show."
        if code == 404
        else f"Cannot show this graph: {exc.field} {exc.message}."
    )
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
        params = parse_params(
            resolve_tool_args(db.session, request.args, ("focus", "blast")),
            data_classes=vocab.DATA_CLASSES,
            groups=taxonomy.GROUPS,
            lifecycles=vocab.LIFECYCLES,
        )
        version = catalog_version(db.session)
        link = tool_link()
        page_key = graph_service.cache_key(
            db.session, params, "page", node_url=link, as_of=date.today(), version=version
        )
        if not fmt and params.key() == ViewParams().key() and request.args.get("all") != "1":
            # Before the page cache: "?all=1" draws the same view, cached under the same key.
            overview = _overview_page(version)
            if overview is not None:
                return overview
        caches.current().check(version)
        if not fmt and (page := cache().get(page_key)) is not None:
            return _page_from(page)
        drafts: list[str] = []

        def draft(dot: graph_service.Rendered) -> None:
            # Written while graphviz lays the view out, expecting a picture in the end.
            body = _body(dot, version, link, svg=Markup(_SVG_SLOT))
            drafts.extend((body, _page_html(body, has_svg=bool(dot.view.tools))))

        result = graph_service.render(
            db.session,
            params,
            fmt or "svg",
            node_url=link,
            timeout=current_app.config.get("GRAPH_LAYOUT_TIMEOUT", 10.0),
            dot_max_nodes=current_app.config.get("GRAPH_DOT_MAX_NODES", 200),
            version=version,
            meanwhile=None if fmt else draft,
        )
    except ViewError as exc:
        return _bad_request(exc)
    if fmt:
        return _download(result, params.focus)
    svg = graph_service.inline_svg(result.content) if result.content else None
    if drafts and svg and result.view.tools:
        body, html = (text.replace(_SVG_SLOT, svg, 1) for text in drafts)
    else:  # no picture after all (timeout, failure, empty view), or the SVG was cached
        body = _body(result, version, link, svg=Markup(svg) if svg else None)
        html = ""
    page = dataclasses.replace(result, fmt="page", content=body.encode("utf-8"))
    cache().put(page_key, page)
    return html or _page_from(page)


def _page_from(page: graph_service.Rendered) -> str:
    return _page_html(
        (page.content or b"").decode("utf-8"),
        has_svg=not page.timed_out and not page.failed and bool(page.view.tools),
    )


def _page_html(body: str, has_svg: bool) -> str:
    # The body is our own autoescaped template output; the page around it is per user.
    return render_template("graph/view.html", body=Markup(body), has_svg=has_svg)


def _download(result: graph_service.Rendered, focus: str | None) -> ResponseReturnValue:
    if result.content is None:
        reason = "took too long" if result.timed_out else "failed"
        message = (
            f"The layout {reason}. Narrow the view (focus on a tool) or download the "
            "DOT source or the CSV edge list instead."
        )
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


def _body(
    result: graph_service.Rendered, version: str, link: t.Callable[[str], str], svg: Markup | None
) -> str:
    view = result.view
    args = {k: v for k, v in request.args.items() if k != "format"}
    downloads = {
        fmt: url_for("graph.view", **(args | {"format": fmt})) for fmt in graph_service.FORMATS
    }
    rows = graph_service.edge_rows(view)
    counts = (
        ", ".join(
            _plural(len(items), *words)
            for items, words in (
                (view.tools, ("tool", "tools")),
                (view.flows, ("flow", "flows")),
                (view.dependencies, ("dependency", "dependencies")),
            )
        )
        + "."
    )
    return render_template(
        "graph/_body.html",
        result=result,
        view=view,
        counts=counts,
        params=view.params,
        svg=svg,
        rows=rows[:TABLE_ROWS],
        rows_total=len(rows),
        names={tool.slug: tool.name for tool in view.tools},
        urls={tool.slug: link(tool.slug) for tool in view.tools},
        suggestions=busiest(view),
        downloads=downloads,
        directions=DIRECTIONS,
        max_depth=MAX_DEPTH,
        state_labels=render_mod.STATE_LABEL,
        focus_url=lambda slug: url_for(
            "graph.view", focus=slug, depth=view.params.depth, direction=view.params.direction
        ),
    )


def _overview_page(version: str) -> str | None:
    """The whole-stack page of a large catalog: one box per taxonomy group (None: draw tools)."""
    snapshot, marks = graph_service.analysis(db.session, version, date.today())
    if len(snapshot.tools) <= current_app.config.get("GRAPH_OVERVIEW_TOOLS", 300):
        return None
    store = caches.current().region("graph.overview")
    key = (version, date.today(), url_for("graph.view", group="x"))
    cached = store.get(key)
    if cached is None:
        view = overview_mod.build(
            snapshot, marks, group_of=taxonomy.group_of, group_names=taxonomy.GROUPS
        )
        source = overview_mod.to_dot(
            view,
            group_url=lambda group: url_for(
                "graph.view", **({"group": group} if group else {"all": "1"})
            ),
        )
        content, timed_out = graph_service.layout(
            source, "svg", "dot", current_app.config.get("GRAPH_LAYOUT_TIMEOUT", 10.0)
        )
        svg = graph_service.inline_svg(content) if content else None
        cached = (view, Markup(svg) if svg else None, timed_out)
        store.put(key, cached)
    view, svg, timed_out = cached
    return render_template(
        "graph/overview.html",
        groups=view.groups,
        svg=svg,
        timed_out=timed_out,
        tools=len(snapshot.tools),
    )
