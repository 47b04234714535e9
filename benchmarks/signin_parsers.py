"""Benchmark: parse speed of the sign-in importers against a bare read of the same file.

Builds large files by repeating the labelled fixtures of tests/data/discovery/signins/ (Azure
Monitor JSON lines, Log Analytics SigninLogs CSV, Okta System Log JSON, Okta Log Analytics CSV),
then measures in fresh subprocesses, alternating, `--repeat` times each:

- baseline: the bare standard-library pass (json.loads per line / per array, csv.reader), and
- parse: the importer's `parse` drained (observations, skips and all).

Prints medians and the ratio parse/baseline per layout. `--root OLD_CHECKOUT` adds the same
measurement for another checkout's importers (a layout it refuses shows "refused").
Usage: `.venv/bin/python benchmarks/signin_parsers.py [--copies N] [--repeat K] [--root DIR]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "discovery" / "signins"
LAYOUTS = {
    "entra_azure_monitor.jsonl": ("entra", "lines"),
    "entra_log_analytics.csv": ("entra", "csv"),
    "okta_system_log.json": ("okta", "array"),
    "okta_log_analytics.csv": ("okta", "csv"),
}

BASELINE = """
import csv, json, sys, time
path, kind = sys.argv[1], sys.argv[2]
t = time.perf_counter()
with open(path, encoding="utf-8-sig", newline="") as fh:
    if kind == "csv":
        n = sum(1 for _ in csv.reader(fh)) - 1
    elif kind == "lines":
        n = sum(1 for line in fh if line.strip() and json.loads(line) is not None)
    else:
        n = len(json.load(fh))
print(n, time.perf_counter() - t)
"""

PARSE = """
import sys, time
sys.path.insert(0, sys.argv[3])
from integrations import get_importer
from integrations.base import ParseError
t = time.perf_counter()
try:
    with open(sys.argv[1], "rb") as fh:
        n = sum(1 for _ in get_importer(sys.argv[2]).parse(fh))
except ParseError:
    n = -1
print(n, time.perf_counter() - t)
"""


def build(tmp: Path, name: str, copies: int) -> Path:
    """Repeat a fixture's records `copies` times, keeping its layout (header once, array once)."""
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        text = fh.read()  # keep the CSV's \r\n row ends
    out = tmp / name
    kind = LAYOUTS[name][1]
    if kind == "csv":
        header, _, body = text.partition("\r\n")
        out.write_text(header + "\r\n" + body * copies, encoding="utf-8", newline="")
    elif kind == "lines":
        out.write_text(text * copies, encoding="utf-8")
    else:
        records = [line.rstrip(",") for line in text.splitlines()[1:-1]]
        out.write_text("[\n" + ",\n".join(records * copies) + "\n]\n", encoding="utf-8")
    return out


def run(code: str, *args: str) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", help="another checkout to measure the same way")
    parser.add_argument("--only", help="measure only the layouts whose file name contains this")
    args = parser.parse_args()
    roots = {"this": str(ROOT)} | ({"other": args.root} if args.root else {})
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (source, kind) in LAYOUTS.items():
            if args.only and args.only not in name:
                continue
            path = build(Path(tmp), name, args.copies)
            times: dict[str, list[float]] = {"bare": []} | {k: [] for k in roots}
            counts: dict[str, float] = {}
            for _ in range(args.repeat):
                n, secs = run(BASELINE, str(path), kind)
                times["bare"].append(secs)
                counts["bare"] = n
                for label, root in roots.items():
                    n, secs = run(PARSE, str(path), source, root)
                    times[label].append(secs)
                    counts[label] = n
            bare = statistics.median(times["bare"])
            entry = {"records": int(counts["bare"]), "bare_s_median": round(bare, 3)}
            for label in roots:
                if counts[label] < 0:
                    entry[f"{label}_parse"] = "refused"
                    continue
                median = statistics.median(times[label])
                entry[f"{label}_parse_s_median"] = round(median, 3)
                entry[f"{label}_ratio_bare_to_parse"] = round(bare / median, 3)
            results[name] = entry
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
