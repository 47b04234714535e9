"""The joint scorecard (docs/governance.md#scorecard): today's figures, one row per day, trends.

The figures are the audit's own summary (`run_audit(...).summary`), so the scorecard and the
audit report can never disagree. A day's row is upserted whenever the page is viewed or
`martech scorecard snapshot` runs; it is derived data, so it writes no change record (which
would also invalidate every cached audit).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy.orm import Session

from catalog.models import ScorecardSnapshot
from catalog.vocab import SEVERITIES

# (key, label, format, which way is better); keys of nested figures are joined with ".".
METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("tools", "Tools in the catalog", "count", ""),
    ("in_use", "Tools in use", "count", ""),
    ("sanctioned", "Sanctioned tools", "count", ""),
    ("shadow", "Shadow IT tools", "count", "down"),
    ("both_owners_share", "In-use tools with both owners", "share", "up"),
    ("customer_data_tools", "Tools holding customer data", "count", ""),
    ("integration_coverage", "Customer-data tools reaching a system of record", "share", "up"),
    ("silos", "Unmanaged data silos", "count", "down"),
    ("median_decision_days", "Median days from request to decision", "days", "down"),
    ("overdue_requests", "Requests overdue", "count", "down"),
)
LABELS = {key: label for key, label, _, _ in METRICS}


def flatten(summary: t.Mapping[str, t.Any], prefix: str = "") -> dict[str, float | None]:
    """Return the numeric figures of a summary, nested ones as "parent.child" keys."""
    flat: dict[str, float | None] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, t.Mapping):
            flat.update(flatten(value, f"{name}."))
        elif value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            flat[name] = value
    return flat


def current_metrics(session: Session, as_of: date, *, sla_days: int) -> dict[str, t.Any]:
    """Return the scorecard figures as of a date (the audit's summary, cached per version)."""
    from catalog.services import audit

    return dict(audit.audit_result(session, as_of, sla_days=sla_days).summary)


def record_day(session: Session, day: date, metrics: dict[str, t.Any]) -> ScorecardSnapshot:
    """Upsert the figures of `day` (one row per day; the latest figures win)."""
    row = session.scalar(sa.select(ScorecardSnapshot).where(ScorecardSnapshot.day == day))
    if row is None:
        row = ScorecardSnapshot(day=day, metrics=metrics)
        try:
            # Two viewers on the same morning may both insert; the loser updates instead.
            with session.begin_nested():
                session.add(row)
        except sa.exc.IntegrityError:
            row = session.scalars(
                sa.select(ScorecardSnapshot).where(ScorecardSnapshot.day == day)
            ).one()
    if row.metrics != metrics:
        row.metrics = metrics
    session.flush()
    return row


def history(session: Session, until: date, days: int = 90) -> list[ScorecardSnapshot]:
    """Return the stored days from `days` before `until` up to it, oldest first."""
    return list(session.scalars(
        sa.select(ScorecardSnapshot)
        .where(ScorecardSnapshot.day > until - timedelta(days=days), ScorecardSnapshot.day <= until)
        .order_by(ScorecardSnapshot.day)
    ))


def label_for(key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    if key.startswith("shadow_spend."):
        return f"Spend on shadow tools ({key.split('.', 1)[1]})"
    if key.startswith("findings_by_severity."):
        return f"{key.split('.', 1)[1].capitalize()} findings"
    return key.replace("_", " ").replace(".", " ").capitalize()


def fmt(key: str, value: float | None) -> str:
    """Return a figure as people read it: shares in %, money with separators."""
    if value is None:
        return "—"
    kind = next((k for name, _, k, _ in METRICS if name == key), "")
    if kind == "share":
        return f"{value * 100:.0f} %"
    if key.startswith("shadow_spend."):
        return f"{value:,.0f}"
    if kind == "days":
        return f"{value:g} days"
    return f"{value:g}"


def better(key: str) -> str:
    """Return "up", "down" or "" (neutral): which direction of change is good news."""
    for name, _, _, direction in METRICS:
        if name == key:
            return direction
    return "down" if key.startswith(("shadow_spend.", "findings_by_severity.")) else ""


@dataclass(frozen=True)
class Trend:
    key: str
    label: str
    value: str
    change: str  # against the first stored day of the window, "" when unchanged
    verdict: str  # "better", "worse" or ""
    svg: Markup


def _change_text(key: str, change: float | None) -> str:
    if not change:
        return ""
    sign = "+" if change > 0 else "−"
    kind = next((k for name, _, k, _ in METRICS if name == key), "")
    if kind == "share":
        return f"{sign}{abs(change) * 100:.0f} pts"
    return f"{sign}{abs(change):,.2f}".rstrip("0").rstrip(".")


def _nested_order(key: str) -> tuple[str, int, str]:
    # Severities read worst first (critical, high, medium, low, info), not alphabetically.
    group, _, member = key.partition(".")
    rank = SEVERITIES.index(member) if member in SEVERITIES else len(SEVERITIES)
    return (group, rank, member)


def trends(rows: list[ScorecardSnapshot], today: dict[str, t.Any]) -> list[Trend]:
    """Return one trend per figure of `today`, in METRICS order then the nested ones."""
    series = [(row.day, flatten(row.metrics)) for row in rows]
    current = flatten(today)
    order = [k for k, *_ in METRICS if k in current] + sorted(
        (k for k in current if k not in LABELS), key=_nested_order)
    result = []
    for key in order:
        values = [figures.get(key) for _, figures in series]
        first = next((v for v in values if v is not None), None)
        now = current[key]
        change = None if first is None or now is None else now - first
        direction = better(key)
        verdict = ""
        if change and direction:
            verdict = "better" if (change > 0) == (direction == "up") else "worse"
        label = label_for(key)
        result.append(Trend(key, label, fmt(key, now), _change_text(key, change), verdict,
                            sparkline(values, label=label, days=[d for d, _ in series])))
    return result


def sparkline(values: t.Sequence[float | None], *, label: str, days: t.Sequence[date] = (),
              width: int = 160, height: int = 36) -> Markup:
    """Return a small inline SVG line of `values` (gaps where None); all text is escaped."""
    pad = 3
    known = [v for v in values if v is not None]
    title = f"{label}: " + (", ".join(
        f"{d.isoformat()} {v:g}" for d, v in zip(days, values, strict=False) if v is not None)
        if known else "no data yet")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    if known:
        low, high = min(known), max(known)
        span = (high - low) or 1.0
        step = (width - 2 * pad) / max(len(values) - 1, 1)

        def point(i: int, v: float) -> tuple[float, float]:
            y = height - pad - (v - low) / span * (height - 2 * pad) if high != low else height / 2
            return pad + i * step, y

        run: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(values):
            if v is None:
                if run:
                    runs.append(run)
                run = []
                continue
            x, y = point(i, float(v))
            run.append(f"{x:.1f},{y:.1f}")
        if run:
            runs.append(run)
        for r in runs:
            if len(r) == 1:
                x, y = r[0].split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="1.5" fill="#2457c5"/>')
            else:
                parts.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="#2457c5" '
                             'stroke-width="1.5" stroke-linejoin="round"/>')
        last = max(i for i, v in enumerate(values) if v is not None)
        x, y = point(last, float(t.cast(float, values[last])))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#16213a"/>')
    parts.append("</svg>")
    # Every interpolated value above is a number or passed through escape().
    return Markup("".join(parts))
