"""Cost of signing in and of the sign-in gate, against baselines measured in the same run.

Prints medians: argon2id verify (the login cost, which sets how fast /login can be hammered
without the rate limit), and a page request with the auth layer on vs off (the per-request cost
of loading the user and checking the role).

    .venv/bin/python benchmarks/auth.py
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog import create_app  # noqa: E402
from catalog.extensions import db  # noqa: E402
from catalog.models import Base  # noqa: E402
from catalog.services import accounts  # noqa: E402

PASSWORD = "benchmark password"


def median_ms(fn, runs: int) -> float:
    # One call a timing, `runs` timings: the median in milliseconds.
    return statistics.median(timeit.repeat(fn, number=1, repeat=runs)) * 1000


def app_with_user(folder: Path, auth: bool):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "AUTH_ENABLED": auth,
            "RATELIMIT_ENABLED": False,
            "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{folder / 'b.sqlite'}"},
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        accounts.create_user(
            db.session, email="b@example.com", role="it", password=PASSWORD, actor="bench"
        )
        db.session.commit()
    return app


def main() -> None:
    stored = accounts.HASHER.hash(PASSWORD)
    sha = median_ms(lambda: hashlib.sha256(PASSWORD.encode()).hexdigest(), 200)
    verify = median_ms(lambda: accounts.HASHER.verify(stored, PASSWORD), 30)
    print(
        f"argon2id verify (m=19 MiB, t=2, p=1): {verify:7.1f} ms median "
        f"(sha256 baseline {sha * 1000:.1f} us) -> ~{1000 / verify:.0f} logins/s per core"
    )
    with tempfile.TemporaryDirectory() as tmp:
        on_dir, off_dir = Path(tmp, "on"), Path(tmp, "off")
        on_dir.mkdir(), off_dir.mkdir()
        on, off = app_with_user(on_dir, True), app_with_user(off_dir, False)
        signed_in = on.test_client()
        signed_in.post("/login", data={"email": "b@example.com", "password": PASSWORD})
        anonymous = off.test_client()
        login = median_ms(
            lambda: on.test_client().post(
                "/login", data={"email": "b@example.com", "password": PASSWORD}
            ),
            20,
        )
        page_off = median_ms(lambda: anonymous.get("/review"), 100)
        page_on = median_ms(lambda: signed_in.get("/review"), 100)
    print(f"POST /login (whole request):          {login:7.1f} ms median")
    print(f"GET /review, auth off (baseline):     {page_off:7.2f} ms median")
    print(
        f"GET /review, signed in:               {page_on:7.2f} ms median "
        f"(ratio {page_on / page_off:.2f}x)"
    )


if __name__ == "__main__":
    main()
