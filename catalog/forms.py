"""Flask-WTF forms for the registers: they collect input; the services validate it.

A form only checks what must hold before a service can look at the value (present, a number, a
date). Every business rule (slug unique, known category, owner exists, cost not negative, URL
scheme) lives in `catalog.services.records` / `entities`; the views copy the service's
`ValidationError.errors` onto these fields with `apply_errors`, so each message sits beside its
field and no rule is written twice.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import BooleanField
from wtforms import DateField
from wtforms import DecimalField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import Optional

from catalog import taxonomy
from catalog import vocab
from catalog.models import Person
from catalog.models import Tool
from catalog.services import records
from catalog.services.tool_search import resolve_tool_args

REQUIRED = "is required"


class MultiCheckboxField(SelectMultipleField):
    """A multi-select shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def choices(pairs: t.Iterable[tuple[str, str]], group: str | None = None) -> list[SelectChoice]:
    """Return select options from (value, label) pairs, optionally inside an <optgroup>."""
    return [SelectChoice(value, label, optgroup=group) for value, label in pairs]


def _data_class_choices() -> list[SelectChoice]:
    return choices(
        (key, vocab.DATA_CLASS_LABELS[key] + (" (personal)" if key in vocab.PERSONAL else ""))
        for key in vocab.DATA_CLASSES
    )


def _vocab_choices(keys: t.Iterable[str]) -> list[SelectChoice]:
    return choices((key, key.replace("_", " ").capitalize()) for key in keys)


class VersionedForm(FlaskForm):
    """A form that carries the version of the object it was opened at (optimistic locking)."""

    version = HiddenField()
    record_fields: t.ClassVar[tuple[records.Field, ...]] = ()

    def to_record(self) -> dict[str, t.Any]:
        raise NotImplementedError

    def precheck(self) -> None:
        """Add the service's field checks to the fields the form found no fault with.

        Called when the form itself is invalid, so the user sees every problem in one round
        instead of fixing the required fields first and meeting the rest on the next submit.
        """
        try:
            records.clean(self.record_fields, self.to_record())
        except records.ValidationError as exc:
            self.apply_errors(
                {
                    k: v
                    for k, v in exc.errors.items()
                    if k in self._fields and not self._fields[k].errors
                }
            )

    def expected_version(self) -> int | None:
        """Return the version the form was opened at, or None on a create form."""
        try:
            return int(self.version.data) if self.version.data else None
        except (TypeError, ValueError):
            return -1  # tampered with: never equal to a real version, so it is a conflict

    def set_version(self, version: int) -> None:
        """Carry `version` from now on (after a conflict the user re-applies onto it)."""
        self.version.data = str(version)
        self.version.raw_data = [str(version)]

    def apply_errors(self, errors: t.Mapping[str, str]) -> None:
        """Put a service's field errors beside the matching fields (others on the form)."""
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is None or name in ("csrf_token", "version"):
                self.form_errors.append(f"{name}: {message}")
            else:
                field.errors = [*field.errors, message]


class ToolForm(VersionedForm):
    record_fields = records.TOOL_FIELDS
    name = StringField("Name", validators=[InputRequired(REQUIRED)])
    slug = StringField(
        "Slug",
        validators=[Optional()],
        description="Lowercase letters, digits and hyphens; derived from the name when empty. "
        "It never changes once registered.",
    )
    vendor = StringField("Vendor")
    category = SelectField("Category", validate_choice=False)
    description = TextAreaField("Description")
    website = StringField("Website", description="An http:// or https:// address.")
    lifecycle = SelectField(
        "Lifecycle",
        choices=choices(vocab.LIFECYCLE_LABELS.items()),
        default="requested",
        validate_choice=False,
    )
    business_owner = SelectField(
        "Business owner",
        validate_choice=False,
        description="The accountable marketing-side person.",
    )
    technical_owner = SelectField(
        "Technical owner", validate_choice=False, description="The accountable IT-side person."
    )
    data_classes = MultiCheckboxField(
        "Data the tool stores", choices=_data_class_choices(), validate_choice=False
    )
    system_of_record = BooleanField("System of record (a governed hub for customer data)")
    sso_enabled = BooleanField("Single sign-on enabled")
    dpa_signed = BooleanField("Data processing agreement signed")
    security_reviewed = BooleanField("Security review done")
    annual_cost = DecimalField("Annual cost", validators=[Optional()], places=2)
    currency = StringField("Currency", default="USD", description="ISO 4217 code, e.g. USD, EUR.")
    seats = IntegerField("Seats", validators=[Optional()])
    renewal_date = DateField("Renewal date", validators=[Optional()])
    requested_at = DateField("Requested on", validators=[Optional()])
    decided_at = DateField("Decided on", validators=[Optional()])
    retired_at = DateField("Retired on", validators=[Optional()])

    CONTROLS = ("system_of_record", "sso_enabled", "dpa_signed", "security_reviewed")

    def setup(self, session: Session, *, editing: bool, decide: bool = True) -> ToolForm:
        """Fill the runtime choices; on an edit form the slug is shown read-only.

        :param decide: whether the user may set the controls (IT's call); if not, they are shown
            disabled and the template carries their current values in hidden inputs.
        """
        self.category.choices = choices([("", "Not categorised yet")]) + [
            option
            for group, pairs in taxonomy.grouped_choices()
            for option in choices(pairs, group)
        ]
        self.business_owner.choices = person_choices(session, first="marketing")
        self.technical_owner.choices = person_choices(session, first="it")
        if editing:
            self.slug.render_kw = {"readonly": True}
        if not decide:
            for name in self.CONTROLS:
                self[name].render_kw = {"disabled": True}
                self[name].description = "Set by IT."
        return self

    def to_record(self, *, editing: bool = True) -> dict[str, t.Any]:
        """Return the record dict the tool service expects."""
        record = {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("csrf_token", "version")
        }
        if editing:
            record.pop("slug")  # stable: the service keeps the stored one
        record["data_classes"] = list(record["data_classes"] or [])
        return record


class PersonForm(VersionedForm):
    record_fields = records.PERSON_FIELDS
    email = StringField("E-mail", validators=[InputRequired(REQUIRED)])
    name = StringField("Name")
    department = StringField(
        "Department",
        render_kw={"list": "departments"},
        description="marketing, it, or any other department.",
    )
    active = BooleanField("Active (still with the company)", default=True)

    def to_record(self) -> dict[str, t.Any]:
        """Return the record dict the person service expects."""
        return {
            "email": self.email.data,
            "name": self.name.data or "",
            "department": self.department.data or "",
            "active": bool(self.active.data),
        }


class ToolLinkForm(VersionedForm):
    """A form whose `tool_fields` name tools: pickers that take a slug or an exact name."""

    tool_fields: t.ClassVar[tuple[str, ...]] = ()

    def setup(self, session: Session) -> t.Self:
        """Make the tool fields pickers; typed names resolve to slugs on save."""
        self._session = session
        for name in self.tool_fields:
            self[name].render_kw = tool_picker_attrs()
        return self

    def validate(self, extra_validators: t.Mapping[str, t.Sequence[t.Any]] | None = None) -> bool:
        """Validate the form; each tool field must name a known tool."""
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name in self.tool_fields:
            extra.setdefault(name, []).append(lambda _form, field: known_tool(self._session, field))
        return bool(super().validate(extra))

    def resolved(self, record: dict[str, t.Any]) -> dict[str, t.Any]:
        """Return `record` with each tool field's exact tool name replaced by the tool's slug."""
        return record | resolve_tool_args(self._session, record, self.tool_fields)


class FlowForm(ToolLinkForm):
    tool_fields = ("source", "target")
    record_fields = records.FLOW_FIELDS
    # Tool pickers: a slug or an exact name, with suggestions (static/js/tool-picker.js).
    source = StringField("From tool", validators=[InputRequired(REQUIRED)])
    target = StringField("To tool", validators=[InputRequired(REQUIRED)])
    data_classes = MultiCheckboxField(
        "Data it carries", choices=_data_class_choices(), validate_choice=False
    )
    mechanism = SelectField(
        "Mechanism",
        choices=choices([("", "Choose…"), *vocab.MECHANISM_LABELS.items()]),
        validators=[InputRequired(REQUIRED)],
        validate_choice=False,
    )
    managed_by_it = BooleanField("Managed by IT")
    anonymized = BooleanField("Anonymized (only pseudonymised or aggregated data)")
    frequency = StringField("Frequency", description="e.g. real time, hourly, nightly, ad hoc.")
    description = TextAreaField("Description")
    active = BooleanField("Active", default=True)

    def to_record(self) -> dict[str, t.Any]:
        """Return the record dict the flow service expects."""
        record = {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("csrf_token", "version")
        }
        record["data_classes"] = list(record["data_classes"] or [])
        return self.resolved(record)


class DependencyForm(ToolLinkForm):
    tool_fields = ("tool", "depends_on")
    record_fields = records.DEPENDENCY_FIELDS
    tool = StringField("Tool", validators=[InputRequired(REQUIRED)])
    depends_on = StringField(
        "Depends on",
        validators=[InputRequired(REQUIRED)],
        description="The tool stops working, or loses its data, when this one goes away.",
    )
    kind = SelectField(
        "Kind",
        choices=_vocab_choices(vocab.DEPENDENCY_KINDS),
        default="other",
        validate_choice=False,
    )
    description = TextAreaField("Description")

    def to_record(self) -> dict[str, t.Any]:
        """Return the record dict the dependency service expects."""
        record = {
            "tool": self.tool.data,
            "depends_on": self.depends_on.data,
            "kind": self.kind.data,
            "description": self.description.data or "",
        }
        return self.resolved(record)


class ConfirmForm(VersionedForm):
    """A delete confirmation: only the CSRF token and the version it was shown at."""


def person_choices(session: Session, *, first: str) -> list[SelectChoice]:
    """Return owner options by e-mail, people of department `first` listed first."""
    people = session.scalars(
        sa.select(Person).order_by(
            sa.case((sa.func.lower(Person.department) == first, 0), else_=1),
            Person.name,
            Person.email,
        )
    )
    options = [SelectChoice("", "No owner yet")]
    for p in people:
        label = f"{p.name or p.email} <{p.email}>"
        if p.department:
            label += f" · {p.department}"
        if not p.active:
            label += " (left)"
        options.append(SelectChoice(p.email, label))
    return options


def known_tool(session: Session, field: t.Any) -> None:
    """Refuse a picker's text that is neither a tool's slug nor its exact name."""
    from wtforms.validators import ValidationError as FieldError

    from catalog.services.tool_search import resolve

    value = (field.data or "").strip()
    if value and resolve(session, value) is None:
        raise FieldError(f"no tool with slug {value!r} (nor with that exact name)")


def tool_picker_attrs() -> dict[str, str]:
    """Return the attributes that make a text field a tool picker with suggestions."""
    from flask import url_for

    return {
        "data-suggest": url_for("tool_list.suggest"),
        "autocomplete": "off",
        "spellcheck": "false",
        "placeholder": "Type a tool name",
    }


def tool_choices(session: Session) -> list[SelectChoice]:
    """Return tool options by slug, ordered by name."""
    rows = session.execute(sa.select(Tool.slug, Tool.name).order_by(Tool.name, Tool.slug))
    return choices([("", "Choose a tool…")] + [(slug, f"{name} ({slug})") for slug, name in rows])
