"""Time the graph page against bare graphviz on the same DOT, and the 1,000-tool whole stack.

Run: .venv/bin/python benchmarks/graph.py [--runs N]
Prints medians; targets: page <= 1.3x bare `dot -Tsvg` for a focused demo view and a 200-tool
view; 1,000-tool whole stack first render (sfdp) < 2 s, cached render < 50 ms. Also prints the
cached page (the fixed cost of any page: request hooks, version query, base template), the size
of the demo whole-stack picture (it should be landscape, to fit a 1280x900 window) and the load
average: the machine is shared, read ratios, not milliseconds.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from audit import median_time  # noqa: E402

from catalog import create_app  # noqa: E402
from catalog.cli import main as cli_main  # noqa: E402
from catalog.extensions import db  # noqa: E402
from catalog.models import Base  # noqa: E402
from catalog.services.bundle import import_bundle  # noqa: E402


def make(tmp: Path, name: str):  # type: ignore[no-untyped-def]
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp / name}.sqlite"},
            "GRAPH_LAYOUT_TIMEOUT": 60,
            "AUTH_ENABLED": False,
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
    return app


def layered(n: int) -> dict[str, list[dict[str, object]]]:
    """Return a bundle of n tools in five tiers, about two flows and one dependency per tool."""
    cats = [
        "crm",
        "email-marketing",
        "customer-data-platform",
        "data-warehouse",
        "dashboards-data-visualization",
    ]
    tiers = 5
    tools = [
        {
            "slug": f"t{i}",
            "name": f"Tool {i}",
            "category": cats[i % tiers],
            "lifecycle": ("sanctioned", "discovered", "requested")[i % 3],
            "data_classes": ["contact_pii"] if i % 4 == 0 else [],
        }
        for i in range(n)
    ]
    flows, deps = [], []
    for i in range(n):
        for step in (tiers, tiers * 3 + 1):
            j = i + step
            if j < n:
                flows.append(
                    {
                        "source": f"t{i}",
                        "target": f"t{j}",
                        "mechanism": "api",
                        "data_classes": ["contact_pii", "behavioral"],
                        "managed_by_it": i % 2 == 0,
                    }
                )
        if i % 3 == 0 and i + 1 < n:
            deps.append({"tool": f"t{i + 1}", "depends_on": f"t{i}", "kind": "data"})
    return {"tools": tools, "flows": flows, "dependencies": deps}


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    return median_time(fn, runs) * 1000


def page_vs_dot(app, query: str, runs: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    dot_source = client.get(f"/graph?{query}&format=dot").data

    def page() -> None:
        app.extensions["graph_cache"].clear()  # measure a real render, not the cache
        assert client.get(f"/graph?{query}").status_code == 200

    def bare() -> None:
        subprocess.run(["dot", "-Tsvg"], input=dot_source, capture_output=True, check=True)

    page()  # warm up imports and templates
    nodes = dot_source.count(b"URL=")
    # Page and bare dot alternate, so a change in the machine's load hits both alike.
    pages, bares = [], []
    for _ in range(runs):
        pages.append(median_ms(page, 1))
        bares.append(median_ms(bare, 1))
    return statistics.median(pages), statistics.median(bares), nodes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        demo = make(tmp, "demo")
        assert demo.test_cli_runner().invoke(cli_main, ["demo"]).exit_code == 0
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        rows = []
        page, bare, n = page_vs_dot(demo, "focus=segment&depth=2&direction=both", runs)
        rows.append(("demo, focus segment +-2 hops", n, page, bare))
        page, bare, n = page_vs_dot(demo, "", runs)
        rows.append(("demo whole stack", n, page, bare))
        client = demo.test_client()
        cached = median_ms(lambda: client.get("/graph?focus=segment&depth=2&direction=both"), runs)
        svg = client.get("/graph?format=svg").text
        width, height = re.search(r'width="(\d+)pt" height="(\d+)pt"', svg).groups()
        gen = make(tmp, "gen200")
        with gen.app_context():
            import_bundle(db.session, layered(200), actor="bench")
            db.session.commit()
        page, bare, n = page_vs_dot(gen, "depth=2", runs)
        rows.append(("generated 200-tool whole stack", n, page, bare))
        print(
            f"{'view':34} {'tools':>5} {'page ms':>9} {'dot ms':>8} {'ratio':>6}"
            f"  (medians of {runs})"
        )
        for label, n, page, bare in rows:
            print(f"{label:34} {n:5d} {page:9.1f} {bare:8.1f} {page / bare:6.2f}")
        print(
            f"cached demo page (fixed cost of any page): {cached:.1f} ms; demo whole stack "
            f"is {width} x {height} pt (was 1905 x 2706 before the compact layout)"
        )

        big = make(tmp, "gen1000")
        with big.app_context():
            import_bundle(db.session, layered(1000), actor="bench")
            db.session.commit()
        client = big.test_client()
        client.get("/graph?format=csv")  # warm up: imports, first query
        firsts, cached = [], []
        for _ in range(max(3, runs // 2)):
            big.extensions["graph_cache"].clear()
            started = time.perf_counter()
            # Every tool drawn (the page itself starts as the group overview at this size).
            response = client.get("/graph?all=1")
            firsts.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and "<svg" in response.text, "layout timed out"
            assert "Laid out by sfdp" in response.text
            cached.append(median_ms(lambda: client.get("/graph?all=1"), 5))
        sfdp_bytes = len(response.data)
        overview_first, overview_cached = [], []
        for _ in range(max(3, runs // 2)):
            big.extensions["catalog_caches"].region("graph.overview").clear()
            started = time.perf_counter()
            response = client.get("/graph")
            overview_first.append((time.perf_counter() - started) * 1000)
            assert "too many to draw" in response.text and "<svg" in response.text
            overview_cached.append(median_ms(lambda: client.get("/graph"), 5))
        overview_bytes = len(response.data)
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"1,000-tool whole stack (sfdp): first render {statistics.median(firsts):.0f} ms "
            f"(target < 2000), cached {statistics.median(cached):.1f} ms (target < 50), "
            f"page {sfdp_bytes / 1e6:.1f} MB"
        )
        print(
            f"1,000-tool overview (the page's start): first "
            f"{statistics.median(overview_first):.0f} ms, cached "
            f"{statistics.median(overview_cached):.1f} ms, page {overview_bytes / 1e3:.0f} KB"
        )
        for app in (demo, gen, big):
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
