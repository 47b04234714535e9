"""Benchmark: how well discovery reads real-layout exports, against labelled fixtures.

One function per dataset, listed in DATASETS; each returns a dict of figures and prints them.
Card statements (tests/data/discovery/cards/, labels in `<file>.labels.json`):

- precision and recall of "is software" (software = the line became an Observation);
- one tool per vendor: of the labelled software vendors discovered at all (at least one line
  became an observation), the share whose lines all land on exactly one app name, equal to the
  vendor's clean canonical name. Vendors none of whose lines became a tool are a recall matter
  and are listed apart (`vendors_left_in_triage`), with the merchant names triage shows them
  under (one name per vendor is the aim there too).

Targets: precision >= 0.97, recall >= 0.9, one tool per vendor >= 0.97.
`--speed` also times the card parse of a large statement against a bare `csv.reader` pass over
the same file (medians, ratio).
Usage: `.venv/bin/python benchmarks/discovery_accuracy.py [--speed] [--verbose]`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import subprocess
import sys
import tempfile
import typing as t
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from integrations.base import Observation  # noqa: E402
from integrations.base import Unclassified  # noqa: E402
from integrations.card_csv import CardCsvImporter  # noqa: E402

CARDS = ROOT / "tests" / "data" / "discovery" / "cards"
TARGETS = {"precision": 0.97, "recall": 0.9, "one_tool_per_vendor": 0.97}


def card_statements(verbose: bool = False) -> dict[str, t.Any]:
    """Precision/recall of "is software" and one tool per vendor over the card statements."""
    tp = fp = fn = 0
    names: dict[str, set[str]] = defaultdict(set)
    triage: dict[str, set[str]] = defaultdict(set)
    vendors: set[str] = set()
    errors: list[str] = []
    files = sorted(CARDS.glob("*.labels.json"))
    for labels_path in files:
        labels = json.loads(labels_path.read_text())
        with open(CARDS / labels["file"], "rb") as fh:
            items = list(CardCsvImporter().parse(fh))
        # The importer yields exactly one item per statement line, in file order; observations
        # carry no row number, so lines and items are paired by position.
        rows = sorted(labels["lines"], key=lambda w: int(w.split()[1]))
        for where, item in zip(rows, items, strict=True):
            label = labels["lines"][where]
            assert getattr(item, "where", where) == where, (where, item)
            hit = isinstance(item, Observation)
            if label["software"]:
                vendors.add(label["vendor"])
                if hit:
                    tp += 1
                    names[label["vendor"]].add(item.app_name)
                else:
                    fn += 1
                    if isinstance(item, Unclassified):
                        triage[label["vendor"]].add(item.merchant)
                    errors.append(
                        f"missed  {labels['file']} {where}: {label['descriptor']!r} "
                        f"-> {type(item).__name__} {getattr(item, 'reason', '')}"
                    )
            elif hit:
                fp += 1
                errors.append(
                    f"false + {labels['file']} {where}: {label['descriptor']!r} "
                    f"-> {item.app_name!r}"
                )
    found = [v for v in sorted(vendors) if v in names]
    good = [v for v in found if names[v] == {v}]
    split = {v: sorted(names[v]) for v in found if names[v] != {v}}
    left = {v: sorted(triage.get(v, ())) for v in sorted(vendors) if v not in names}
    if verbose:
        for line in errors:
            print("  " + line)
    return {
        "files": len(files),
        "software_lines": tp + fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "one_tool_per_vendor": round(len(good) / len(found), 4) if found else 0.0,
        "vendors": len(vendors),
        "vendors_discovered": len(found),
        "vendors_not_on_one_clean_name": split,
        "vendors_left_in_triage": left,
    }


def sign_in_logs(verbose: bool = False) -> dict[str, t.Any]:
    """Precision/recall of "counts as use of a third-party tool" over the labelled sign-in logs
    (Entra Azure Monitor records and Log Analytics CSV, Okta System Log and its flattened
    records; benchmarks/discovery_signins.py prints the per-file detail)."""
    from discovery_signins import scores
    from discovery_signins import signin_dataset

    expected, actual, notes = signin_dataset()
    precision, recall, tp, fp, fn = scores(expected, actual)
    if verbose:
        for e, a, note in zip(expected, actual, notes, strict=True):
            if e != a:
                print("  mistake", note)
    return {
        "records": len(expected),
        "labelled_use": sum(expected),
        "precision": precision,
        "recall": recall,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


DATASETS: list[t.Callable[..., dict[str, t.Any]]] = [card_statements, sign_in_logs]


SPEED = """
import csv, io, sys, time
sys.path.insert(0, sys.argv[2])
from integrations.card_csv import CardCsvImporter
payload = open(sys.argv[1], "rb").read()
t0 = time.perf_counter()
sum(1 for _ in csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline="")))
bare = time.perf_counter() - t0
t0 = time.perf_counter()
count = sum(1 for _ in CardCsvImporter().parse(io.BytesIO(payload)))
print(count, bare, time.perf_counter() - t0)
"""


def card_speed(rows: int, repeat: int, baseline_root: str | None) -> dict[str, t.Any]:
    """Time the card parse of a large Amex statement against a bare csv.reader pass over the same
    file, each run in a fresh process; with `baseline_root` (a checkout of an earlier version)
    the earlier importer is timed too, runs interleaved."""
    source = (CARDS / "amex_activity_440.csv").read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(source, newline="")))
    head, body = records[:7], [r for r in records[7:] if r]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(head)
    for n in range(rows):
        writer.writerow(body[n % len(body)])
    roots = {"current": str(ROOT)} | ({"baseline": baseline_root} if baseline_root else {})
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in roots}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "amex.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        for _ in range(repeat):
            for key, root in roots.items():
                out = subprocess.run(
                    [sys.executable, "-c", SPEED, str(path), root],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.split()
                runs[key].append((float(out[1]), float(out[2])))
    result: dict[str, t.Any] = {"rows": rows, "runs": repeat}
    for key, values in runs.items():
        bare = statistics.median(v[0] for v in values)
        parse = statistics.median(v[1] for v in values)
        result[key] = {
            "bare_csv_reader_s_median": round(bare, 3),
            "card_parse_s_median": round(parse, 3),
            "parse_rows_per_s_vs_bare": round(bare / parse, 3),
        }
    if baseline_root:
        result["current_vs_baseline_parse_time"] = round(
            result["current"]["card_parse_s_median"] / result["baseline"]["card_parse_s_median"], 3
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", action="store_true", help="also time the card parse")
    parser.add_argument("--verbose", action="store_true", help="list every miss and false hit")
    parser.add_argument("--rows", type=int, default=200_000, help="statement lines for --speed")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--baseline-root",
        default=None,
        help="an earlier checkout whose card import --speed also times",
    )
    args = parser.parse_args()
    failed = False
    for dataset in DATASETS:
        result = dataset(verbose=args.verbose)
        print(f"{dataset.__name__}: {json.dumps(result, indent=2)}")
        for key, target in TARGETS.items():
            if key in result:
                met = result[key] >= target
                failed |= not met
                verdict = "met" if met else "MISSED"
                print(f"  {key} {result[key]:.3f} (target >= {target}): {verdict}")
    if args.speed:
        speed = card_speed(args.rows, args.repeat, args.baseline_root)
        print(f"card_speed: {json.dumps(speed, indent=2)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
