"""People pages: who owns what, and the forms to add, edit and remove a person."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue

from catalog.auth import require_write
from catalog.extensions import db
from catalog.forms import ConfirmForm
from catalog.forms import PersonForm
from catalog.models import Person
from catalog.models import Tool
from catalog.services import entities
from catalog.services import records
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
from catalog.views.common import conflict_for
from catalog.web import current_actor

bp = Blueprint("people", __name__, url_prefix="/people")


def _person_or_404(id: int) -> Person:
    person = db.session.get(Person, id)
    if person is None:
        abort(404)
    return person


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


@bp.route("/new", methods=["GET", "POST"])
def create() -> ResponseReturnValue:
    """Add a person who can own tools."""
    require_write("person")
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = entities.save_person(db.session, form.to_record(), actor=current_actor())
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            form.apply_errors(exc.errors)
        else:
            flash(f"Added {person.name or person.email}.", "success")
            return redirect(url_for("people.index"))
    elif form.is_submitted():
        form.precheck()
    status = 422 if form.is_submitted() else 200
    return render_template("people/form.html", form=form, person=None), status


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
def edit(id: int) -> ResponseReturnValue:
    """Edit a person; a form opened before someone else's save is refused with 409."""
    person = _person_or_404(id)
    require_write("person", person, delete=request.endpoint == "people.delete")
    if request.method == "GET":
        data = records.person_record(person) | {"version": str(person.version)}
        return render_template("people/form.html", form=PersonForm(data=data), person=person)
    form = PersonForm()
    if not form.validate_on_submit():
        form.precheck()
        return render_template("people/form.html", form=form, person=person), 422
    record = form.to_record()
    try:
        entities.save_person(
            db.session,
            record,
            actor=current_actor(),
            person=person,
            expected_version=form.expected_version() or -1,
        )
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        form.apply_errors(exc.errors)
        return render_template("people/form.html", form=form, person=person), 422
    except ConflictError:
        db.session.rollback()
        return _conflict("people/form.html", id, form, record)
    flash(f"Saved {person.name or person.email}.", "success")
    return redirect(url_for("people.index"))


def _conflict(template: str, id: int, form: t.Any, mine: dict | None) -> ResponseReturnValue:
    person = db.session.get(Person, id, populate_existing=True)
    if person is None:
        flash(
            "Someone removed this person while you had the form open; nothing was saved.", "error"
        )
        return redirect(url_for("people.index"))
    current = records.person_record(person)
    conflict = conflict_for(db.session, "person", person.email, current, mine, person.version)
    form.set_version(person.version)
    extra = {"tools": entities.owned_tools(db.session, person)} if mine is None else {}
    return render_template(template, form=form, person=person, conflict=conflict, **extra), 409


@bp.route("/<int:id>/delete", methods=["GET", "POST"])
def delete(id: int) -> ResponseReturnValue:
    """Confirm (GET) and remove (POST) a person; their tools lose that owner."""
    person = _person_or_404(id)
    require_write("person", person, delete=request.endpoint == "people.delete")
    if request.method == "GET":
        form = ConfirmForm(data={"version": str(person.version)})
        return render_template(
            "people/delete.html",
            form=form,
            person=person,
            tools=entities.owned_tools(db.session, person),
        )
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    label = person.name or person.email
    try:
        entities.delete_person(
            db.session,
            person,
            actor=current_actor(),
            expected_version=form.expected_version() or -1,
        )
        db.session.commit()
    except ConflictError:
        db.session.rollback()
        return _conflict("people/delete.html", id, form, None)
    flash(f"Removed {label}; the tools they owned now need a new owner.", "success")
    return redirect(url_for("people.index"))
