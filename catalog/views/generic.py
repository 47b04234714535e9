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

from catalog.auth import require_write
from catalog.extensions import db
from catalog.forms import ConfirmForm
from catalog.forms import VersionedForm
from catalog.services import policy
from catalog.services.entities import ConflictError
from catalog.services.records import ValidationError
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
class RegisterPages:
    """What the generic pages need to know about one register (the view side of it)."""

    kind: str  # permission subject and change-log object type: "flow"
    endpoint: str  # the blueprint's name, for url_for: "flows"
    key_rule: str  # the URL part naming one record: "<int:id>" or "<slug>"
    find: t.Callable[[t.Any], sa.Select[t.Any]]  # the query for the record at a key
    form: type[VersionedForm]
    save: t.Callable[..., Obj]  # entities.save_flow(session, record, actor=, flow=, ...)
    save_arg: str  # the keyword naming the record being edited in `save`: "flow"
    delete: t.Callable[..., t.Any]  # entities.delete_flow(session, flow, actor=, ...)
    as_record: t.Callable[[Obj], dict[str, t.Any]]  # records.flow_record: what a conflict shows
    change_key: t.Callable[[Obj], str]  # the change log's key of a record
    label: t.Callable[[Obj], str]  # how messages name a record: "Shopify → Klaviyo"
    var: str  # the template variable holding the record: "flow"
    created: str  # flash messages; "{label}" is replaced
    saved: str
    deleted: str
    gone: str  # a record deleted under an open form
    after_create: t.Callable[[Obj], str]  # where to go next (a URL)
    after_save: t.Callable[[Obj], str]
    prefill: tuple[str, ...] = ()  # query arguments that prefill the create form
    setup: t.Callable[[t.Any, Obj | None], t.Any] = _same_form  # choices, read-only fields
    to_record: t.Callable[[t.Any, bool], dict[str, t.Any]] = _plain_record  # (form, editing)
    form_data: t.Callable[[Obj], dict[str, t.Any]] | None = None  # edit form's values
    delete_context: t.Callable[[Obj], dict[str, t.Any]] = _no_context  # what goes with it
    create_actor: t.Callable[[], str] = current_actor  # who registers (tools: estate)

    @property
    def form_template(self) -> str:
        return f"{self.endpoint}/form.html"

    @property
    def delete_template(self) -> str:
        return f"{self.endpoint}/delete.html"

    def get_or_404(self, key: t.Any) -> Obj:
        """Return the record at `key`, or answer 404."""
        return db.one_or_abort(self.find(key))

    def key_args(self, obj: Obj) -> dict[str, t.Any]:
        """Return the URL variables naming `obj` (`{"id": 3}` for the rule "<int:id>")."""
        name = self.key_rule.strip("<>").rpartition(":")[2]
        return {name: getattr(obj, name)}

    def render(self, template: str, form: t.Any, obj: Obj | None, **extra: t.Any) -> str:
        """Render a page of the register: the record is `object` and its own name (`flow`)."""
        context = {"form": form, "object": obj, "register": self, self.var: obj}
        return render_template(template, **context, **extra)

    def message(self, text: str, obj_label: str) -> str:
        return text.format(label=obj_label)


def _key(kwargs: dict[str, t.Any]) -> t.Any:
    (value,) = kwargs.values()  # the one URL variable of key_rule
    return value


class _RegisterView(MethodView):
    def __init__(self, pages: RegisterPages) -> None:
        self.pages = pages

    def conflict(
        self, template: str, key: t.Any, form: t.Any, mine: dict[str, t.Any] | None
    ) -> ResponseReturnValue:
        """Re-render with the newer values and version, keeping the user's input (409)."""
        pages = self.pages
        obj = db.session.scalar(pages.find(key).execution_options(populate_existing=True))
        if obj is None:
            flash(pages.gone, "error")
            return redirect(url_for(f"{pages.endpoint}.index"))
        current = pages.as_record(obj)
        conflict = conflict_for(
            db.session, pages.kind, pages.change_key(obj), current, mine, obj.version
        )
        form.set_version(obj.version)
        extra = pages.delete_context(obj) if mine is None else {}
        return pages.render(template, form, obj, conflict=conflict, **extra), 409


class ObjectCreateView(_RegisterView):
    """Register a record (GET: the form, prefilled from the query; POST: save it)."""

    methods: t.ClassVar[list[str]] = ["GET", "POST"]

    def get(self) -> ResponseReturnValue:
        pages = self.pages
        require_write(pages.kind)
        prefill = {k: request.args[k] for k in pages.prefill if request.args.get(k)}
        form = pages.setup(pages.form(data=prefill), None)
        return pages.render(pages.form_template, form, None)

    def post(self) -> ResponseReturnValue:
        pages = self.pages
        require_write(pages.kind)
        form = pages.setup(pages.form(), None)
        if form.validate_on_submit():
            record = pages.to_record(form, False)
            try:
                obj = pages.save(db.session, record, actor=pages.create_actor())
                flash_proposals(policy.take_queued(db.session))
                db.session.commit()
            except ValidationError as exc:
                db.session.rollback()
                form.apply_errors(exc.errors)
            else:
                flash(pages.message(pages.created, pages.label(obj)), "success")
                return redirect(pages.after_create(obj))
        else:
            form.precheck()
        return pages.render(pages.form_template, form, None), 422


class ObjectEditView(_RegisterView):
    """Edit a record; a form opened before someone else's save is refused with 409."""

    methods: t.ClassVar[list[str]] = ["GET", "POST"]

    def get(self, **kwargs: t.Any) -> ResponseReturnValue:
        pages = self.pages
        obj = pages.get_or_404(_key(kwargs))
        require_write(pages.kind, obj)
        values = (pages.form_data or pages.as_record)(obj)
        form = pages.setup(pages.form(data=values | {"version": str(obj.version)}), obj)
        return pages.render(pages.form_template, form, obj)

    def post(self, **kwargs: t.Any) -> ResponseReturnValue:
        pages, key = self.pages, _key(kwargs)
        obj = pages.get_or_404(key)
        require_write(pages.kind, obj)
        form = pages.setup(pages.form(), obj)
        if not form.validate_on_submit():
            form.precheck()
            return pages.render(pages.form_template, form, obj), 422
        record = pages.to_record(form, True)
        try:
            pages.save(
                db.session,
                record,
                actor=current_actor(),
                expected_version=form.expected_version() or -1,
                **{pages.save_arg: obj},
            )
            flash_proposals(policy.take_queued(db.session))
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            form.apply_errors(exc.errors)
            return pages.render(pages.form_template, form, obj), 422
        except ConflictError:
            db.session.rollback()
            return self.conflict(pages.form_template, key, form, record)
        flash(pages.message(pages.saved, pages.label(obj)), "success")
        return redirect(pages.after_save(obj))


class ObjectDeleteView(_RegisterView):
    """Confirm (GET, listing what goes with the record) and delete (POST) a record."""

    methods: t.ClassVar[list[str]] = ["GET", "POST"]

    def get(self, **kwargs: t.Any) -> ResponseReturnValue:
        pages = self.pages
        obj = pages.get_or_404(_key(kwargs))
        require_write(pages.kind, obj, delete=True)
        form = ConfirmForm(data={"version": str(obj.version)})
        return pages.render(pages.delete_template, form, obj, **pages.delete_context(obj))

    def post(self, **kwargs: t.Any) -> ResponseReturnValue:
        pages, key = self.pages, _key(kwargs)
        obj = pages.get_or_404(key)
        require_write(pages.kind, obj, delete=True)
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        label = pages.label(obj)  # read before the record goes
        try:
            pages.delete(
                db.session,
                obj,
                actor=current_actor(),
                expected_version=form.expected_version() or -1,
            )
            queued = policy.take_queued(db.session)
            flash_proposals(queued)
            db.session.commit()
        except ConflictError:
            db.session.rollback()
            return self.conflict(pages.delete_template, key, form, None)
        if not queued:  # a delete that waits for IT did not happen yet
            flash(pages.message(pages.deleted, label), "success")
        return redirect(url_for(f"{pages.endpoint}.index"))


def add_register_pages(bp: Blueprint, pages: RegisterPages) -> None:
    """Add the register's create, edit and delete pages to its blueprint."""
    bp.add_url_rule("/new", view_func=ObjectCreateView.as_view("create", pages))
    bp.add_url_rule(f"/{pages.key_rule}/edit", view_func=ObjectEditView.as_view("edit", pages))
    bp.add_url_rule(
        f"/{pages.key_rule}/delete", view_func=ObjectDeleteView.as_view("delete", pages)
    )
