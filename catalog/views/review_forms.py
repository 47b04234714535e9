"""The review pages' forms: a marketer's request, IT's decisions, the SLA setting."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from catalog import vocab
from catalog.forms import MultiCheckboxField
from catalog.forms import VersionedForm
from catalog.forms import choices


class RequestForm(FlaskForm):
    name = StringField("Tool name")
    vendor = StringField("Vendor")
    website = StringField("Website", description="http:// or https:// address")
    description = TextAreaField("What is it for?")
    category = StringField("Category")  # a taxonomy key; the template groups the options
    business_owner = StringField(
        "Business owner (e-mail)", description="The marketer accountable for the tool"
    )
    technical_owner = SelectField("IT counterpart (technical owner)", validate_choice=False)
    data_classes = MultiCheckboxField(
        "Customer data it will receive",
        choices=choices((k, vocab.DATA_CLASS_LABELS[k]) for k in vocab.DATA_CLASSES),
    )
    # Tool pickers (several fields of one name): slugs or exact names, with suggestions.
    sources = SelectMultipleField("From which tools", validate_choice=False)
    mechanism = SelectField(
        "How the data will move",
        choices=choices((m, m.replace("_", " ")) for m in vocab.MECHANISMS),
        default="api",
    )
    # A request is not versioned, but its errors go beside the fields the same way.
    apply_errors = VersionedForm.apply_errors


class DecisionForm(VersionedForm):
    """Every decision on a request posts this form; `version` is the tool's (409 on a stale one)."""

    reason = TextAreaField("Reason", validators=[Optional()])
    note = StringField("Note", validators=[Optional()])
    override = TextAreaField("Reason to sanction anyway", validators=[Optional()])
    value = HiddenField()
    choice = HiddenField()


class SlaForm(FlaskForm):
    sla_days = IntegerField("Review SLA (days)", validators=[Optional()])
