"""People pages: who owns what, and the forms to add, edit and remove a person."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import render_template
from flask.typing import ResponseReturnValue

from catalog.extensions import db
from catalog.forms import PersonForm
from catalog.models import Person
from catalog.models import Tool
from catalog.services import entities
from catalog.services.people import PEOPLE
from catalog.views.generic import Messages
from catalog.views.generic import RegisterPages
from catalog.views.generic import add_register_pages

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.get("")
def index() -> ResponseReturnValue:
    """List people with the tools they own on each side."""
    people = list(
        db.session.scalars(
            sa.select(Person).order_by(
                Person.active.desc(), sa.func.lower(Person.name), Person.email
            )
        )
    )
    owned: dict[int, dict[str, list[Tool]]] = {
        p.id: {"business": [], "technical": []} for p in people
    }
    tools = db.session.scalars(
        sa.select(Tool)
        .where(sa.or_(Tool.business_owner_id.is_not(None), Tool.technical_owner_id.is_not(None)))
        .order_by(sa.func.lower(Tool.name))
    )
    for tool in tools:
        if tool.business_owner_id in owned:
            owned[tool.business_owner_id]["business"].append(tool)
        if tool.technical_owner_id in owned:
            owned[tool.technical_owner_id]["technical"].append(tool)
    return render_template("people/index.html", people=people, owned=owned)


PAGES = RegisterPages(
    register=PEOPLE,
    key=Person.id,
    endpoint="people",
    label=lambda person: person.name or person.email,
    messages=Messages(
        created="Added {label}.",
        saved="Saved {label}.",
        deleted="Removed {label}; the tools they owned now need a new owner.",
        gone="Someone removed this person while you had the form open; nothing was saved.",
    ),
    form=PersonForm,
    # The tools that lose this owner, listed on the confirmation page.
    delete_context=lambda person: {"tools": entities.owned_tools(db.session, person)},
)
add_register_pages(bp, PAGES)
