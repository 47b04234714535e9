"""Benchmark the tool search and the tool list at 10,000 tools, against plain substring scans.

Run: .venv/bin/python benchmarks/search.py [--tools 10000] [--runs 7] [--pg URL]

One SQLite catalog of N tools (pronounceable names, vendors, categories, owners, one alias per
tenth tool), then, in the same run, medians of:
- baseline 1: the old search, an exact-substring LIKE on name and vendor in SQL;
- baseline 2: an exact-substring scan of the same words in Python;
- the fuzzy search (rapidfuzz over the cached word index), warm, and the index build (cold);
- SQLite FTS5 with the trigram tokenizer, to show what it finds for a typo (nothing);
- with --pg (a PostgreSQL database the user owns): pg_trgm's word similarity (`q <% doc`) over
  the same words (name, slug, vendor, category label, owners), with a GIN trigram index;
- GET /tools and GET /tools?q=... through the app (audit cached), and the suggestion endpoint.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from catalog import create_app  # noqa: E402
from catalog.extensions import db  # noqa: E402
from catalog.models import Base  # noqa: E402
from catalog.models import ChangeRecord  # noqa: E402
from catalog.models import Person  # noqa: E402
from catalog.models import Tool  # noqa: E402
from catalog.models import ToolAlias  # noqa: E402
from catalog.services import tool_search  # noqa: E402
from catalog.taxonomy import CATEGORIES  # noqa: E402

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ve",
    "to",
    "zu",
    "pe",
    "sa",
    "ni",
    "qu",
    "do",
    "fi",
    "gra",
    "bel",
    "sto",
    "mar",
    "lin",
    "cor",
    "tex",
    "vio",
    "pul",
    "dex",
    "nor",
]
QUERIES = ["hubsopt", "hubspot", "crm", "email", "Person 17", "salesforse"]


def name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def build(url: str, n: int) -> None:
    rng = random.Random(7)
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    people = [
        {
            "email": f"person{i}@bench.example",
            "name": f"Person {i}",
            "department": "it",
            "active": True,
            "version": 1,
        }
        for i in range(max(10, n // 20))
    ]
    categories = sorted(CATEGORIES)
    with engine.begin() as conn:
        conn.execute(sa.insert(Person), people)
        ids = [row[0] for row in conn.execute(sa.select(Person.id))]
        tools = [
            {"slug": "hubspot", "name": "HubSpot", "vendor": "HubSpot Inc.", "category": "crm"},
            {"slug": "salesforce", "name": "Salesforce", "vendor": "Salesforce", "category": "crm"},
        ]
        seen = {"hubspot", "salesforce"}
        while len(tools) < n:
            label = name(rng)
            slug = f"{label.lower()}-{len(tools)}"
            if slug not in seen:
                seen.add(slug)
                tools.append(
                    {
                        "slug": slug,
                        "name": f"{label} {rng.choice(['', 'Cloud', 'Hub'])}".strip(),
                        "vendor": f"{name(rng)} Inc.",
                        "category": rng.choice(categories),
                    }
                )
        conn.execute(
            sa.insert(Tool),
            [
                t
                | {
                    "lifecycle": rng.choice(["sanctioned", "discovered", "requested", "retired"]),
                    "business_owner_id": rng.choice(ids),
                    "technical_owner_id": rng.choice(ids),
                    "data_classes": [],
                    "version": 1,
                }
                for t in tools
            ],
        )
        tool_ids = [row[0] for row in conn.execute(sa.select(Tool.id))]
        conn.execute(
            sa.insert(ToolAlias),
            [
                {"tool_id": tid, "source": "", "value": f"{name(rng).lower()} {tid}"}
                for tid in tool_ids[::10]
            ],
        )
        conn.execute(
            sa.insert(ChangeRecord),
            [
                {
                    "actor": "bench",
                    "action": "create",
                    "object_type": "tool",
                    "object_key": "bench",
                    "before": None,
                    "after": {},
                }
            ],
        )
    engine.dispose()


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def like_scan(session, q: str) -> list[int]:  # type: ignore[no-untyped-def]
    pattern = f"%{q.lower()}%"
    return list(
        session.scalars(
            sa.select(Tool.id).where(
                sa.or_(
                    sa.func.lower(Tool.name).like(pattern), sa.func.lower(Tool.vendor).like(pattern)
                )
            )
        )
    )


def fts5(path: str, queries: list[str], runs: int) -> list[tuple[str, int, float]]:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS tool_fts USING fts5(name, vendor, tokenize='trigram')"
    )
    conn.execute("INSERT INTO tool_fts SELECT name, vendor FROM tool")
    out = []
    for q in queries:
        phrase = '"' + q.replace('"', '""') + '"'

        def run(phrase: str = phrase) -> list:  # type: ignore[type-arg]
            return conn.execute(
                "SELECT rowid FROM tool_fts WHERE tool_fts MATCH ?", (phrase,)
            ).fetchall()

        out.append((q, len(run()), median_ms(run, runs)))
    conn.close()
    return out


def pg_trgm(
    url: str, index: tool_search.SearchIndex, queries: list[str], runs: int
) -> list[tuple[str, int, float]]:
    docs: dict[int, list[str]] = {}
    for word, postings in index.postings.items():
        for tid in postings:
            docs.setdefault(tid, []).append(word)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_tool_doc")
        conn.exec_driver_sql("CREATE TABLE bench_tool_doc (id int PRIMARY KEY, doc text)")
        conn.exec_driver_sql(
            "INSERT INTO bench_tool_doc VALUES (%(id)s, %(doc)s)",
            [{"id": tid, "doc": " ".join(words)} for tid, words in docs.items()],
        )
        conn.exec_driver_sql("CREATE INDEX ON bench_tool_doc USING gin (doc gin_trgm_ops)")
        conn.exec_driver_sql("ANALYZE bench_tool_doc")
    out = []
    with engine.connect() as conn:
        for q in queries:

            def run(q: str = q) -> list:  # type: ignore[type-arg]
                return conn.exec_driver_sql(
                    "SELECT id FROM bench_tool_doc WHERE %(q)s <%% doc", {"q": q.lower()}
                ).all()

            out.append((q, len(run()), median_ms(run, runs)))
        conn.exec_driver_sql("DROP TABLE bench_tool_doc")
        conn.commit()
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tools", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pg", default="", help="PostgreSQL URL for the pg_trgm comparison")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/bench.sqlite"
        url = f"sqlite:///{path}"
        build(url, args.tools)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "AUTH_ENABLED": False,
                "SQLALCHEMY_ENGINES": {"default": url},
            }
        )
        print(f"{args.tools} tools on SQLite, medians of {args.runs} runs\n")
        print(
            f"{'query':<12} {'LIKE (SQL)':>11} {'substr (py)':>12} {'fuzzy':>9} "
            f"{'ratio':>7} {'hits LIKE/fuzzy':>16}"
        )
        with app.app_context():
            session = db.session
            cold = median_ms(lambda: tool_search.build_index(session), args.runs)
            index = tool_search.search_index(session)
            texts = {tid: f"{nm} {slug}".lower() for tid, (slug, nm) in index.names.items()}
            ratios = []
            for q in QUERIES:
                like = median_ms(lambda q=q: like_scan(session, q), args.runs)
                scan = median_ms(
                    lambda q=q: [i for i, x in texts.items() if q.lower() in x], args.runs
                )
                fuzzy = median_ms(lambda q=q: tool_search.search(session, q), args.runs)
                ratios.append(fuzzy / like)
                hits = f"{len(like_scan(session, q))}/{len(tool_search.search(session, q))}"
                print(
                    f"{q:<12} {like:>9.1f}ms {scan:>10.1f}ms {fuzzy:>7.1f}ms "
                    f"{fuzzy / like:>6.1f}x {hits:>16}"
                )
            print(f"\nmedian fuzzy/LIKE ratio over the queries: {statistics.median(ratios):.1f}x")
            print(
                f"index build (cold, once per catalog version): {cold:.0f} ms; "
                f"{len(index.vocab)} distinct words"
            )
        if args.pg:
            print("\nPostgreSQL pg_trgm word similarity (default threshold 0.6), GIN index:")
            for q, hits, took in pg_trgm(args.pg, index, QUERIES, args.runs):
                print(f"  {q!r:<14} {hits:>5} hits {took:>7.2f} ms")
        print("\nSQLite FTS5 trigram (substring only, no typo tolerance):")
        for q, hits, took in fts5(path, QUERIES, args.runs):
            print(f"  {q!r:<14} {hits:>5} hits {took:>7.2f} ms")
        client = app.test_client()
        client.get("/tools")  # the audit and the index, once per catalog version
        for url_ in (
            "/tools",
            "/tools?q=hubsopt",
            "/tools?q=crm",
            "/tools?shadow=1&sort=risk",
            "/api/v1/tools/suggest?q=hubsopt",
        ):
            took = median_ms(lambda u=url_: client.get(u), args.runs)
            size = len(client.get(url_).data)
            print(f"GET {url_:<34} median {took:>6.1f} ms, {size / 1000:.0f} KB")
        for url_ in ("/tool-list/export.csv", "/tool-list/export.xlsx"):
            took = median_ms(lambda u=url_: client.get(u), 3)
            size = len(client.get(url_).data)
            print(
                f"GET {url_:<34} median {took:>6.0f} ms, {size / 1000:.0f} KB (all tools, 3 runs)"
            )


if __name__ == "__main__":
    main()
