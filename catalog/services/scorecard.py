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
from catalog.models import Setting
from catalog.services import caches
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
    return list(
        session.scalars(
            sa.select(ScorecardSnapshot)
            .where(
                ScorecardSnapshot.day > until - timedelta(days=days), ScorecardSnapshot.day <= until
            )
            .order_by(ScorecardSnapshot.day)
        )
    )


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
    target: str = ""  # the agreed target, formatted; "" when none is set


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


@dataclass(frozen=True)
class Point:
    """The scorecard's figures on one day (a stored row, or rebuilt from the change log)."""

    day: date
    metrics: dict[str, t.Any]


def trends(
    rows: t.Sequence[ScorecardSnapshot | Point],
    today: dict[str, t.Any],
    *,
    targets: t.Mapping[str, float] | None = None,
) -> list[Trend]:
    """Return one trend per figure of `today`, in METRICS order then the nested ones."""
    targets = targets or {}
    series = [(row.day, flatten(row.metrics)) for row in rows]
    current = flatten(today)
    order = [k for k, *_ in METRICS if k in current] + sorted(
        (k for k in current if k not in LABELS), key=_nested_order
    )
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
        target = targets.get(key)
        result.append(
            Trend(
                key,
                label,
                fmt(key, now),
                _change_text(key, change),
                verdict,
                sparkline(values, label=label, days=[d for d, _ in series], target=target),
                "" if target is None else fmt(key, target),
            )
        )
    return result


def sparkline(
    values: t.Sequence[float | None],
    *,
    label: str,
    days: t.Sequence[date] = (),
    width: int = 160,
    height: int = 36,
    target: float | None = None,
) -> Markup:
    """Return a small inline SVG line of `values` (gaps where None), with the target as a dashed
    line when one is set; all text is escaped."""
    pad = 3
    known = [v for v in values if v is not None]
    if known and target is not None:
        label = f"{label} (target {target:g})"
    title = f"{label}: " + (
        ", ".join(
            f"{d.isoformat()} {v:g}" for d, v in zip(days, values, strict=False) if v is not None
        )
        if known
        else "no data yet"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    if known:
        low, high = min(known), max(known)
        if target is not None:
            low, high = min(low, target), max(high, target)
        span = (high - low) or 1.0
        step = (width - 2 * pad) / max(len(values) - 1, 1)

        def point(i: int, v: float) -> tuple[float, float]:
            y = height - pad - (v - low) / span * (height - 2 * pad) if high != low else height / 2
            return pad + i * step, y

        if target is not None:
            _, ty = point(0, float(target))
            parts.append(
                f'<line class="target" x1="{pad}" y1="{ty:.1f}" x2="{width - pad}" '
                f'y2="{ty:.1f}" stroke="#1a7f37" stroke-width="1" '
                'stroke-dasharray="3 2"/>'
            )
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
                cx, cy = r[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.5" fill="#2457c5"/>')
            else:
                parts.append(
                    f'<polyline points="{" ".join(r)}" fill="none" stroke="#2457c5" '
                    'stroke-width="1.5" stroke-linejoin="round"/>'
                )
        last = max(i for i, v in enumerate(values) if v is not None)
        x, y = point(last, float(t.cast(float, values[last])))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#16213a"/>')
    parts.append("</svg>")
    # Every interpolated value above is a number or passed through escape().
    return Markup("".join(parts))


# The past and the targets ---------------------------------------------------------------------
# Trends are drawn from the catalog as it was on each sample day, rebuilt from the change log, so
# the scorecard is meaningful on the day it is first opened; a stored row of a day is used as is.

TREND_STEP_DAYS = 7
TARGETS_KEY = "scorecard_targets"


def _figures_then(session: Session, day: date, sla_days: int, version: str) -> dict[str, t.Any]:
    from catalog.analysis.audit import run_audit
    from catalog.services import history

    return caches.current().cached(
        "scorecard.past",
        version,
        (day, sla_days),
        lambda: dict(
            run_audit(
                history.snapshot_as_of(session, day, version=version), day, sla_days=sla_days
            ).summary
        ),
    )


def series(
    session: Session, today: date, *, sla_days: int, window: int = 90, step: int = TREND_STEP_DAYS
) -> list[Point]:
    """Return the figures of every `step`-th day of the window up to today, oldest first."""
    from catalog.services.snapshot import catalog_version

    stored = {row.day: row.metrics for row in history(session, today, window)}
    version = catalog_version(session)
    points = []
    for back in range(window - window % step, 0, -step):
        day = today - timedelta(days=back)
        metrics = stored.get(day)
        if metrics is None:
            metrics = _figures_then(session, day, sla_days, version)
        points.append(Point(day, metrics))
    points.append(Point(today, current_metrics(session, today, sla_days=sla_days)))
    return points


def targets(session: Session) -> dict[str, float]:
    """Return the targets marketing and IT agreed on, by figure key."""
    setting = session.get(Setting, TARGETS_KEY)
    return dict(setting.value) if setting is not None and setting.value else {}


def set_targets(session: Session, raw: t.Mapping[str, t.Any], *, actor: str) -> dict[str, float]:
    """Set (or clear, with an empty value) the target of each figure; record the change."""
    from catalog.services.entities import record_change
    from catalog.services.records import ValidationError

    values: dict[str, float] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        if key not in LABELS:
            errors[key] = "not a scorecard figure"
            continue
        text = str(value).strip().rstrip("%").strip()
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            errors[key] = f"{str(value)[:20]!r} is not a number"
            continue
        if number != number or abs(number) > 1e12:
            errors[key] = "must be a finite number"
            continue
        kind = next(k for name, _, k, _ in METRICS if name == key)
        if kind == "share":
            if not 0 <= number <= 100:
                errors[key] = "must be a percentage from 0 to 100"
                continue
            number /= 100
        values[key] = number
    if errors:
        raise ValidationError(errors)
    setting = session.get(Setting, TARGETS_KEY)
    before = dict(setting.value) if setting is not None and setting.value else None
    if (before or {}) == values:
        return values
    if setting is None:
        setting = Setting(key=TARGETS_KEY, value=values, updated_by=actor)
        session.add(setting)
    else:
        setting.value, setting.updated_by = values, actor
    session.flush()
    record_change(
        session,
        actor,
        "update" if before is not None else "create",
        "setting",
        TARGETS_KEY,
        before=before,
        after=values,
    )
    return values
