"""A SQLite catalog with a row in every table, and what users see of it: for the dump tests.

`sqlite_app` is a SQLite file whichever database the suite runs on (the dump's source).
"""

from __future__ import annotations

import gzip
import json
import typing as t
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from catalog.models import Base
from catalog.models import ChangeRecord
from catalog.models import IgnoredApp
from catalog.models import Person
from catalog.models import ReviewSignoff
from catalog.models import Tool
from catalog.models import User
from catalog.services import accounts
from catalog.services import audit
from catalog.services import bundle
from catalog.services import entities
from catalog.services import findings
from catalog.services import import_runs
from catalog.services import notify
from catalog.services import platform_apps
from catalog.services import review
from catalog.services import saved_views
from catalog.services import scorecard
from catalog.services import spend_triage
from catalog.services import taxonomy as taxonomy_service
from catalog.services import triage
from catalog.services.demo import demo_bundle
from catalog.services.discovery_write import add_alias
from integrations.base import Unclassified
from tests.conftest import make_app

TODAY = date(2026, 11, 22)


def sqlite_app(path: Path) -> Flask:
    """An app on the SQLite file at `path`, with the tables made and permissions off."""
    return make_app(path.parent, url=f"sqlite:///{path}", AUTH_ENABLED=False)


def populate(session) -> None:
    """A catalog with a row in every table of today's model, written through the services."""
    bundle.import_bundle(session, demo_bundle(TODAY), actor="demo")
    accounts.create_demo_accounts(session, password="correct horse battery")
    admin = accounts.user_by_email(session, "admin@demo.example")
    accounts.issue_api_token(session, admin, actor="cli")
    viewer = accounts.user_by_email(session, "viewer@demo.example")
    accounts.update_user(session, viewer, actor="admin@demo.example", active=False)
    # Four eyes: a marketer (business owner) and an IT reviewer (technical owner) of the demo.
    marketer = session.scalar(sa.select(User).where(User.role == "marketing"))
    engineer = session.scalar(sa.select(User).where(User.role == "it"))
    asked = review.request_tool(
        session,
        {
            "name": "Étoile CRM ✓",
            "slug": "etoile-crm",
            "business_owner": marketer.email,
            "technical_owner": engineer.email,
        },
        actor=marketer.email,
        today=TODAY,
    )
    review.start_review(session, asked, actor=engineer.email, today=TODAY)
    review.sign_off(session, asked, "business", actor=marketer.email, note="budget ok")
    review.sign_off(session, asked, "technical", actor=engineer.email, note='SSO "ready"')
    review.sanction(session, asked, actor=engineer.email, today=TODAY)
    refused = review.request_tool(
        session,
        {
            "name": "Shadow Thing",
            "business_owner": marketer.email,
            "technical_owner": engineer.email,
        },
        actor=marketer.email,
        today=TODAY,
    )
    review.reject(session, refused, "duplicates HubSpot", actor=engineer.email, today=TODAY)
    # A marketer's change to an IT field of their own tool waits for IT as a proposal.
    owned = session.scalar(
        sa.select(Tool)
        .join(Person, Tool.business_owner_id == Person.id)
        .where(Person.email == marketer.email)
        .order_by(Tool.slug)
    )
    entities.save_tool(
        session,
        entities.records.tool_record(owned)
        | {"system_of_record": not owned.system_of_record, "description": "edited"},
        actor=marketer.email,
        tool=owned,
    )
    review.set_sla_days(session, 7, actor="admin@demo.example")
    group = taxonomy_service.add_group(session, name="Retail media", actor="admin@demo.example")
    taxonomy_service.add_category(
        session, name="Shelf ads", group=group.key, actor="admin@demo.example"
    )
    add_alias(session, asked, "0oa1b2c3", source="okta", actor="cli")
    session.add(IgnoredApp(source="", value="spotify", label="Spotify"))
    for back in (2, 1, 0):
        metrics = scorecard.current_metrics(session, TODAY - timedelta(days=back), sla_days=7)
        scorecard.record_day(session, TODAY - timedelta(days=back), metrics)
    # Triage, findings and notification records.
    ignored = session.scalar(
        sa.select(Tool).where(Tool.lifecycle == "discovered").order_by(Tool.slug)
    )
    triage.ignore(session, ignored, actor="it@demo.example", reason="a personal tool")
    findings.act(
        session,
        "accept",
        "NO_SYSTEM_OF_RECORD",
        "catalog",
        "catalog",
        {"reason": "a catalog-wide finding", "until": TODAY.isoformat()},
        actor="it@demo.example",
        role="it",
        today=TODAY,
    )
    notify.enqueue(
        session,
        notify.collect(session, TODAY, sla=7),
        notify.Transport(base_url="https://catalog.example.com"),
    )
    notify.set_preferences(session, admin, ["decision"], actor="admin@demo.example")
    saved_views.save(
        session,
        user_id=admin.id,
        email=admin.email,
        name="Shadow by risk",
        args={"shadow": "1", "sort": "risk"},
        actor=admin.email,
    )
    # Discovery triage: an import run, unclassified spend, a merchant decision, a platform app.
    run = import_runs.record_failure(
        session,
        actor="cli",
        via="cli",
        files=["amex.csv"],
        sources=["card_csv"],
        message="1 bad row: row 7",
    )
    spend_triage.store_lines(
        session,
        [
            (
                "card_csv",
                Unclassified(
                    "row 2",
                    "Patreon",
                    "PATREON* MEMBERSHIP",
                    TODAY,
                    Decimal("5.00"),
                    "USD",
                    None,
                    "unknown merchant",
                ),
            ),
            (
                "card_csv",
                Unclassified(
                    "row 3",
                    "Supernova Metrics",
                    "SUPERNOVA METRICS AUSTIN TX",
                    TODAY,
                    Decimal("99.00"),
                    "USD",
                    "ann@example.com",
                    "unknown",
                ),
            ),
        ],
        run_id=run.id,
        actor="cli",
    )
    spend_triage.decide(
        session,
        spend_triage.merchant_key("Patreon"),
        "not_software",
        actor="it@demo.example",
        reason="a personal membership",
    )
    platform_apps.add(
        session,
        platform="microsoft",
        name="Contoso HR Portal",
        app_id="",
        actor="admin@demo.example",
    )
    session.commit()


def table_counts(session) -> dict[str, int]:
    return {
        tb.name: session.scalar(sa.select(sa.func.count()).select_from(tb))
        for tb in Base.metadata.sorted_tables
    }


def utc(at: datetime) -> datetime:
    # SQLite returns the UTC wall time without a zone, PostgreSQL an aware time: same instant.
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def views(session) -> dict[str, t.Any]:
    """What users see of the catalog: the audit, the scorecard's past, the review history."""
    asked = session.scalar(sa.select(Tool).where(Tool.slug == "etoile-crm"))
    return {
        "audit": audit.render_json(audit.audit_report(session, TODAY, sla_days=7)),
        "scorecard": [(s.day, s.metrics) for s in scorecard.history(session, TODAY)],
        "review": [
            (c.id, utc(c.at), c.actor, c.action, c.after) for c in review.history(session, asked)
        ],
        "signoffs": [
            (s.side, s.round, s.signed_by, utc(s.signed_at), s.note)
            for s in session.scalars(sa.select(ReviewSignoff).order_by(ReviewSignoff.id))
        ],
        "users": [
            (u.id, u.email, u.role, u.active, u.password_hash, u.api_token_hash, u.session_token)
            for u in session.scalars(sa.select(User).order_by(User.id))
        ],
        "bundle": bundle.export_bundle(session),
        "changes": session.scalar(sa.select(sa.func.count(ChangeRecord.id))),
    }


def edited_dump(path: Path, out: Path, table: str, column: str, value: t.Any) -> int:
    """Write `out`: the dump at `path` with one value of `table`'s first row changed."""
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f'{{"table":"{table}"'))
    row = json.loads(lines[at + 1])
    row[json.loads(lines[at])["columns"].index(column)] = value
    lines[at + 1] = json.dumps(row) + "\n"
    out.write_text("".join(lines), encoding="utf-8")
    return at + 2
