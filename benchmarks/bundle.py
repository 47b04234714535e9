"""Benchmark bulk loading: a 10,000-tool bundle import, and dump + restore of that catalog.

Run: .venv/bin/python benchmarks/bundle.py [--tools 10000] [--runs 3] [--pg URL]

The bundle: N tools, 3N flows, N dependencies, N/2 sightings, N/20 people. Each run, on a fresh
empty schema each time, measures in the same process:

  bare     a SQLAlchemy Core executemany of the same rows (ids given, nothing validated, no
           change records): the floor any import is measured against;
  import   `bundle.import_bundle` + commit: validation, references, created/updated/unchanged,
           one change record per created record;
  dump     `martech dump` of the imported catalog (gzip) and `restore` into an empty schema.

--pg takes a PostgreSQL URL (or DATABASE_URL if it is one); the script creates its own database
on that server, runs there too, and drops it at the end. Prints medians and import / bare.
Targets (2-core machine): import <= 5x bare, < 10 s on SQLite; dump + restore < 20 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import typing as t
from datetime import date
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog import create_app  # noqa: E402
from catalog.extensions import db  # noqa: E402
from catalog.extensions import write_intent  # noqa: E402
from catalog.models import Base  # noqa: E402
from catalog.models import DataFlow  # noqa: E402
from catalog.models import Dependency  # noqa: E402
from catalog.models import Person  # noqa: E402
from catalog.models import Sighting  # noqa: E402
from catalog.models import Tool  # noqa: E402
from catalog.services import bundle as bundle_service  # noqa: E402
from catalog.services import dump as dump_service  # noqa: E402
from catalog.taxonomy import CATEGORIES  # noqa: E402
from catalog.vocab import DATA_CLASSES  # noqa: E402
from catalog.vocab import DEPENDENCY_KINDS  # noqa: E402
from catalog.vocab import LIFECYCLES  # noqa: E402
from catalog.vocab import MECHANISMS  # noqa: E402

AS_OF = date(2026, 11, 22)


def make_bundle(n: int, seed: int = 1) -> dict[str, list[dict[str, t.Any]]]:
    rng = random.Random(seed)
    categories = sorted(CATEGORIES)
    people = [
        {
            "email": f"p{i}@bench.example",
            "name": f"Person {i}",
            "department": "marketing",
            "active": True,
        }
        for i in range(max(10, n // 20))
    ]
    tools = [
        {
            "slug": f"tool-{i}",
            "name": f"Tool {i}",
            "vendor": f"Vendor {i % 700}",
            "category": rng.choice(categories),
            "lifecycle": rng.choice(LIFECYCLES),
            "business_owner": rng.choice(people)["email"] if rng.random() < 0.85 else None,
            "technical_owner": rng.choice(people)["email"] if rng.random() < 0.75 else None,
            "data_classes": sorted(
                set(rng.sample(DATA_CLASSES, rng.randint(0, 2))), key=DATA_CLASSES.index
            ),
            "sso_enabled": rng.random() < 0.6,
            "dpa_signed": rng.random() < 0.7,
            "annual_cost": round(rng.uniform(500, 50000), 2) if rng.random() < 0.7 else None,
            "seats": rng.randint(1, 500),
            "renewal_date": (AS_OF + timedelta(days=rng.randint(-30, 400))).isoformat(),
            "requested_at": (AS_OF - timedelta(days=rng.randint(1, 900))).isoformat(),
        }
        for i in range(n)
    ]
    flows = []
    for i in range(n):
        for k, mechanism in enumerate(rng.sample(MECHANISMS, 3)):
            flows.append(
                {
                    "source": f"tool-{i}",
                    "target": f"tool-{(i + 1 + k * 7) % n}",
                    "mechanism": mechanism,
                    "managed_by_it": rng.random() < 0.6,
                    "data_classes": rng.sample(["contact_pii", "behavioral"], 1),
                }
            )
    deps = [
        {
            "tool": f"tool-{i}",
            "depends_on": f"tool-{(i + 3) % n}",
            "kind": rng.choice(DEPENDENCY_KINDS),
        }
        for i in range(n)
    ]
    sightings = [
        {
            "source": rng.choice(["okta", "card_csv"]),
            "observed_name": f"Tool {i}",
            "tool": f"tool-{i}",
            "first_seen": "2026-01-02",
            "last_seen": "2026-11-02",
            "users": rng.randint(1, 50),
            "spend": round(rng.uniform(10, 900), 2),
        }
        for i in range(0, n, 2)
    ]
    return {
        "people": people,
        "tools": tools,
        "flows": flows,
        "dependencies": deps,
        "sightings": sightings,
    }


def bare_rows(b: dict[str, list[dict[str, t.Any]]]) -> list[tuple[sa.Table, list[dict]]]:
    """The same records as plain rows with their ids decided here: nothing left to look up."""
    person = {p["email"]: i for i, p in enumerate(b["people"], start=1)}
    tool = {tl["slug"]: i for i, tl in enumerate(b["tools"], start=1)}
    day = date.fromisoformat

    def money(value: float | None) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    return [
        (Person.__table__, [p | {"id": person[p["email"]], "version": 1} for p in b["people"]]),
        (
            Tool.__table__,
            [
                {k: v for k, v in tl.items() if k not in ("business_owner", "technical_owner")}
                | {
                    "id": tool[tl["slug"]],
                    "version": 1,
                    "business_owner_id": person.get(tl["business_owner"] or ""),
                    "technical_owner_id": person.get(tl["technical_owner"] or ""),
                    "annual_cost": money(tl["annual_cost"]),
                    "renewal_date": day(tl["renewal_date"]),
                    "requested_at": day(tl["requested_at"]),
                }
                for tl in b["tools"]
            ],
        ),
        (
            DataFlow.__table__,
            [
                {k: v for k, v in f.items() if k not in ("source", "target")}
                | {"source_id": tool[f["source"]], "target_id": tool[f["target"]], "version": 1}
                for f in b["flows"]
            ],
        ),
        (
            Dependency.__table__,
            [
                {
                    "tool_id": tool[d["tool"]],
                    "depends_on_id": tool[d["depends_on"]],
                    "kind": d["kind"],
                    "version": 1,
                }
                for d in b["dependencies"]
            ],
        ),
        (
            Sighting.__table__,
            [
                {k: v for k, v in s.items() if k != "tool"}
                | {
                    "tool_id": tool[s["tool"]],
                    "first_seen": day(s["first_seen"]),
                    "last_seen": day(s["last_seen"]),
                    "spend": money(s["spend"]),
                }
                for s in b["sightings"]
            ],
        ),
    ]


def fresh_schema(url: str) -> None:
    engine = sa.create_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()


def app_for(url: str) -> t.Any:
    return create_app({"TESTING": True, "SQLALCHEMY_ENGINES": {"default": url}}, web=False)


CPU: dict[str, list[float]] = {}


def timed(action: t.Callable[[], t.Any], name: str = "") -> float:
    """Return the wall time of `action`; keep this process's CPU time under `name` too."""
    start, cpu = time.perf_counter(), time.process_time()
    action()
    if name:
        CPU.setdefault(name, []).append(time.process_time() - cpu)
    return time.perf_counter() - start


def bare(url: str, rows: list[tuple[sa.Table, list[dict]]]) -> float:
    fresh_schema(url)
    engine = sa.create_engine(url)

    def insert() -> None:
        with engine.begin() as conn:
            for table, batch in rows:
                conn.execute(table.insert(), batch)

    took = timed(insert, "bare")
    engine.dispose()
    return took


def import_once(url: str, data: dict) -> tuple[float, t.Any]:
    fresh_schema(url)
    app = app_for(url)

    def run() -> None:
        with app.app_context(), write_intent():
            bundle_service.import_bundle(db.session, data, actor="bench")
            db.session.commit()

    return timed(run, "import"), app


def dump_restore(app: t.Any, target_url: str, path: Path) -> tuple[float, float]:
    with app.app_context():
        took_dump = timed(lambda: dump_service.dump(db.session, path), "dump")
        db.engine.dispose()
    fresh_schema(target_url)
    target = app_for(target_url)

    def restore() -> None:
        with target.app_context(), write_intent():
            dump_service.restore(db.session, path)
            db.session.commit()

    took_restore = timed(restore, "restore")
    with target.app_context():
        db.engine.dispose()
    return took_dump, took_restore


def bench(label: str, urls: tuple[str, str], data: dict, runs: int, tmp: Path) -> None:
    rows = bare_rows(data)
    bares, imports, dumps, restores = [], [], [], []
    for _ in range(runs):  # interleaved, so a busy moment on the machine hits both sides
        bares.append(bare(urls[0], rows))
        took, app = import_once(urls[0], data)
        imports.append(took)
        path = tmp / "bench.dump.gz"
        took_dump, took_restore = dump_restore(app, urls[1], path)
        dumps.append(took_dump)
        restores.append(took_restore)
    b, i = statistics.median(bares), statistics.median(imports)
    d, r = statistics.median(dumps), statistics.median(restores)
    size = (tmp / "bench.dump.gz").stat().st_size / 1e6
    print(
        f"{label:<11} bare {b:6.2f} s   import {i:6.2f} s   import/bare {i / b:4.1f}x   "
        f"dump {d:5.2f} s + restore {r:5.2f} s = {d + r:5.2f} s   ({size:.1f} MB gzipped)"
    )
    # On a shared machine the wall times swing with the load; this process's CPU time does not
    # (it leaves out the PostgreSQL server's own work).
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    print(
        f"{'':<11} CPU of this process: bare {cpu['bare']:.2f} s, import {cpu['import']:.2f} s "
        f"({cpu['import'] / cpu['bare']:.1f}x), dump {cpu['dump']:.2f} s, "
        f"restore {cpu['restore']:.2f} s"
    )
    CPU.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tools", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    env_url = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--pg",
        default=env_url if env_url.startswith("postgres") else "",
        help="a PostgreSQL server URL; the script makes and drops its database",
    )
    args = parser.parse_args()
    data = make_bundle(args.tools)
    counts = ", ".join(f"{len(v)} {k}" for k, v in data.items())
    print(f"bundle: {counts}; medians of {args.runs} runs\n")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        sqlite = tuple(f"sqlite:///{tmp_path / name}" for name in ("a.sqlite", "b.sqlite"))
        bench("SQLite", sqlite, data, args.runs, tmp_path)  # type: ignore[arg-type]
        if args.pg:
            server = sa.make_url(args.pg)
            if server.drivername in ("postgres", "postgresql"):
                server = server.set(drivername="postgresql+psycopg")  # as config.py does
            names = (f"martech_bench_{os.getpid()}_a", f"martech_bench_{os.getpid()}_b")
            admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for name in names:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                urls = tuple(
                    server.set(database=n).render_as_string(hide_password=False) for n in names
                )
                bench("PostgreSQL", urls, data, args.runs, tmp_path)  # type: ignore[arg-type]
            finally:
                with admin.connect() as conn:
                    for name in names:
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
    print("\ntargets: import <= 5x bare and < 10 s on SQLite; dump + restore < 20 s")


if __name__ == "__main__":
    main()
