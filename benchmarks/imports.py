"""Benchmark: a 1,000,000-row Entra sign-in CSV through the discovery import.

Generates the portal's 57-column CSV (variant B header, every field quoted; ~300 apps, 5,000
users) in a temporary folder, then measures, each in a fresh subprocess so peak memory (maxrss)
belongs to that run alone:

- baseline: a bare `csv.reader` pass over the same file (rows/second), and
- import: parse + aggregate + match + write sightings into a temporary SQLite catalog, commit.

Prints medians and the ratio. Targets: import >= 40% of the bare pass's rows/second, peak memory
< 300 MB. Usage: `.venv/bin/python benchmarks/imports.py [--rows N] [--repeat K]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,"
    "Cross tenant access type,Incoming token type,Authentication Protocol,Unique token identifier,"
    "Original transfer method,Client credential type,Token Protection - Sign In Session,"
    "Token Protection - Sign In Session StatusCode,Application,Application ID ,App owner tenant ID,"
    "Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,"
    "Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Client app,"
    "Device ID,Browser,Operating System,Compliant,Managed,Join Type,"
    "Multifactor authentication result,Multifactor authentication auth method,"
    "Multifactor authentication auth detail,Authentication requirement,Sign-in identifier,"
    "Session ID,IP address (seen by resource),Through Global Secure Access,"
    "Global Secure Access IP address,Autonomous system  number,Flagged for review,"
    "Token issuer type,Incoming token type,Token issuer name,Latency,Conditional Access,"
    "Managed Identity type,Associated Resource Id,Federated Token Id,Federated Token Issuer"
).split(",")


def generate(path: Path, rows: int, apps: int = 300, users: int = 5000) -> None:
    """Write a portal-style sign-in CSV with `rows` sign-ins."""
    assert len(HEADER) == 57
    rng = random.Random(42)
    app_rows = [
        # Distinct products: "App 001"-style names would all reduce to one vendor (digits-only
        # tokens are card-descriptor noise to the matcher), leaving one tool to write.
        (f"Martech{i:03d} Inc.", f"{i:08x}-0d1a-4c55-9a57-6f1c7e0a1b{i % 100:02d}")
        for i in range(apps)
    ]
    user_rows = [
        (f"User {i}", f"user{i}@example.com", f"{i:08x}-1111-2222-3333-444455556666")
        for i in range(users)
    ]
    start = datetime(2025, 9, 1)
    pos = {name: i for i, name in reversed(list(enumerate(HEADER)))}
    template = [""] * 57
    template[pos["User agent"]] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0"
    template[pos["User type"]] = "Member"
    template[pos["Authentication Protocol"]] = "none"
    template[pos["Resource"]] = "Microsoft Graph"
    template[pos["Location"]] = "Melbourne, Victoria, AU"
    template[pos["Client app"]] = "Browser"
    template[pos["Browser"]] = "Chrome 120.0.0"
    template[pos["Operating System"]] = "Windows10"
    template[pos["Autonomous system  number"]] = "4739"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(HEADER)
        for n in range(rows):
            # Zipf-ish app popularity: a few apps carry most sign-ins, as in real tenants.
            popular = min(int(rng.paretovariate(1.2)) - 1, apps - 1)
            app = app_rows[popular if n % 3 else (n // 3) % apps]
            user = user_rows[rng.randrange(users)]
            row = list(template)
            when = start + timedelta(seconds=n * 7)
            row[0] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            row[1] = f"{n:08x}-req"
            row[4], row[5], row[6] = user[2], user[0], user[1]
            row[16], row[17] = app
            row[27] = "Success"
            writer.writerow(row)


BASELINE = """
import csv, resource, sys, time
t = time.perf_counter()
with open(sys.argv[1], encoding="utf-8-sig", newline="") as fh:
    n = sum(1 for _ in csv.reader(fh)) - 1
print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

IMPORT = """
import resource, sys, time
sys.path.insert(0, sys.argv[3])
from catalog import create_app
from catalog.extensions import db
from catalog.models import Base
from catalog.services import discovery
app = create_app({"TESTING": True, "SECRET_KEY": "bench", "AUTH_ENABLED": False,
                  "SQLALCHEMY_ENGINES": {"default": "sqlite:///" + sys.argv[2]}})
with app.app_context():
    Base.metadata.create_all(db.engine)
    t = time.perf_counter()
    summary = discovery.import_files(db.session, "entra", [sys.argv[1]], actor="bench")
    db.session.commit()
    elapsed = time.perf_counter() - t
print(summary["observations"], elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      summary["apps"], summary["changes"])
"""


def run(code: str, *args: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    ).stdout.split()
    return [float(x) for x in out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "InteractiveSignIns_2025-09-01_2025-12-01.csv"
        t = time.perf_counter()
        generate(path, args.rows)
        size = path.stat().st_size
        print(
            f"generated {args.rows:,} rows, 57 columns, {size / 2**20:.0f} MB "
            f"in {time.perf_counter() - t:.1f} s"
        )
        base, imp = [], []
        for i in range(args.repeat):
            base.append(run(BASELINE, str(path)))
            db = Path(tmp) / f"catalog-{i}.sqlite"
            imp.append(run(IMPORT, str(path), str(db), str(ROOT)))
        b_time = statistics.median(r[1] for r in base)
        i_time = statistics.median(r[1] for r in imp)
        rows = base[0][0]
        b_rate, i_rate = rows / b_time, rows / i_time
        print(
            json.dumps(
                {
                    "rows": int(rows),
                    "runs": args.repeat,
                    "bare_csv_reader_s_median": round(b_time, 2),
                    "bare_csv_reader_rows_per_s": round(b_rate),
                    "import_s_median": round(i_time, 2),
                    "import_rows_per_s": round(i_rate),
                    "ratio_import_to_bare": round(i_rate / b_rate, 3),
                    "bare_peak_rss_mb": round(max(r[2] for r in base) / 1024, 1),
                    "import_peak_rss_mb": round(max(r[2] for r in imp) / 1024, 1),
                    "apps": int(imp[0][3]),
                    "change_records_first_import": int(imp[0][4]),
                },
                indent=2,
            )
        )
        ratio_ok = i_rate / b_rate >= 0.40
        mem_ok = max(r[2] for r in imp) / 1024 < 300
        print(
            f"target >= 40% of bare rows/s: {'met' if ratio_ok else 'MISSED'}; "
            f"peak memory < 300 MB: {'met' if mem_ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
