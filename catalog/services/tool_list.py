"""The tool list people work in: governance columns, filters on them, and its exports.

The catalog columns (lifecycle, category, owner, data class, renewal) are filtered by the
database; the governance columns (shadow, risk score, open findings) come from the audit,
which is computed once per catalog version and cached (catalog.services.audit), so a page of the
list never runs a rule. The typo-tolerant search comes from catalog.services.tool_search.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.models import Tool
from catalog.services import audit
from catalog.services import caches
from catalog.services import tool_search
from catalog.services.snapshot import catalog_version
from catalog.vocab import Severity

__all__ = [
    "Governance",
    "ListFilters",
    "parse_filters",
    "governance",
    "list_ids",
    "Listing",
    "FILTER_KEYS",
    "SEVERITY_FILTERS",
]

SEVERITY_COLUMNS = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
SEVERITY_FILTERS = {"critical": ("critical",), "high": ("critical", "high")}
MAX_DAYS = 3650
# The query arguments that make up a view of the list (what a saved view keeps).
FILTER_KEYS = (
    "q",
    "group",
    "category",
    "lifecycle",
    "owner",
    "data_class",
    "missing_owner",
    "shadow",
    "min_risk",
    "severity",
    "renewal_within",
    "sort",
)
_EMPTY: dict[str, int] = dict.fromkeys(SEVERITY_COLUMNS, 0)


@dataclass(frozen=True)
class Governance:
    """What the audit says about one tool, as the list shows it."""

    shadow: bool = False
    risk: int = 0
    findings: t.Mapping[str, int] = field(default_factory=lambda: _EMPTY)

    @property
    def open_findings(self) -> int:
        return sum(self.findings.values())


NONE = Governance()


@dataclass
class ListFilters:
    """The governance filters of the list, read from the query arguments."""

    shadow: bool = False
    min_risk: int | None = None
    severity: str = ""  # "critical": has a critical finding; "high": a critical or high one
    renewal_within: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _whole(
    args: t.Mapping[str, str], name: str, label: str, errors: dict[str, str], low: int, high: int
) -> int | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        errors[name] = f"{label}: {text!r} is not a whole number"
        return None
    if not low <= value <= high:
        errors[name] = f"{label}: must be between {low} and {high}"
        return None
    return value


def parse_filters(args: t.Mapping[str, str]) -> ListFilters:
    """Read the governance filters; a bad value is named in `errors` and not applied."""
    errors: dict[str, str] = {}
    severity = (args.get("severity") or "").strip()
    if severity and severity not in SEVERITY_FILTERS:
        errors["severity"] = f"Open findings: {severity!r} is not one of critical, high"
        severity = ""
    return ListFilters(
        shadow=bool(args.get("shadow")),
        min_risk=_whole(args, "min_risk", "Minimum risk score", errors, 0, 1000),
        severity=severity,
        renewal_within=_whole(args, "renewal_within", "Renewal within (days)", errors, 0, MAX_DAYS),
        errors=errors,
    )


def governance(session: Session, as_of: date, *, sla_days: int) -> dict[str, Governance]:
    """Return slug -> Governance from the cached audit of the current catalog version."""
    return caches.current().cached(
        "tool_list.governance",
        catalog_version(session),
        (as_of, sla_days),
        lambda: _governance(session, as_of, sla_days),
    )


def _governance(session: Session, as_of: date, sla_days: int) -> dict[str, Governance]:
    report = audit.audit_report(session, as_of, sla_days=sla_days)
    by_category: dict[str, list[str]] = {}
    for slug, category in session.execute(
        sa.select(Tool.slug, Tool.category).where(Tool.category.is_not(None))
    ):
        by_category.setdefault(str(category), []).append(slug)
    counts: dict[str, dict[str, int]] = {}
    for finding in report["findings"]:
        severity = finding["severity"]
        if severity not in _EMPTY:
            continue
        kind, subject = finding["subject"]["type"], finding["subject"]["key"]
        # The same subjects the tool page counts as concerning a tool.
        if kind == "tool":
            slugs: t.Iterable[str] = (subject,)
        elif kind == "flow":
            slugs = subject.split("->")
        elif kind == "silo":
            slugs = subject.split(",")
        elif kind == "category":
            slugs = by_category.get(subject, ())
        else:
            continue
        for slug in set(slugs):
            per = counts.setdefault(slug, dict(_EMPTY))
            per[severity] += 1
    shadow = {row["tool"] for row in report["shadow_it"]}
    risk = {row["tool"]: int(row["score"]) for row in report["risk"]}
    return {
        slug: Governance(slug in shadow, risk.get(slug, 0), counts.get(slug, _EMPTY))
        for slug in shadow | set(risk) | set(counts)
    }


def _keep(gov: Governance, filters: ListFilters) -> bool:
    if filters.shadow and not gov.shadow:
        return False
    if filters.min_risk is not None and gov.risk < filters.min_risk:
        return False
    if filters.severity:
        return any(gov.findings.get(sev, 0) for sev in SEVERITY_FILTERS[filters.severity])
    return True


def _plain_rows(session: Session, query: sa.Select[t.Any]) -> list[tuple[int, str]]:
    """Return (id, slug) rows straight from the DB-API cursor.

    At 10,000 tools SQLAlchemy's Row objects cost ten times the fetch itself, and an integer and
    a string need no conversion on either database.
    """
    result = session.connection().execute(query)
    try:
        return t.cast(list[tuple[int, str]], result.cursor.fetchall())
    finally:
        result.close()


def _renewal(query: sa.Select[t.Any], filters: ListFilters, today: date) -> sa.Select[t.Any]:
    if filters.renewal_within is None:
        return query
    return query.where(
        Tool.renewal_date.is_not(None),
        Tool.renewal_date >= today,
        Tool.renewal_date <= today + timedelta(days=filters.renewal_within),
    )


def needs_audit_order(args: t.Mapping[str, str], filters: ListFilters) -> bool:
    """Return True if the list's rows must pass through Python (search, audit filters or sort)."""
    return bool(
        (args.get("q") or "").strip()
        or filters.shadow
        or filters.min_risk is not None
        or filters.severity
        or args.get("sort") in ("risk", "findings")
    )


@dataclass(frozen=True)
class Listing:
    """What decides the list's rows, in which order."""

    base: sa.Select[t.Any]  # (Tool.id, Tool.slug) with the database filters and order applied
    args: t.Mapping[str, str]  # the list's query string (search, sort, filters)
    filters: ListFilters
    gov: t.Mapping[str, Governance]
    today: date


def page_ids(
    session: Session, listing: Listing, *, page: int, size: int
) -> tuple[list[int], int, int]:
    """Return (ids of one page, total, page number clamped to the pages there are)."""
    if needs_audit_order(listing.args, listing.filters):
        ids = list_ids(session, listing)
        total = len(ids)
    else:
        # Only the database's filters: count and fetch one page in SQL.
        query = _renewal(listing.base, listing.filters, listing.today)
        total = int(
            session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
            or 0
        )
        ids = []
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    if needs_audit_order(listing.args, listing.filters):
        return ids[(page - 1) * size : page * size], total, page
    rows = session.connection().execute(query.limit(size).offset((page - 1) * size)).all()
    return [row[0] for row in rows], total, page


def list_ids(session: Session, listing: Listing) -> list[int]:
    """Return the ids of the tools the list shows, in its order."""
    filters, gov = listing.filters, listing.gov
    rows = _plain_rows(session, _renewal(listing.base, filters, listing.today))
    if filters.shadow or filters.min_risk is not None or filters.severity:
        # Only tools the audit says something about can pass an audit filter.
        allowed = {slug for slug, g in gov.items() if _keep(g, filters)}
        if _keep(NONE, filters):  # e.g. a minimum risk of 0 keeps every tool
            ids = [tid for tid, _ in rows]
        else:
            ids = [tid for tid, slug in rows if slug in allowed]
    else:
        ids = [tid for tid, _ in rows]
    q = (listing.args.get("q") or "").strip()
    sort = listing.args.get("sort")
    if q:
        scores = dict(tool_search.search(session, q))
        ids = [tid for tid in ids if tid in scores]
        if not sort:  # a search with no chosen order shows the best match first
            ids.sort(key=lambda tid: -scores[tid])
    slug_of = dict(rows)
    if sort == "risk":
        ids.sort(key=lambda tid: -gov.get(slug_of[tid], NONE).risk)
    elif sort == "findings":
        ids.sort(
            key=lambda tid: tuple(
                -gov.get(slug_of[tid], NONE).findings.get(s, 0) for s in SEVERITY_COLUMNS
            )
        )
    return ids


def tools_by_ids(session: Session, ids: t.Sequence[int]) -> list[Tool]:
    """Load tools with their owners, in the order of `ids` (in chunks, for exports)."""
    from sqlalchemy.orm import selectinload

    found: dict[int, Tool] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for tool in session.scalars(
            sa.select(Tool)
            .where(Tool.id.in_(chunk))
            .options(selectinload(Tool.business_owner), selectinload(Tool.technical_owner))
        ):
            found[tool.id] = tool
    return [found[tid] for tid in ids if tid in found]


def _or_blank(value: t.Any) -> t.Any:
    return value or ""


def export_rows(session: Session, ids: t.Sequence[int]) -> list[tuple[t.Any, ...]]:
    """Return the catalog columns of the export for `ids`, in that order (one query per 1,000).

    (slug, name, vendor, category key, lifecycle, business owner e-mail, technical owner e-mail,
    data classes joined, annual cost as a number, currency, renewal date ISO)
    """
    from sqlalchemy.orm import aliased

    from catalog.models import Person

    business, technical = aliased(Person), aliased(Person)
    # Each column of the export, with what turns its value into the cell (None: as it is).
    columns: tuple[tuple[t.Any, t.Callable[[t.Any], t.Any] | None], ...] = (
        (Tool.slug, None),
        (Tool.name, None),
        (Tool.vendor, _or_blank),
        (Tool.category, None),
        (Tool.lifecycle, None),
        (business.email, _or_blank),
        (technical.email, _or_blank),
        (Tool.data_classes, lambda classes: ", ".join(classes or ())),
        (Tool.annual_cost, lambda cost: float(cost) if cost is not None else None),
        (Tool.currency, None),
        (Tool.renewal_date, lambda day: day.isoformat() if day else ""),
    )
    query = (
        sa.select(Tool.id, *(column for column, _ in columns))
        .outerjoin(business, Tool.business_owner_id == business.id)
        .outerjoin(technical, Tool.technical_owner_id == technical.id)
    )
    found: dict[int, tuple[t.Any, ...]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for row in session.execute(query.where(Tool.id.in_(chunk))):
            tid, *values = t.cast(tuple[t.Any, ...], row)
            found[tid] = tuple(
                value if cell is None else cell(value)
                for (_, cell), value in zip(columns, values, strict=True)
            )
    return [found[tid] for tid in ids if tid in found]
