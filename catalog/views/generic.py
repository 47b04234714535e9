"""Generic create, edit and delete pages for the registers (tools, people, flows, dependencies).

Modelled on NetBox's `ObjectEditView` and `ObjectDeleteView`: a register's blueprint describes
its pages once in a `RegisterPages` (how to find one, its form, the service's save and delete,
its templates and messages) and `add_register_pages` adds `/new`, `/<key>/edit` and
`/<key>/delete` to the blueprint under the endpoints `create`, `edit` and `delete`. What every
register then shares, written once here (docs/architecture.md, "Adding a page for a register"):

- the role's door (`require_write`) before anything is shown or saved; the services decide the
  rest and queue a marketer's change that is IT's decision as a proposal, which is flashed;
- a refused value comes back as a message beside its field (422), and nothing is written;
- a form carries the version it was opened at: a save or delete on top of someone else's newer
  save is refused with 409, showing the newer values (and who saved them) beside the user's;
- a delete is confirmed on a page listing what goes with the record, and is a POST.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from sqlalchemy.orm import aliased
from sqlalchemy.orm import selectinload

from catalog.auth import require_write
from catalog.extensions import db
from catalog.forms import ConfirmForm
from catalog.forms import VersionedForm
from catalog.models import Tool
from catalog.services import policy
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
from catalog.services.writes import Register
from catalog.views.common import conflict_for
from catalog.views.common import flash_proposals
from catalog.web import current_actor

Obj = t.Any  # a register's model instance (Tool, Person, DataFlow, Dependency)


def _plain_record(form: t.Any, editing: bool) -> dict[str, t.Any]:
    return dict(form.to_record())


def _no_context(obj: Obj) -> dict[str, t.Any]:
    return {}


def _same_form(form: t.Any, obj: Obj | None) -> t.Any:
    return form


@dataclass(frozen=True)
class Messages:
    """What the pages flash; "{label}" is the record's label, "{kind}" the register's kind."""

    created: str
    saved: str
    deleted: str
    gone: str = "Someone deleted this {kind} while you had it open; nothing was saved."


@dataclass(frozen=True)
class RegisterPages:
    """What the generic pages need to know about one register (the view side of it).

    The service side (kind, save, delete, the record's fields, the change log's key) is read from
    the register's declaration in catalog.services; this adds how the pages present it.
    """

    register: Register  # the service's declaration: kind, save, delete, the record's fields
    endpoint: str  # the blueprint's name, for url_for and the template folder: "flows"
    key: t.Any  # the column naming a record in URLs: DataFlow.id (<int:id>), Tool.slug (<slug>)
    form: type[VersionedForm]
    label: t.Callable[[Obj], str]  # how messages name a record: "Shopify → Klaviyo"
    messages: Messages
    after_create: t.Callable[[Obj], str] | None = None  # where to go next (default: the list)
    after_save: t.Callable[[Obj], str] | None = None
    prefill: tuple[str, ...] = ()  # query arguments that prefill the create form
    setup: t.Callable[[t.Any, Obj | None], t.Any] = _same_form  # choices, read-only fields
    to_record: t.Callable[[t.Any, bool], dict[str, t.Any]] = _plain_record  # (form, editing)
    form_data: t.Callable[[Obj], dict[str, t.Any]] | None = None  # edit form's values
    delete_context: t.Callable[[Obj], dict[str, t.Any]] = _no_context  # what goes with it
    create_actor: t.Callable[[], str] = current_actor  # who registers (tools: estate)

    @property
    def kind(self) -> str:
        """The permission subject, change-log object type and template variable: "flow"."""
        return self.register.object_type

    def save(self, session: t.Any, record: dict[str, t.Any], **kw: t.Any) -> Obj:
        """Create or update through the register's save service (`flow=` names the edited)."""
        return self.register.save(session, record, **kw)

    def delete(self, session: t.Any, obj: Obj, **kw: t.Any) -> t.Any:
        assert self.register.delete is not None, f"{self.register.name} cannot be deleted"
        return self.register.delete(session, obj, **kw)

    def as_record(self, obj: Obj) -> dict[str, t.Any]:
        """The record a conflict shows (the bundle, API and change-log shape)."""
        return self.register.record(obj)

    def change_key(self, obj: Obj) -> str:
        """The change log's key of a record."""
        return self.register.key(self.register.record(obj))

    @property
    def key_name(self) -> str:
        return str(self.key.key)

    @property
    def key_rule(self) -> str:
        """The URL part naming one record: "<int:id>" or "<slug>"."""
        numeric = self.key.type.python_type is int
        return f"<int:{self.key_name}>" if numeric else f"<{self.key_name}>"

    def find(self, value: t.Any) -> sa.Select[t.Any]:
        """Return the query for the record at a key."""
        return sa.select(self.key.class_).where(self.key == value)

    def get_or_404(self, value: t.Any) -> Obj:
        """Return the record at a key, or answer 404."""
        return db.one_or_abort(self.find(value))

    def key_args(self, obj: Obj) -> dict[str, t.Any]:
        """Return the URL variables naming `obj` (`{"id": 3}`)."""
        return {self.key_name: getattr(obj, self.key_name)}

    def index_url(self, obj: Obj | None = None) -> str:
        return url_for(f"{self.endpoint}.index")

    def render(self, page: str, form: t.Any, obj: Obj | None, **extra: t.Any) -> str:
        """Render `page` ("form" or "delete"): the record is `object` and its kind (`flow`)."""
        context = {"form": form, "object": obj, "register": self, self.kind: obj}
        return render_template(f"{self.endpoint}/{page}.html", **context, **extra)

    def flash(self, text: str, obj_label: str = "", category: str = "success") -> None:
        flash(text.format(label=obj_label, kind=self.kind), category)


def _key(kwargs: dict[str, t.Any]) -> t.Any:
    (value,) = kwargs.values()  # the one URL variable of key_rule
    return value


def _commit(write: t.Callable[[], Obj]) -> tuple[Obj, list[t.Any]]:
    """Run the service's write and commit; then tell a marketer what waits for IT."""
    obj = write()
    queued = policy.take_queued(db.session)
    db.session.commit()
    flash_proposals(queued)
    return obj, queued


class _RegisterView(MethodView):
    def __init__(self, pages: RegisterPages) -> None:
        self.pages = pages

    def record(self, kwargs: dict[str, t.Any]) -> Obj | None:
        """Return the record the URL names (404 if none), or None at /new."""
        return self.pages.get_or_404(_key(kwargs)) if kwargs else None

    def conflict(
        self, page: str, key: t.Any, form: t.Any, mine: dict[str, t.Any] | None
    ) -> ResponseReturnValue:
        """Re-render with the newer values and version, keeping the user's input (409)."""
        pages = self.pages
        obj = db.session.scalar(pages.find(key).execution_options(populate_existing=True))
        if obj is None:
            pages.flash(pages.messages.gone, category="error")
            return redirect(pages.index_url())
        current = pages.as_record(obj)
        conflict = conflict_for(
            db.session, pages.kind, pages.change_key(obj), current, mine, obj.version
        )
        form.set_version(obj.version)
        extra = pages.delete_context(obj) if mine is None else {}
        return pages.render(page, form, obj, conflict=conflict, **extra), 409


class ObjectEditView(_RegisterView):
    """Register a record (at /new, prefilled from the query) or edit one (at /<key>/edit).

    An edit carries the version its form was opened at; on top of a newer save it is refused
    with 409, showing the newer values beside the user's input.
    """

    methods: t.ClassVar[list[str]] = ["GET", "POST"]

    def get(self, **kwargs: t.Any) -> ResponseReturnValue:
        pages = self.pages
        obj = self.record(kwargs)
        require_write(pages.kind, obj)
        if obj is None:
            values = {k: request.args[k] for k in pages.prefill if request.args.get(k)}
        else:
            values = (pages.form_data or pages.as_record)(obj) | {"version": str(obj.version)}
        return pages.render("form", pages.setup(pages.form(data=values), obj), obj)

    def post(self, **kwargs: t.Any) -> ResponseReturnValue:
        pages = self.pages
        obj = self.record(kwargs)
        require_write(pages.kind, obj)
        form = pages.setup(pages.form(), obj)
        if not form.validate_on_submit():
            form.precheck()
            return pages.render("form", form, obj), 422
        record = pages.to_record(form, obj is not None)
        if obj is None:
            actor, edited = pages.create_actor(), {}
        else:  # the services name the edited record by its kind (flow=...)
            edited = {pages.kind: obj, "expected_version": form.expected_version() or -1}
            actor = current_actor()
        try:
            saved, _ = _commit(lambda: pages.save(db.session, record, actor=actor, **edited))
        except ValidationError as exc:
            db.session.rollback()
            form.apply_errors(exc.errors)
            return pages.render("form", form, obj), 422
        except ConflictError:
            db.session.rollback()
            return self.conflict("form", _key(kwargs), form, record)
        if obj is None:
            pages.flash(pages.messages.created, pages.label(saved))
            return redirect((pages.after_create or pages.index_url)(saved))
        pages.flash(pages.messages.saved, pages.label(obj))
        return redirect((pages.after_save or pages.index_url)(obj))


class ObjectDeleteView(_RegisterView):
    """Confirm (GET, listing what goes with the record) and delete (POST) a record."""

    methods: t.ClassVar[list[str]] = ["GET", "POST"]

    def get(self, **kwargs: t.Any) -> ResponseReturnValue:
        pages = self.pages
        obj = pages.get_or_404(_key(kwargs))
        require_write(pages.kind, obj, delete=True)
        form = ConfirmForm(data={"version": str(obj.version)})
        return pages.render("delete", form, obj, **pages.delete_context(obj))

    def post(self, **kwargs: t.Any) -> ResponseReturnValue:
        pages, key = self.pages, _key(kwargs)
        obj = pages.get_or_404(key)
        require_write(pages.kind, obj, delete=True)
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        label = pages.label(obj)  # read before the record goes
        version = form.expected_version() or -1
        try:
            _, queued = _commit(
                lambda: pages.delete(
                    db.session, obj, actor=current_actor(), expected_version=version
                )
            )
        except ConflictError:
            db.session.rollback()
            return self.conflict("delete", key, form, None)
        if not queued:  # a delete that waits for IT did not happen yet
            pages.flash(pages.messages.deleted, label)
        return redirect(pages.index_url())


def between_tools(
    relations: tuple[t.Any, t.Any], *order: t.Any, equals: t.Mapping[str, t.Any] | None = None
) -> sa.Select[t.Any]:
    """The list query of a register of links between two tools (flows, dependencies).

    Sorted by the two tools' names (then `order`); `?tool=` keeps the links touching that tool,
    and each query argument in `equals` keeps those whose column has the value asked for.
    """
    first, second = aliased(Tool), aliased(Tool)
    model = relations[0].class_
    query = (
        sa.select(model)
        .join(relations[0].of_type(first))
        .join(relations[1].of_type(second))
        .options(*(selectinload(relation) for relation in relations))
        .order_by(sa.func.lower(first.name), sa.func.lower(second.name), *order)
    )
    if request.args.get("tool"):
        slug = request.args["tool"]
        query = query.where(sa.or_(first.slug == slug, second.slug == slug))
    for name, column in (equals or {}).items():
        if request.args.get(name):
            query = query.where(column == request.args[name])
    return query


def add_register_pages(bp: Blueprint, pages: RegisterPages) -> None:
    """Add the register's create, edit and delete pages to its blueprint."""
    bp.add_url_rule("/new", view_func=ObjectEditView.as_view("create", pages))
    bp.add_url_rule(f"/{pages.key_rule}/edit", view_func=ObjectEditView.as_view("edit", pages))
    bp.add_url_rule(
        f"/{pages.key_rule}/delete", view_func=ObjectDeleteView.as_view("delete", pages)
    )
