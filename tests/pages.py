"""Helpers for tests of the HTML pages: reading the database afterwards
and finding what a form shows beside a field."""

from __future__ import annotations

import re
import typing as t

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import Tool
from catalog.services import entities
from tests.factories import make_tool


def tools(*slugs: str) -> t.Callable[[t.Any], None]:
    """Return a seed function registering a tool for each slug (named after it)."""

    def make(session: t.Any) -> None:
        for slug in slugs:
            make_tool(session, slug=slug, name=slug.capitalize())

    return make


def make_tools(session: t.Any, columns: str, *rows: tuple[t.Any, ...]) -> None:
    """Register a tool per row of a table; `columns` names the row's fields ("slug name ...").
    A None cell leaves that field out."""
    names = columns.split()
    for row in rows:
        make_tool(session, **{k: v for k, v in zip(names, row, strict=True) if v is not None})


def count(app: Flask, model: type) -> int:
    """Return how many rows of `model` the database holds."""
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def detached(app: Flask, find: t.Callable[[t.Any], t.Any]) -> t.Any:
    """Return `find(session)` as it is in the database now, detached from the session."""
    with app.app_context():
        found = find(db.session)
        if found is not None:
            db.session.expunge(found)
        return found


def tool_row(app: Flask, slug: str) -> Tool | None:
    """Return the tool at `slug` as it is in the database now (detached), or None."""
    return detached(app, lambda s: entities.tool_by_slug(s, slug))


def form_data(record: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Return a service record as a browser posts it: ticked boxes "y", unticked ones absent."""
    return {
        k: "y" if v is True else "" if v is None else v for k, v in record.items() if v is not False
    }


def error_beside(html: str, field: str) -> str:
    """Return the error message rendered for `field`, checking it is tied to the input."""
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert match, f"no error shown for {field}"
    assert (
        re.search(
            rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html
        )
        or f'id="{field}-group"' in html
    )
    assert f'aria-describedby="{field}-error' in html or f"{field}-error" in html
    return match.group(1)


def selected(html: str, field: str) -> str | None:
    """Return the tool a picker (text field) or a select of the form shows as chosen."""
    picker = re.search(rf'<input[^>]*id="{field}"[^>]*>', html)
    if picker:
        value = re.search(r'value="([^"]*)"', picker.group(0))
        return value.group(1) if value and value.group(1) else None
    select = html[html.index(f'id="{field}"') :]
    select = select[: select.index("</select>")]
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select)
    return (match.group(1) or match.group(2)) if match else None


def page_text(client: t.Any, url: str, status: int = 200) -> str:
    """GET `url`, check the page answers with `status`, and return its text."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return str(response.text)
