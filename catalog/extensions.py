"""Flask extensions, created once and bound to the app in create_app(), plus database tuning."""

from __future__ import annotations

import contextlib
import contextvars
import sqlite3
import typing as t

import sqlalchemy as sa
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf import CSRFProtect

db = SQLAlchemy()
csrf = CSRFProtect()

# Writers must take SQLite's write lock up front: a deferred transaction that reads and then
# writes fails at once with "database is locked" when another writer got in between, whatever
# the busy timeout (reference notes, reliability (e): 57% failures at 4 writers).
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


@contextlib.contextmanager
def write_intent() -> t.Iterator[None]:
    """Make SQLite transactions begun inside this block BEGIN IMMEDIATE."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def set_write_intent(value: bool) -> contextvars.Token[bool]:
    """Set the write intent for the rest of this context (a request); return the reset token."""
    return _write_intent.set(value)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _on_connect(dbapi_connection: t.Any, connection_record: t.Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's legacy transaction handling emits no BEGIN before SELECT; take control of it so
    # that SAVEPOINTs work and we can choose BEGIN IMMEDIATE (SQLAlchemy sqlite dialect docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@sa.event.listens_for(sa.engine.Engine, "begin")
def _on_begin(connection: sa.Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
