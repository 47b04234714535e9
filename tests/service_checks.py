"""What a service call left behind: the change log, or the field errors it refused with."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.services.records import ValidationError


def changes(session: Session, since: int = 0) -> list[ChangeRecord]:
    """The change records in the order written, from the `since`-th on."""
    return list(session.scalars(sa.select(ChangeRecord).order_by(ChangeRecord.id)))[since:]


def field_errors(call: t.Callable[..., t.Any], *args: t.Any, **kw: t.Any) -> dict[str, str]:
    """Call a service that must refuse the input; return its message for each field."""
    with pytest.raises(ValidationError) as exc_info:
        call(*args, **kw)
    return exc_info.value.errors


def changes_of(session: Session, object_type: str, key: str) -> list[ChangeRecord]:
    """The change records of one object (e.g. "review", a tool's slug), in the order written."""
    return list(
        session.scalars(
            sa.select(ChangeRecord)
            .where(ChangeRecord.object_type == object_type, ChangeRecord.object_key == key)
            .order_by(ChangeRecord.id)
        )
    )


def change_keys(app: Flask, object_type: str = "tool") -> list[tuple[str, str]]:
    """(action, object key) of each change record of one type, in the order written."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(ChangeRecord.action, ChangeRecord.object_key)
            .where(ChangeRecord.object_type == object_type)
            .order_by(ChangeRecord.id)
        )
        return [(action, key) for action, key in rows]
