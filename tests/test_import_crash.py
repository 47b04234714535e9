"""A discovery import is one transaction: readers never see half of it, kill -9 leaves nothing.

Runs the real `martech import` console script on a 100,000-row Entra export against a SQLite file,
watches the database from a second connection while it works, and kills it with SIGKILL at several
points of its run. SQLite-only: the atomicity on PostgreSQL is the server's, tested by its authors.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.imports import generate
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="drives SQLite files directly")

MARTECH = str(Path(sys.executable).with_name("martech"))


def _state(path: Path) -> tuple[int, int, int]:
    with sqlite3.connect(path) as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("tool", "sighting", "change_record")
        )


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("pragma integrity_check").fetchone()[0]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("entra") / "signins.csv"
    generate(path, rows=100_000, apps=120, users=800)
    return path


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "empty.sqlite"
    env = os.environ | {"DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([MARTECH, "db", "upgrade"], env=env, check=True, capture_output=True)
    return path


def _start(db: Path, export: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{db}"}
    # Run from another folder, as a user would: the installed packages must resolve on their own.
    return subprocess.Popen(
        [MARTECH, "import", "entra", str(export)],
        env=env,
        cwd=db.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_readers_see_nothing_or_everything_and_kill_9_leaves_nothing(
    tmp_path: Path, export: Path, empty_db: Path
) -> None:
    # A complete run, watched by a concurrent reader (WAL lets it read while the import writes).
    db = tmp_path / "watched.sqlite"
    shutil.copy(empty_db, db)
    empty = _state(db)
    seen = set()
    started = time.perf_counter()
    proc = _start(db, export)
    while proc.poll() is None:
        seen.add(_state(db))
        time.sleep(0.002)
    duration = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr.read().decode()
    complete = _state(db)
    assert complete[:2] == (120, 120)  # one discovered tool and one sighting per app
    assert seen <= {empty, complete}, f"a reader saw a partial import: {sorted(seen)}"

    # Killed at several points of a run as long as the complete one, the import leaves either
    # nothing or (if the commit won the race) everything, and a sound database.
    for fraction in (0.5, 0.8, 0.9, 0.97):
        db = tmp_path / f"killed-{fraction}.sqlite"
        shutil.copy(empty_db, db)
        proc = _start(db, export)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _integrity(db) == "ok"
        assert _state(db) in (empty, complete), f"killed at {fraction:.0%}: half-applied"
