"""Benchmark the audit: in-process at 1k/10k/100k tools, and `martech audit` end to end at 10k.

Run: .venv/bin/python benchmarks/audit.py [--sizes 1000,10000,100000] [--runs 3] [--no-cli]

Prints medians of cold runs (the networkx graph the audit keeps on the snapshot dropped before
each) beside a baseline measured in the same run on the same data: build an nx.DiGraph from the
edge list, one weakly_connected_components pass, one multi-source reachability pass. Targets
(2-core machine): audit <= 6x baseline, < 1 s at 10,000 tools; CLI JSON at 10,000 tools < 2 s.

"relative growth" is the audit's growth divided by the baseline's: every tenfold step here also
outgrows a CPU cache level (2 MB L2, 32 MB L3), so even the baseline's linear passes grow more
than tenfold in wall time; a figure at or under 1.0 means the audit scales as the baseline does.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import date
from datetime import timedelta
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.analysis.audit import run_audit  # noqa: E402
from catalog.analysis.snapshot import DependencyEdge  # noqa: E402
from catalog.analysis.snapshot import FlowEdge  # noqa: E402
from catalog.analysis.snapshot import PersonRec  # noqa: E402
from catalog.analysis.snapshot import SightingRec  # noqa: E402
from catalog.analysis.snapshot import Snapshot  # noqa: E402
from catalog.analysis.snapshot import ToolNode  # noqa: E402
from catalog.taxonomy import CATEGORIES  # noqa: E402
from catalog.vocab import MECHANISMS  # noqa: E402

AS_OF = date(2026, 11, 22)
LIFECYCLES = (
    ["sanctioned"] * 60
    + ["deprecated"] * 5
    + ["discovered"] * 10
    + ["requested"] * 8
    + ["in_review"] * 5
    + ["rejected"] * 6
    + ["retired"] * 6
)
CLASS_SETS = [
    [],
    ["campaign_metrics"],
    ["content"],
    ["contact_pii"],
    ["contact_pii", "behavioral"],
    ["transactional", "contact_pii"],
    ["behavioral"],
    ["consent", "contact_pii"],
    ["financial"],
    ["product_catalog"],
]


def generate(n: int, seed: int = 1) -> dict[str, list[dict]]:
    """Return plain rows for n tools, 3 flows and 1 dependency per tool, a realistic mix."""
    rng = random.Random(seed)
    categories = sorted(CATEGORIES)
    people = [
        {
            "email": f"p{i}@bench.example",
            "name": f"Person {i}",
            "department": rng.choice(["marketing", "it", "sales"]),
            "active": rng.random() > 0.05,
        }
        for i in range(max(10, n // 20))
    ]
    tools = []
    for i in range(n):
        lifecycle = rng.choice(LIFECYCLES)
        tools.append(
            {
                "slug": f"tool-{i}",
                "name": f"Tool {i}",
                "category": rng.choice(categories),
                "lifecycle": lifecycle,
                "business_owner": rng.choice(people)["email"] if rng.random() < 0.85 else None,
                "technical_owner": rng.choice(people)["email"] if rng.random() < 0.75 else None,
                "data_classes": rng.choice(CLASS_SETS),
                "system_of_record": lifecycle == "sanctioned" and rng.random() < 0.02,
                "sso_enabled": rng.random() < 0.6,
                "dpa_signed": rng.random() < 0.7,
                "security_reviewed": rng.random() < 0.6,
                "annual_cost": round(rng.uniform(500, 50000), 2) if rng.random() < 0.7 else None,
                "renewal_date": AS_OF + timedelta(days=rng.randint(-30, 400)),
                "requested_at": AS_OF - timedelta(days=rng.randint(1, 900)),
                "decided_at": (
                    AS_OF - timedelta(days=rng.randint(0, 300))
                    if lifecycle not in ("requested", "in_review", "discovered")
                    else None
                ),
            }
        )
    sors = [i for i, t in enumerate(tools) if t["system_of_record"]] or [0]
    flows, keys = [], set()
    for i in range(n):
        made = 0
        while made < 3:
            roll = rng.random()
            if roll < 0.80:  # teams wire tools near each other (stack clusters)
                j = (i + rng.randint(1, 40)) % n
            elif roll < 0.92:
                j = rng.choice(sors)
            else:
                j = rng.randrange(n)
            mechanism = rng.choice(MECHANISMS)
            if j == i or (i, j, mechanism) in keys:
                continue
            keys.add((i, j, mechanism))
            flows.append(
                {
                    "source": i,
                    "target": j,
                    "mechanism": mechanism,
                    "data_classes": rng.choice(CLASS_SETS),
                    "managed_by_it": rng.random() < 0.6,
                    "anonymized": rng.random() < 0.1,
                    "active": rng.random() < 0.9,
                }
            )
            made += 1
    deps = []
    dep_keys = set()
    for i in range(n):
        j = rng.randrange(min(20, n)) if rng.random() < 0.5 else rng.randrange(n)
        if j != i and (i, j) not in dep_keys:
            dep_keys.add((i, j))
            deps.append({"tool": i, "depends_on": j, "kind": rng.choice(["identity", "data"])})
    sightings = []
    for i in range(0, n, 2):
        last = AS_OF - timedelta(days=rng.randint(0, 200))
        sightings.append(
            {
                "source": rng.choice(["okta", "card_csv"]),
                "observed_name": f"T{i}",
                "tool": i,
                "first_seen": last - timedelta(days=rng.randint(0, 400)),
                "last_seen": last,
                "users": rng.randint(1, 50),
                "spend": round(rng.uniform(10, 900), 2) if rng.random() < 0.4 else None,
            }
        )
    return {"people": people, "tools": tools, "flows": flows, "deps": deps, "sightings": sightings}


def snapshot_of(rows: dict[str, list[dict]], version: str) -> Snapshot:
    tools = rows["tools"]
    slug = [t["slug"] for t in tools]
    # Share one frozenset per distinct class list, as load_snapshot does with the database's.
    sets: dict[frozenset[str], frozenset[str]] = {}

    def classes(names: list[str]) -> frozenset[str]:
        value = frozenset(names)
        return sets.setdefault(value, value)

    return Snapshot(
        people=tuple(PersonRec(**p) for p in rows["people"]),
        tools=tuple(ToolNode(**(t | {"data_classes": classes(t["data_classes"])})) for t in tools),
        flows=tuple(
            FlowEdge(
                slug[f["source"]],
                slug[f["target"]],
                classes(f["data_classes"]),
                f["mechanism"],
                f["managed_by_it"],
                f["anonymized"],
                f["active"],
            )
            for f in rows["flows"]
        ),
        dependencies=tuple(
            DependencyEdge(slug[d["tool"]], slug[d["depends_on"]], d["kind"]) for d in rows["deps"]
        ),
        sightings=tuple(
            SightingRec(
                s["source"],
                s["observed_name"],
                slug[s["tool"]],
                s["first_seen"],
                s["last_seen"],
                s["users"],
                0,
                s["spend"],
            )
            for s in rows["sightings"]
        ),
        version=version,
    )


def baseline(snapshot: Snapshot) -> None:
    """Build a DiGraph from the edges, one WCC pass, one multi-source reachability pass."""
    G = nx.DiGraph()
    G.add_nodes_from(t.slug for t in snapshot.tools)
    G.add_edges_from((f.source, f.target) for f in snapshot.flows)
    sum(1 for _ in nx.weakly_connected_components(G))
    sors = [t.slug for t in snapshot.tools if t.system_of_record]
    seen, queue = set(sors), deque(sors)
    while queue:
        for nxt in G._pred[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)


def median_time(fn, runs: int, setup=None) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()  # untimed: e.g. drop caches and the previous run's result
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def runs_for(n: int, runs: int) -> int:
    # Small sizes take milliseconds, as long as a shared machine's jitter: sample them more.
    return max(runs, 50_000 // n)


def in_process(sizes: list[int], runs: int) -> None:
    print(
        f"{'tools':>8} {'flows':>8} {'runs':>5} {'baseline s':>11} {'audit s':>9} {'ratio':>6} "
        f"{'audit growth':>13} {'base growth':>12} {'relative growth':>16} {'findings':>9}"
    )
    previous = previous_base = None
    for n in sizes:
        snap = snapshot_of(generate(n), f"bench-{n}")
        result = None

        def forget(snap: Snapshot = snap) -> None:
            nonlocal result
            result = None  # freeing the last report is not part of the next audit
            snap.derived.clear()  # nor the graph the previous run built

        def cold_audit(snap: Snapshot = snap) -> None:
            nonlocal result
            result = run_audit(snap, AS_OF)

        # Baseline and audit alternate, so a change in the machine's load hits both alike.
        base_times, audit_times = [], []
        for _ in range(runs_for(n, runs)):
            base_times.append(median_time(lambda: baseline(snap), 1))  # noqa: B023
            audit_times.append(median_time(cold_audit, 1, forget))
        base, took = statistics.median(base_times), statistics.median(audit_times)
        growth = f"{took / previous:.1f}x" if previous else "-"
        base_growth = f"{base / previous_base:.1f}x" if previous_base else "-"
        relative = (
            f"{(took / previous) / (base / previous_base):.2f}"
            if previous and previous_base
            else "-"
        )
        print(
            f"{n:>8} {len(snap.flows):>8} {len(audit_times):>5} {base:>11.4f} {took:>9.4f} "
            f"{took / base:>5.1f}x {growth:>13} {base_growth:>12} {relative:>16} "
            f"{len(result.findings):>9}"
        )  # type: ignore[union-attr]
        previous, previous_base = took, base


def insert_rows(conn: object, rows: dict[str, list[dict]]) -> None:
    """Insert `generate`'s rows with Core executemany (no change records), in key order."""
    import sqlalchemy as sa

    from catalog.models import DataFlow
    from catalog.models import Dependency
    from catalog.models import Person
    from catalog.models import Sighting
    from catalog.models import Tool

    conn.execute(sa.insert(Person), [p | {"version": 1} for p in rows["people"]])
    pid = dict(conn.execute(sa.select(Person.email, Person.id)).all())
    conn.execute(
        sa.insert(Tool),
        [
            {k: v for k, v in t.items() if k not in ("business_owner", "technical_owner")}
            | {
                "business_owner_id": pid.get(t["business_owner"]),
                "technical_owner_id": pid.get(t["technical_owner"]),
                "version": 1,
            }
            for t in rows["tools"]
        ],
    )
    tid = dict(conn.execute(sa.select(Tool.slug, Tool.id)).all())
    ids = [tid[t["slug"]] for t in rows["tools"]]
    conn.execute(
        sa.insert(DataFlow),
        [
            {k: v for k, v in f.items() if k not in ("source", "target")}
            | {"source_id": ids[f["source"]], "target_id": ids[f["target"]], "version": 1}
            for f in rows["flows"]
        ],
    )
    conn.execute(
        sa.insert(Dependency),
        [
            {
                "tool_id": ids[d["tool"]],
                "depends_on_id": ids[d["depends_on"]],
                "kind": d["kind"],
                "version": 1,
            }
            for d in rows["deps"]
        ],
    )
    conn.execute(
        sa.insert(Sighting),
        [
            {k: v for k, v in s.items() if k != "tool"} | {"tool_id": ids[s["tool"]], "version": 1}
            for s in rows["sightings"]
        ],
    )


def end_to_end(n: int, runs: int) -> None:
    import sqlalchemy as sa

    martech = str(Path(sys.executable).with_name("martech"))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        # This checkout's code, whichever checkout the installed `martech` points at.
        env = os.environ | {"DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        subprocess.run([martech, "db", "upgrade"], env=env, check=True, capture_output=True)
        # Measure the app as installed, with its bytecode compiled (bin/run and bin/test do
        # this too); otherwise PYTHONDONTWRITEBYTECODE would add a recompile to every run.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                str(ROOT / "catalog"),
                str(ROOT / "integrations"),
            ],
            check=True,
            capture_output=True,
        )
        rows = generate(n)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            insert_rows(conn, rows)
        engine.dispose()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            # Today's audit: a past --as-of would rebuild that day's catalog from the change
            # log, which this directly inserted catalog does not have (benchmarks/asof.py).
            out = subprocess.run(
                [martech, "audit", "--format", "json"], env=env, check=True, capture_output=True
            )
            times.append(time.perf_counter() - start)
        startup = median_time(
            lambda: subprocess.run([martech, "--help"], env=env, check=True, capture_output=True),
            runs,
        )
        json.loads(out.stdout)  # the figure counts only if the output is a valid document
        print(
            f"\nmartech audit --format json, {n} tools on SQLite: median "
            f"{statistics.median(times):.2f} s over {runs} runs (target < 2 s; of which CLI "
            f"start-up, `martech --help`, ~{startup:.2f} s; output {len(out.stdout) / 1e6:.1f} "
            f"MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args()
    # The machine is shared: say how busy it was, since every figure below depends on it.
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} CPUs (nproc), load average at start {load}; "
        f"Python {sys.version.split()[0]}, medians of {args.runs} runs\n"
    )
    in_process([int(x) for x in args.sizes.split(",")], args.runs)
    if not args.no_cli:
        end_to_end(10_000, args.runs)


if __name__ == "__main__":
    main()
