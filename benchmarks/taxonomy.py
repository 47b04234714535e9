"""Cost of keeping the taxonomy registry current, against baselines measured in the same run.

Every request compares the stored taxonomy version on a connection of its own (`sync`); this
prints its median next to a bare `SELECT 1` on a fresh connection, the cost of a reload after an
administrator's change (50 additions), and a whole /tools page for scale.

    .venv/bin/python benchmarks/taxonomy.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from catalog import create_app  # noqa: E402
from catalog import taxonomy  # noqa: E402
from catalog.extensions import db  # noqa: E402
from catalog.models import Base  # noqa: E402
from catalog.services import taxonomy as taxonomy_service  # noqa: E402


def median_ms(fn, runs: int) -> float:
    # One call a timing, `runs` timings: the median in milliseconds.
    return statistics.median(timeit.repeat(fn, number=1, repeat=runs)) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "AUTH_ENABLED": False,
                "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{folder}/b.sqlite"},
            }
        )
        with app.app_context():
            Base.metadata.create_all(db.engine)
            for i in range(50):
                taxonomy_service.add_category(
                    db.session, name=f"Custom category {i}", group="data", actor="bench"
                )
            db.session.commit()
            engine = db.engine

            def baseline() -> None:
                with engine.connect() as connection:
                    connection.execute(sa.text("SELECT 1"))

            def check() -> None:
                with engine.connect() as connection:
                    taxonomy_service.sync(connection)

            def reload() -> None:
                taxonomy.reset()
                check()

            check()
            runs = 2000
            base, same, full = (
                median_ms(baseline, runs),
                median_ms(check, runs),
                median_ms(reload, 500),
            )
        client = app.test_client()
        client.get("/tools")
        page = median_ms(lambda: client.get("/tools"), 200)
        taxonomy.reset()
    print(f"bare SELECT 1 on a fresh connection  {base:7.3f} ms (baseline)")
    print(f"per-request version check            {same:7.3f} ms ({same / base:.2f}x baseline)")
    print(f"reload after a change, 50 additions  {full:7.3f} ms ({full / base:.2f}x baseline)")
    print(
        f"GET /tools (empty catalog)           {page:7.3f} ms "
        f"(check = {same / page:.1%} of the page)"
    )


if __name__ == "__main__":
    main()
