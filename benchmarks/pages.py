"""Benchmark the pages people open, at 10,000 tools: median time and size of each.

Run: .venv/bin/python benchmarks/pages.py [--tools 10000] [--runs 7]

Builds a catalog of --tools tools (the mix of benchmarks/audit.py: 3 flows and 1 dependency per
tool, sightings, owners) in a temporary SQLite file, then requests each page in turn through the
app (in process, sign-in off), alternating with a baseline measured in the same run: the sign-in
page, which renders a template and touches no catalog data. Prints the first (cold) time, the
median of the warm runs, the ratio to the baseline and the size of the HTML.
Targets (2-core machine): every page's warm median under 300 ms; /audit under 500 KB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlalchemy as sa  # noqa: E402
from audit import generate  # noqa: E402
from audit import insert_rows  # noqa: E402

from catalog import create_app  # noqa: E402
from catalog.models import Base  # noqa: E402

PAGES = [
    "/",
    "/tools",
    "/audit",
    "/audit?rule=SHADOW_DISCOVERED",
    "/tools/tool-42",
    "/graph",
    "/graph?focus=tool-42",
    "/imports/triage",
    "/review",
    "/scorecard",
    "/imports",
    "/tools/tool-42/list/blast?page=200",
    "/imports/triage?page=30",
    "/review?page=40",
]


def build(url: str, n: int) -> None:
    rows = generate(n)
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        insert_rows(conn, rows)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/pages.sqlite"
        build(url, args.tools)
        app = create_app(
            {
                "SQLALCHEMY_ENGINES": {"default": url},
                "AUTH_ENABLED": False,
                "SECRET_KEY": "x" * 32,
                "TESTING": True,
            }
        )
        client = app.test_client()
        print(f"{'page':34} {'first ms':>9} {'median ms':>10} {'x login':>8} {'KB':>8}")
        missed = []
        for path in args.pages.split(","):
            started = time.perf_counter()
            response = client.get(path)
            first = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                print(f"{path:34} answered {response.status_code}")
                missed.append(path)
                continue
            warm, base = [], []
            for _ in range(args.runs):
                started = time.perf_counter()
                client.get("/login")
                base.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                response = client.get(path)
                warm.append((time.perf_counter() - started) * 1000)
            median, baseline = statistics.median(warm), statistics.median(base)
            size = len(response.data) / 1024
            print(f"{path:34} {first:9.0f} {median:10.1f} {median / baseline:8.1f} {size:8.0f}")
            if median >= 300 or (path == "/audit" and size >= 500):
                missed.append(path)
        print(
            "targets (warm median < 300 ms, /audit < 500 KB): "
            + ("met" if not missed else f"MISSED for {', '.join(missed)}")
        )


if __name__ == "__main__":
    main()
