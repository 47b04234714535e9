"""Administration: accounts and the taxonomy an administrator extends (admins only)."""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length

from catalog import taxonomy
from catalog.auth import ROLE_LABELS
from catalog.auth import ROLES
from catalog.auth import require
from catalog.extensions import db
from catalog.forms import choices
from catalog.models import User
from catalog.services import accounts
from catalog.services import taxonomy as taxonomy_service
from catalog.services.records import ValidationError
from catalog.web import current_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")

REQUIRED = "is required"
_PASSWORD = [
    InputRequired(REQUIRED),
    Length(
        min=accounts.MIN_PASSWORD,
        max=accounts.MAX_PASSWORD,
        message=f"must be {accounts.MIN_PASSWORD} to {accounts.MAX_PASSWORD} characters",
    ),
]
_ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ROLES]
_ROLE_OPTIONS = choices(_ROLE_CHOICES)


class AccountForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired(REQUIRED), Length(max=254)])
    name = StringField("Name", validators=[Length(max=200)])
    role = SelectField("Role", choices=_ROLE_OPTIONS, default="viewer")
    password = PasswordField(
        "Initial password",
        validators=_PASSWORD,
        description=f"At least {accounts.MIN_PASSWORD} characters.",
    )
    confirm = PasswordField(
        "Password again",
        validators=[InputRequired(REQUIRED), EqualTo("password", "does not match the password")],
    )


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=_ROLE_OPTIONS)


class ActiveForm(FlaskForm):
    active = HiddenField()


class PasswordForm(FlaskForm):
    password = PasswordField("New password", validators=_PASSWORD)
    confirm = PasswordField(
        "Password again",
        validators=[InputRequired(REQUIRED), EqualTo("password", "does not match the password")],
    )


class GroupForm(FlaskForm):
    name = StringField("Group name", validators=[InputRequired(REQUIRED), Length(max=100)])


class CategoryForm(FlaskForm):
    name = StringField("Subcategory name", validators=[InputRequired(REQUIRED), Length(max=100)])
    group = SelectField("Group", validate_choice=False)


class RenameForm(FlaskForm):
    name = StringField("New name", validators=[InputRequired(REQUIRED), Length(max=100)])


@bp.get("/")
def index() -> ResponseReturnValue:
    """Open the accounts page."""
    require("account.manage")
    return redirect(url_for("admin.accounts"))


def _accounts_page(
    form: AccountForm | None = None, error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    users = accounts.list_users(db.session)
    body = render_template(
        "admin/accounts.html",
        users=users,
        form=form or AccountForm(),
        role_choices=_ROLE_CHOICES,
        error=error,
        min_password=accounts.MIN_PASSWORD,
    )
    return body, status


def _user(user_id: int) -> User:
    return db.get_or_abort(User, user_id)


def _message(exc: ValidationError) -> str:
    fields = "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
    return f"{exc.record}: {fields}" if exc.record else fields


def _form_message(form: t.Any, record: str | None = None) -> str:
    """Return a refused form's errors as one message, naming the record it was for."""
    errors = {field: " ".join(messages) for field, messages in form.errors.items()}
    return _message(ValidationError(errors, record=record))


@bp.get("/accounts", endpoint="accounts")
def accounts_page() -> ResponseReturnValue:
    """List the accounts, with the form to create one."""
    require("account.manage")
    return _accounts_page()


@bp.post("/accounts")
def create_account() -> ResponseReturnValue:
    """Create an account."""
    require("account.manage")
    form = AccountForm()
    if not form.validate():
        return _accounts_page(form, status=400)
    try:
        user = accounts.create_user(
            db.session,
            email=form.email.data or "",
            role=form.role.data or "viewer",
            password=form.password.data or "",
            name=(form.name.data or "").strip(),
            actor=current_actor(),
        )
    except ValidationError as exc:
        db.session.rollback()
        for field, message in exc.errors.items():
            target = getattr(form, field, None)
            if target is not None:
                target.errors = [*target.errors, message]
        return _accounts_page(form, error=_message(exc), status=400)
    db.session.commit()
    flash(f"Account {user.email} created as {user.role}.", "success")
    return redirect(url_for("admin.accounts"), 303)


def _update(user_id: int, **changes: t.Any) -> ResponseReturnValue:
    user = _user(user_id)
    try:
        accounts.update_user(db.session, user, actor=current_actor(), **changes)
    except ValidationError as exc:
        db.session.rollback()
        return _accounts_page(error=_message(exc), status=400)
    db.session.commit()
    what = f"role {user.role}" if "role" in changes else ("enabled" if user.active else "disabled")
    flash(f"{user.email}: {what}.", "success")
    return redirect(url_for("admin.accounts"), 303)


@bp.post("/accounts/<int:user_id>/role")
def set_role(user_id: int) -> ResponseReturnValue:
    """Change an account's role."""
    require("account.manage")
    form = RoleForm()
    if not form.validate():
        return _accounts_page(error=_form_message(form), status=400)
    return _update(user_id, role=form.role.data)


@bp.post("/accounts/<int:user_id>/active")
def set_active(user_id: int) -> ResponseReturnValue:
    """Disable or enable an account."""
    require("account.manage")
    form = ActiveForm()
    if not form.validate() or form.active.data not in ("0", "1"):
        return _accounts_page(error="active: expected 0 or 1", status=400)
    return _update(user_id, active=form.active.data == "1")


@bp.post("/accounts/<int:user_id>/password")
def reset_password(user_id: int) -> ResponseReturnValue:
    """Set a new password for an account; its sessions end."""
    require("account.manage")
    user = _user(user_id)
    form = PasswordForm()
    if not form.validate():
        return _accounts_page(error=_form_message(form, user.email), status=400)
    accounts.set_password(db.session, user, form.password.data or "", actor=current_actor())
    db.session.commit()
    flash(f"{user.email}: password reset; the account's sessions were signed out.", "success")
    return redirect(url_for("admin.accounts"), 303)


# Taxonomy ----------------------------------------------------------------------------------


def _taxonomy_page(
    group_form: GroupForm | None = None,
    category_form: CategoryForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    category_form = category_form or CategoryForm()
    category_form.group.choices = choices(taxonomy.GROUPS.items())
    body = render_template(
        "admin/taxonomy.html",
        entries=taxonomy_service.entries(db.session),
        counts=taxonomy_service.tool_counts(db.session),
        group_form=group_form or GroupForm(),
        category_form=category_form,
        rename_form=RenameForm(),
        error=error,
        all_groups=taxonomy.SHIPPED_GROUPS
        | {e.key: e.name for e in taxonomy_service.entries(db.session) if e.kind == "group"},
    )
    return body, status


@bp.get("/taxonomy")
def taxonomy_page() -> ResponseReturnValue:
    """Show the taxonomy with the administrator's additions and the forms to extend it."""
    require("taxonomy.edit")
    return _taxonomy_page()


def _taxonomy_write(
    action: t.Callable[[], t.Any], done: str, **forms: t.Any
) -> ResponseReturnValue:
    try:
        action()
    except ValidationError as exc:
        db.session.rollback()
        return _taxonomy_page(error=_message(exc), status=400, **forms)
    db.session.commit()
    taxonomy_service.sync(db.session)  # this process sees the change at once
    flash(done, "success")
    return redirect(url_for("admin.taxonomy_page"), 303)


def _taxonomy_add(
    slot: str, form: GroupForm | CategoryForm, done: str, add: t.Callable[[str], t.Any]
) -> ResponseReturnValue:
    """Add what `form` names through `add(name)`; a bad form comes back in its `slot` (400).

    `done` is the message, formatted with the stripped `name` and its taxonomy `key`.
    """
    require("taxonomy.edit")
    if not form.validate():
        return _taxonomy_page(status=400, **{slot: form})
    name = form.name.data or ""
    message = done.format(name=name.strip(), key=taxonomy.key_for(name))
    return _taxonomy_write(lambda: add(name), message, **{slot: form})


@bp.post("/taxonomy/groups")
def add_group() -> ResponseReturnValue:
    """Add a taxonomy group."""
    return _taxonomy_add(
        "group_form",
        GroupForm(),
        "Group {name!r} added.",
        lambda name: taxonomy_service.add_group(db.session, name=name, actor=current_actor()),
    )


@bp.post("/taxonomy/categories")
def add_category() -> ResponseReturnValue:
    """Add a subcategory to a group."""
    form = CategoryForm()
    return _taxonomy_add(
        "category_form",
        form,
        "Category {name!r} added (key {key!r}).",
        lambda name: taxonomy_service.add_category(
            db.session, name=name, group=form.group.data or "", actor=current_actor()
        ),
    )


def _entry(entry_id: int) -> t.Any:
    return taxonomy_service.entry(db.session, entry_id) or abort(404)


@bp.post("/taxonomy/<int:entry_id>/rename")
def rename(entry_id: int) -> ResponseReturnValue:
    """Rename an addition (its key stays)."""
    require("taxonomy.edit")
    entry = _entry(entry_id)
    form = RenameForm()
    if not form.validate():
        return _taxonomy_page(error=_form_message(form, entry.key), status=400)
    return _taxonomy_write(
        lambda: taxonomy_service.rename(
            db.session, entry, name=form.name.data or "", actor=current_actor()
        ),
        f"{entry.kind.capitalize()} {entry.key!r} renamed.",
    )


@bp.post("/taxonomy/<int:entry_id>/retire")
def retire(entry_id: int) -> ResponseReturnValue:
    """Retire an addition, or restore a retired one."""
    require("taxonomy.edit")
    entry = _entry(entry_id)
    form = ActiveForm()
    if not form.validate() or form.active.data not in ("0", "1"):
        return _taxonomy_page(error="active: expected 0 or 1", status=400)
    retired = form.active.data == "0"
    return _taxonomy_write(
        lambda: taxonomy_service.set_retired(db.session, entry, retired, actor=current_actor()),
        f"{entry.kind.capitalize()} {entry.name!r} {'retired' if retired else 'restored'}.",
    )
