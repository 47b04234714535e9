"""`martech backup`: a consistent copy of a live SQLite file while another connection writes."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from catalog.cli import main
from catalog.extensions import db
from catalog.services import bundle
from catalog.services.demo import demo_bundle
from tests.conftest import ON_POSTGRES
from tests.dump_catalog import TODAY
from tests.dump_catalog import sqlite_app

INSERT = (
    "INSERT INTO change_record (at, actor, action, object_type, object_key) "
    "VALUES ('2026-12-01 10:00:00.000000', 'writer', 'create', 'pair', ?)"
)


class PairWriter(threading.Thread):
    """Writes two change records per transaction until stopped: a torn copy shows an odd count."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.stop, self.started = path, threading.Event(), threading.Event()
        self.pairs = 0

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        while not self.stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(INSERT, (f"a{self.pairs}",))
            conn.execute(INSERT, (f"b{self.pairs}",))
            conn.execute("COMMIT")
            self.pairs += 1
            if self.pairs == 50:
                self.started.set()
        conn.close()


@pytest.mark.skipif(ON_POSTGRES, reason="backs up SQLite files")
def test_backup_of_a_live_database_is_one_consistent_snapshot(tmp_path):
    path = tmp_path / "live.sqlite"
    app = sqlite_app(path)
    with app.app_context():
        bundle.import_bundle(db.session, demo_bundle(TODAY), actor="demo")
        db.session.commit()
        expected = bundle.export_bundle(db.session)
    writer = PairWriter(path)
    writer.start()
    assert writer.started.wait(30)
    runner = app.test_cli_runner()
    copy = tmp_path / "copy.sqlite"
    try:
        result = runner.invoke(main, ["backup", str(copy)])
        pairs_after_backup = writer.pairs
    finally:
        writer.stop.set()
        writer.join(30)
    assert result.exit_code == 0, result.output
    assert f"Backed up {path} to {copy}" in result.output

    assert copy.stat().st_mode & 0o077 == 0  # password hashes: for the owner's eyes only
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # one file, no -wal beside it to carry along
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copied = conn.execute("SELECT count(*) FROM change_record WHERE actor = 'writer'").fetchone()[0]
    conn.close()
    assert copied % 2 == 0  # never half a transaction
    assert 100 <= copied <= 2 * pairs_after_backup
    assert writer.pairs > copied // 2  # the writer carried on while and after the copy was made

    copy_app = sqlite_app(copy)
    with copy_app.app_context():
        assert bundle.export_bundle(db.session) == expected
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()


@pytest.mark.skipif(ON_POSTGRES, reason="backs up SQLite files")
def test_backup_does_not_replace_a_file_unless_told(runner, tmp_path):
    copy = tmp_path / "copy.sqlite"
    copy.write_text("yesterday's backup", encoding="utf-8")
    result = runner.invoke(main, ["backup", str(copy)])
    assert result.exit_code == 1
    assert f"{copy} exists; choose another name or pass --overwrite" in result.output
    assert copy.read_text(encoding="utf-8") == "yesterday's backup"
    result = runner.invoke(main, ["backup", "--overwrite", str(copy)])
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL has its own backup tools")
def test_backup_on_postgresql_points_to_pg_dump(runner, tmp_path):
    result = runner.invoke(main, ["backup", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 1
    assert "on PostgreSQL use pg_dump" in result.output
    assert "or `martech dump FILE`" in result.output
    assert not (tmp_path / "copy.sqlite").exists()
