"""How a page runs one service write: commit it, or roll back and tell the user why.

A service refuses with a `ValidationError` (an import with `ImportFailed`); the message names
the record and the field, and nothing was written. Pages post, write, flash and redirect.
"""

from __future__ import annotations

import typing as t

from flask import abort
from flask import flash
from flask import redirect

from catalog.extensions import db
from catalog.services.discovery import ImportFailed
from catalog.services.records import ValidationError

T = t.TypeVar("T")
REFUSALS = (ValidationError, ImportFailed)


def commit_or_flash(call: t.Callable[[], object], done: str) -> bool:
    """Run `call` and commit, flashing `done`; on a refusal roll back and flash why instead."""
    try:
        call()
    except REFUSALS as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    flash(done, "success")
    return True


def commit_or_back(call: t.Callable[[], T], back: str) -> T:
    """Run `call` and commit, returning its result; on a refusal roll back, flash why and
    answer with a redirect to `back` (the request ends there)."""
    try:
        result = call()
        db.session.commit()
    except REFUSALS as exc:
        db.session.rollback()
        flash(str(exc), "error")
        abort(redirect(back))
    return result
