"""Dump and restore: every table, every column, across SQLite and PostgreSQL, byte for byte.

The round trip takes a SQLite file as its source and the suite's database as its target: on the
PostgreSQL pass that is SQLite -> PostgreSQL, on the SQLite pass SQLite -> SQLite (the `source`
fixture is in tests/conftest.py, its catalog in tests/dump_catalog.py).
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal

import sqlalchemy as sa

from catalog import create_app
from catalog.cli import main
from catalog.extensions import db
from catalog.models import Base
from catalog.models import ChangeRecord
from catalog.models import Tool
from catalog.services import accounts
from catalog.services import dump
from catalog.services import entities
from tests.dump_catalog import table_counts
from tests.dump_catalog import views


def test_every_table_of_the_model_is_in_the_dump_with_its_rows(source):
    _, path, seen = source
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh]
    header, footer = lines[0], lines[-1]
    names = [tb.name for tb in Base.metadata.sorted_tables]
    # A table added to the model is carried without touching the dump: none can be forgotten.
    assert header["tables"] == names
    assert [item["table"] for item in lines if isinstance(item, dict) and "table" in item] == names
    assert footer == {"end": True, "rows": seen["counts"]}
    for item in lines:
        if isinstance(item, dict) and "table" in item:
            assert item["columns"] == [c.name for c in Base.metadata.tables[item["table"]].c]
    # the populated catalog has a row in every table of today's model
    assert [n for n, c in seen["counts"].items() if c == 0] == []
    assert path.stat().st_mode & 0o077 == 0  # password hashes: for the owner's eyes only


def test_sqlite_dump_restores_exactly_into_the_suite_database(source, app, tmp_path):
    _, path, seen = source
    with app.app_context():
        restored = dump.restore(db.session, path)
        db.session.commit()
        assert restored == seen["counts"]
        again = tmp_path / "again.dump.gz"
        dump.dump(db.session, again)
        assert views(db.session) == seen["views"]
        assert table_counts(db.session) == seen["counts"]
    # byte for byte: the same text whichever database it was read from
    assert gzip.open(again).read() == gzip.open(path).read()


def test_inserts_after_a_restore_get_new_ids(source, app):
    _, path, seen = source
    with app.app_context():
        dump.restore(db.session, path)
        db.session.commit()
        last_tool = db.session.scalar(sa.select(sa.func.max(Tool.id)))
        tool = entities.save_tool(
            db.session, {"name": "After Restore", "annual_cost": "12.5"}, actor="test"
        )
        viewer = {"email": "new@example.com", "role": "viewer"}
        accounts.create_user(db.session, **viewer, password="long enough password", actor="test")
        db.session.commit()
        assert tool.id == last_tool + 1
        assert db.session.scalar(sa.select(sa.func.count(ChangeRecord.id))) == (
            seen["views"]["changes"] + 2
        )
        assert db.session.get(Tool, tool.id).annual_cost == Decimal("12.50")
        # accounts came across with their password hashes: the old password still signs in
        admin = accounts.authenticate(db.session, "admin@demo.example", "correct horse battery")
        assert admin is not None and admin.role == "admin"
        assert (
            accounts.authenticate(db.session, "viewer@demo.example", "correct horse battery")
            is None
        )  # still disabled


def test_cli_dump_of_a_migrated_database_restores_with_the_cli(app, runner, tmp_path):
    fresh = create_app(
        {"TESTING": True, "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp_path / 'm.sqlite'}"}}
    )
    fresh_runner = fresh.test_cli_runner()
    for args in (["db", "upgrade"], ["demo", "--today", "2026-11-22"]):
        assert fresh_runner.invoke(main, args).exit_code == 0
    path = tmp_path / "migrated.dump"
    result = fresh_runner.invoke(main, ["dump", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {path}: " in result.output
    with fresh.app_context():
        head = dump.alembic_revision(db.session.connection())
        db.engine.dispose()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert head and json.loads(lines[0])["alembic_revision"] == head

    result = runner.invoke(main, ["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert "Restored " in result.output
    again = tmp_path / "again.dump.gz"
    assert runner.invoke(main, ["dump", str(again)]).exit_code == 0
    # the suite's schema was made without Alembic, so only the header's revision differs
    assert (
        gzip.open(again, "rt", encoding="utf-8").read().splitlines(keepends=True)[1:] == (lines[1:])
    )
    result = runner.invoke(main, ["restore", str(path)])
    assert result.exit_code == 1
    assert "nothing restored. this database is not empty (change_record has rows)" in result.output
