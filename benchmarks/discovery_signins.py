"""Accuracy of sign-in discovery on the labelled fixtures in tests/data/discovery/signins/.

Each record of the four exports (Azure Monitor records, Log Analytics SigninLogs CSV, Okta
System Log API JSON, Okta records flattened by Log Analytics as CSV) is labelled: is it evidence
that a person used a third-party tool? A record counts when the importer turns it into an
observation that is not a platform's own app (Observation.platform is None); every other outcome
(skipped, platform app, bad row) is "not use". Prints precision and recall of "counts as use of a
third-party tool", overall and per file, and the mistakes.

Usage: .venv/bin/python benchmarks/discovery_signins.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "discovery" / "signins"
# `--root OLD_CHECKOUT` measures another tree's importers on these same labels (before/after).
if "--root" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--root") + 1])
else:
    sys.path.insert(0, str(ROOT))

from integrations import get_importer  # noqa: E402
from integrations.base import BadRow  # noqa: E402
from integrations.base import Observation  # noqa: E402
from integrations.base import ParseError  # noqa: E402
from integrations.base import Skipped  # noqa: E402

SOURCES = {
    "entra_azure_monitor.jsonl": "entra",
    "entra_log_analytics.csv": "entra",
    "okta_system_log.json": "okta",
    "okta_log_analytics.csv": "okta",
}


def signin_dataset() -> tuple[list[bool], list[bool], list[str]]:
    """Return (expected, actual, notes) over every labelled sign-in record."""
    labels = json.loads((DATA / "labels.json").read_text("utf-8"))
    expected: list[bool] = []
    actual: list[bool] = []
    notes: list[str] = []
    for name, source in SOURCES.items():
        try:
            with open(DATA / name, "rb") as fh:
                items = list(get_importer(source).parse(fh))
        except ParseError as exc:  # the whole file refused: nothing counts
            items = [BadRow(label["where"], f"file refused: {exc}") for label in labels[name]]
        if len(items) != len(labels[name]):
            raise SystemExit(f"{name}: {len(items)} items for {len(labels[name])} labelled records")
        for label, item in zip(labels[name], items, strict=True):
            got = isinstance(item, Observation) and item.platform is None
            if isinstance(item, Skipped) and item.where != label["where"]:
                raise SystemExit(f"{name}: item at {item.where} paired with label {label['where']}")
            expected.append(label["use"])
            actual.append(got)
            notes.append(
                f"{name} {label['where']} {label['app']!r}: labelled {label['why']}, "
                f"got {_describe(item)}"
            )
    return expected, actual, notes


def _describe(item: object) -> str:
    if isinstance(item, Observation):
        return "use" if item.platform is None else f"platform app ({item.platform})"
    if isinstance(item, Skipped):
        return f"skipped ({item.reason})"
    if isinstance(item, BadRow):
        return f"bad row ({item.message})"
    return type(item).__name__


def scores(expected: list[bool], actual: list[bool]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for e, a in zip(expected, actual, strict=True) if e and a)
    fp = sum(1 for e, a in zip(expected, actual, strict=True) if a and not e)
    fn = sum(1 for e, a in zip(expected, actual, strict=True) if e and not a)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def main() -> None:
    expected, actual, notes = signin_dataset()
    precision, recall, tp, fp, fn = scores(expected, actual)
    print(f"sign-in records: {len(expected)}, labelled third-party use: {sum(expected)}")
    print(
        f"counts as use of a third-party tool: precision {precision:.3f}, recall {recall:.3f} "
        f"(tp {tp}, fp {fp}, fn {fn})"
    )
    start = 0
    labels = json.loads((DATA / "labels.json").read_text("utf-8"))
    for name in SOURCES:
        end = start + len(labels[name])
        p, r, *_ = scores(expected[start:end], actual[start:end])
        print(f"  {name}: {end - start} records, precision {p:.3f}, recall {r:.3f}")
        start = end
    mistakes = [note for e, a, note in zip(expected, actual, notes, strict=True) if e != a]
    for note in mistakes[:20]:
        print("  MISTAKE", note)
    if len(mistakes) > 20:
        print(f"  ... and {len(mistakes) - 20} more mistakes")


if __name__ == "__main__":
    main()
