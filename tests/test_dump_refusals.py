"""A restore refuses a dump it cannot take whole (a full database, a cut-short, damaged,
hand-edited or other-revision dump) and writes nothing (`source`: see tests/conftest.py).
"""

from __future__ import annotations

import gzip
import json

import pytest

from catalog.extensions import db
from catalog.models import IgnoredApp
from catalog.services import dump
from tests.dump_catalog import edited_dump
from tests.dump_catalog import table_counts


def test_restore_into_a_database_with_any_row_refuses_and_writes_nothing(source, app):
    _, path, _ = source
    with app.app_context():
        db.session.add(IgnoredApp(source="okta", value="0oa-x", label="X"))
        db.session.commit()
        before = table_counts(db.session)
        with pytest.raises(dump.DumpError, match=r"not empty \(ignored_app has rows\)"):
            dump.restore(db.session, path)
        db.session.rollback()
        assert table_counts(db.session) == before


def test_a_cut_short_dump_restores_nothing(source, app, tmp_path):
    _, path, _ = source
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines(keepends=True)
    cut = tmp_path / "cut.dump"
    cut.write_text("".join(lines[:-40]), encoding="utf-8")  # no footer: an interrupted copy
    with app.app_context():
        with pytest.raises(dump.DumpError, match="ends before the end of the dump"):
            dump.restore(db.session, cut)
        db.session.rollback()
        assert set(table_counts(db.session).values()) == {0}
        notdump = tmp_path / "bundle.json"
        notdump.write_text('{"tools": []}\n', encoding="utf-8")
        with pytest.raises(dump.DumpError, match="is not a martech dump"):
            dump.restore(db.session, notdump)


def test_a_gzipped_dump_is_read_whatever_its_name_and_a_damaged_one_is_refused(
    source, app, tmp_path
):
    _, path, seen = source
    damaged = tmp_path / "damaged.dump.gz"
    damaged.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    renamed = tmp_path / "catalog.backup"
    renamed.write_bytes(path.read_bytes())
    with app.app_context():
        with pytest.raises(dump.DumpError, match="cannot be read to the end"):
            dump.restore(db.session, damaged)
        db.session.rollback()
        assert set(table_counts(db.session).values()) == {0}
        assert dump.restore(db.session, renamed) == seen["counts"]


def test_a_hand_edited_dump_with_a_bad_value_or_reference_restores_nothing(source, app, tmp_path):
    _, path, _ = source
    bad_date = tmp_path / "bad-date.dump"
    line = edited_dump(path, bad_date, "tool", "renewal_date", "2027-02-30")
    dangling = tmp_path / "dangling.dump"
    edited_dump(path, dangling, "data_flow", "source_id", 99999)
    with app.app_context():
        with pytest.raises(dump.DumpError, match=f"bad-date.dump, line {line}: tool: "):
            dump.restore(db.session, bad_date)
        db.session.rollback()
        with pytest.raises(dump.DumpError, match="data_flow: the database refused a row"):
            dump.restore(db.session, dangling)
        db.session.rollback()
        assert set(table_counts(db.session).values()) == {0}


def test_restore_refuses_a_dump_of_another_schema_revision(source, app, tmp_path):
    _, path, _ = source
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines(keepends=True)
    header = json.loads(lines[0]) | {"alembic_revision": "000000000000"}
    other = tmp_path / "other.dump"
    other.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
            conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('c3ec6fbc4936')")
        try:
            with pytest.raises(
                dump.DumpError, match="revision 000000000000 and this database is at c3ec6fbc4936"
            ):
                dump.restore(db.session, other)
            db.session.rollback()
        finally:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE alembic_version")
        assert set(table_counts(db.session).values()) == {0}
