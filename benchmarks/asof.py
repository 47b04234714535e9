"""Benchmark the audit of a past day against the audit of today, on one SQLite catalog.

Run: .venv/bin/python benchmarks/asof.py [--tools 10000] [--changes 100000] [--runs 5]

Builds a catalog of --tools tools (3 flows and 1 dependency each, the mix of benchmarks/audit.py)
with --changes change records spread over a year (a create per record, then updates), in a
temporary SQLite file. Then alternates, cold each time (caches cleared):
- today: load the present catalog (load_snapshot) and run the audit;
- as of 60 days ago: rebuild that day's catalog from the change log and run the audit.
Prints the medians and their ratio. Target (2-core machine): as-of at most 3x today.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlalchemy as sa  # noqa: E402
from audit import generate  # noqa: E402
from audit import insert_rows  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from catalog.analysis.audit import run_audit  # noqa: E402
from catalog.models import Base  # noqa: E402
from catalog.models import ChangeRecord  # noqa: E402
from catalog.services import history  # noqa: E402
from catalog.services.snapshot import load_snapshot  # noqa: E402

TODAY = date.today()
PAST = TODAY - timedelta(days=60)


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def build(url: str, n_tools: int, n_changes: int) -> None:
    rows = generate(n_tools)
    rng = random.Random(7)
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    start = datetime.combine(TODAY - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    with engine.begin() as conn:
        insert_rows(conn, rows)
        slugs = [t["slug"] for t in rows["tools"]]
        flows = [dict(x) for x in rows["flows"]]

        # The change log: a create per record on a day of the past year, then updates.
        records: list[tuple[str, str, dict]] = []
        records += [("person", p["email"], p) for p in rows["people"]]
        records += [("tool", t["slug"], {k: _iso(v) for k, v in t.items()}) for t in rows["tools"]]
        records += [
            (
                "flow",
                f"{slugs[f['source']]}->{slugs[f['target']]} ({f['mechanism']})",
                f | {"source": slugs[f["source"]], "target": slugs[f["target"]]},
            )
            for f in flows
        ]
        records += [
            (
                "dependency",
                f"{slugs[d['tool']]}->{slugs[d['depends_on']]}",
                {
                    "tool": slugs[d["tool"]],
                    "depends_on": slugs[d["depends_on"]],
                    "kind": d["kind"],
                    "description": "",
                },
            )
            for d in rows["deps"]
        ]
        records += [
            (
                "sighting",
                f"{s['source']}:{s['observed_name']}",
                {k: _iso(v) for k, v in s.items()} | {"tool": slugs[s["tool"]]},
            )
            for s in rows["sightings"]
        ]
        creates = [
            (kind, key, after, start + timedelta(minutes=rng.randrange(365 * 24 * 60)))
            for kind, key, after in records
        ]
        updates = []
        tools = [r for r in creates if r[0] == "tool"]
        while len(creates) + len(updates) < n_changes:
            kind, key, after, born = rng.choice(tools)
            later = born + timedelta(minutes=rng.randrange(1, 60 * 24 * 90))
            updates.append((kind, key, after | {"description": f"edit {len(updates)}"}, later))
        batch = sorted(creates + updates, key=lambda r: r[3])
        conn.execute(
            sa.insert(ChangeRecord),
            [
                {
                    "at": at,
                    "actor": "bench",
                    "action": "update",
                    "object_type": kind,
                    "object_key": key,
                    "before": None,
                    "after": json.loads(json.dumps(after)),
                }
                for kind, key, after, at in batch
            ],
        )
        print(
            f"catalog: {n_tools} tools, {len(flows)} flows, {len(rows['deps'])} dependencies, "
            f"{len(rows['sightings'])} sightings; {len(batch)} change records"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/asof.sqlite"
        build(url, args.tools, args.changes)
        engine = sa.create_engine(url)
        now_times, past_times = [], []
        with Session(engine) as session:
            # Alternate, so a change of load hits both alike. Every run loads a new snapshot,
            # so nothing built from the previous one (its graph) is reused: runs are cold.
            for _ in range(args.runs):
                t0 = time.perf_counter()
                run_audit(load_snapshot(session), TODAY)
                now_times.append(time.perf_counter() - t0)
                session.rollback()
                t0 = time.perf_counter()
                snap = history.snapshot_as_of(session, PAST, version="bench")
                run_audit(snap, PAST)
                past_times.append(time.perf_counter() - t0)
                session.rollback()
            tools_then = len(snap.tools)
        now, past = statistics.median(now_times), statistics.median(past_times)
        print(f"audit today (load + rules):            median {now * 1000:7.0f} ms")
        print(
            f"audit as of {PAST} (rebuild + rules): median {past * 1000:7.0f} ms "
            f"({tools_then} tools that day)"
        )
        print(f"ratio as-of / today: {past / now:.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
