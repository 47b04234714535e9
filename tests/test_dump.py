"""Dump and restore: every table, every column, across SQLite and PostgreSQL, byte for byte.

The round trip takes a SQLite file as its source and the suite's database as its target: on the
PostgreSQL pass that is SQLite -> PostgreSQL, on the SQLite pass SQLite -> SQLite.
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

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog import create_app
from catalog.cli import main
from catalog.extensions import db
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
from catalog.services import dump
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

TODAY = date(2026, 11, 22)


def sqlite_app(path: Path) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "AUTH_ENABLED": False,
            "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{path}"},
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
    return app


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


@pytest.fixture
def source(tmp_path) -> t.Iterator[tuple[Flask, Path, dict]]:
    """A populated SQLite catalog, its dump, and what users see of it."""
    app = sqlite_app(tmp_path / "source.sqlite")
    with app.app_context():
        populate(db.session)
        path = tmp_path / "catalog.dump.gz"
        dump.dump(db.session, path)
        seen = views(db.session)
        counts = table_counts(db.session)
    yield app, path, {"views": seen, "counts": counts}
    with app.app_context():
        db.engine.dispose()


def test_every_table_of_the_model_is_in_the_dump_with_its_rows(source):
    _, path, seen = source
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh]
    header, footer = lines[0], lines[-1]
    names = [tb.name for tb in Base.metadata.sorted_tables]
    # A table added to the model is carried without touching the dump: none can be forgotten.
    assert header["tables"] == names
    assert [item["table"] for item in lines if isinstance(item, dict) and "table" in item] == names
    assert footer == {"end": True, "rows": seen["counts"]}
    for item in lines:
        if isinstance(item, dict) and "table" in item:
            assert item["columns"] == [c.name for c in Base.metadata.tables[item["table"]].c]
    # the populated catalog has a row in every table of today's model
    assert [n for n, c in seen["counts"].items() if c == 0] == []
    assert path.stat().st_mode & 0o077 == 0  # password hashes: for the owner's eyes only


def test_sqlite_dump_restores_exactly_into_the_suite_database(source, app, tmp_path):
    _, path, seen = source
    with app.app_context():
        restored = dump.restore(db.session, path)
        db.session.commit()
        assert restored == seen["counts"]
        again = tmp_path / "again.dump.gz"
        dump.dump(db.session, again)
        assert views(db.session) == seen["views"]
        assert table_counts(db.session) == seen["counts"]
    # byte for byte: the same text whichever database it was read from
    assert gzip.open(again).read() == gzip.open(path).read()


def test_inserts_after_a_restore_get_new_ids(source, app):
    _, path, seen = source
    with app.app_context():
        dump.restore(db.session, path)
        db.session.commit()
        last_tool = db.session.scalar(sa.select(sa.func.max(Tool.id)))
        tool = entities.save_tool(
            db.session, {"name": "After Restore", "annual_cost": "12.5"}, actor="test"
        )
        accounts.create_user(
            db.session,
            email="new@example.com",
            role="viewer",
            password="long enough password",
            actor="test",
        )
        db.session.commit()
        assert tool.id == last_tool + 1
        assert db.session.scalar(sa.select(sa.func.count(ChangeRecord.id))) == (
            seen["views"]["changes"] + 2
        )
        assert db.session.get(Tool, tool.id).annual_cost == Decimal("12.50")
        # accounts came across with their password hashes: the old password still signs in
        admin = accounts.authenticate(db.session, "admin@demo.example", "correct horse battery")
        assert admin is not None and admin.role == "admin"
        assert (
            accounts.authenticate(db.session, "viewer@demo.example", "correct horse battery")
            is None
        )  # still disabled


def test_restore_into_a_database_with_any_row_refuses_and_writes_nothing(source, app):
    _, path, _ = source
    with app.app_context():
        db.session.add(IgnoredApp(source="okta", value="0oa-x", label="X"))
        db.session.commit()
        before = table_counts(db.session)
        with pytest.raises(dump.DumpError, match=r"not empty \(ignored_app has rows\)"):
            dump.restore(db.session, path)
        db.session.rollback()
        assert table_counts(db.session) == before


def test_a_cut_short_dump_restores_nothing(source, app, tmp_path):
    _, path, _ = source
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines(keepends=True)
    cut = tmp_path / "cut.dump"
    cut.write_text("".join(lines[:-40]), encoding="utf-8")  # no footer: an interrupted copy
    with app.app_context():
        with pytest.raises(dump.DumpError, match="ends before the end of the dump"):
            dump.restore(db.session, cut)
        db.session.rollback()
        assert set(table_counts(db.session).values()) == {0}
        notdump = tmp_path / "bundle.json"
        notdump.write_text('{"tools": []}\n', encoding="utf-8")
        with pytest.raises(dump.DumpError, match="is not a martech dump"):
            dump.restore(db.session, notdump)


def test_a_gzipped_dump_is_read_whatever_its_name_and_a_damaged_one_is_refused(
    source, app, tmp_path
):
    _, path, seen = source
    damaged = tmp_path / "damaged.dump.gz"
    damaged.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    renamed = tmp_path / "catalog.backup"
    renamed.write_bytes(path.read_bytes())
    with app.app_context():
        with pytest.raises(dump.DumpError, match="cannot be read to the end"):
            dump.restore(db.session, damaged)
        db.session.rollback()
        assert set(table_counts(db.session).values()) == {0}
        assert dump.restore(db.session, renamed) == seen["counts"]


def edited_dump(path: Path, out: Path, table: str, column: str, value: t.Any) -> int:
    """Write `out`: the dump at `path` with one value of `table`'s first row changed."""
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f'{{"table":"{table}"'))
    row = json.loads(lines[at + 1])
    row[json.loads(lines[at])["columns"].index(column)] = value
    lines[at + 1] = json.dumps(row) + "\n"
    out.write_text("".join(lines), encoding="utf-8")
    return at + 2


def test_a_hand_edited_dump_with_a_bad_value_or_reference_restores_nothing(source, app, tmp_path):
    _, path, _ = source
    bad_date = tmp_path / "bad-date.dump"
    line = edited_dump(path, bad_date, "tool", "renewal_date", "2027-02-30")
    dangling = tmp_path / "dangling.dump"
    edited_dump(path, dangling, "data_flow", "source_id", 99999)
    with app.app_context():
        with pytest.raises(dump.DumpError, match=f"bad-date.dump, line {line}: tool: "):
            dump.restore(db.session, bad_date)
        db.session.rollback()
        with pytest.raises(dump.DumpError, match="data_flow: the database refused a row"):
            dump.restore(db.session, dangling)
        db.session.rollback()
        assert set(table_counts(db.session).values()) == {0}


def test_restore_refuses_a_dump_of_another_schema_revision(source, app, tmp_path):
    _, path, _ = source
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines(keepends=True)
    header = json.loads(lines[0]) | {"alembic_revision": "000000000000"}
    other = tmp_path / "other.dump"
    other.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
            conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('c3ec6fbc4936')")
        try:
            with pytest.raises(
                dump.DumpError, match="revision 000000000000 and this database is at c3ec6fbc4936"
            ):
                dump.restore(db.session, other)
            db.session.rollback()
        finally:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE alembic_version")
        assert set(table_counts(db.session).values()) == {0}


def test_cli_dump_of_a_migrated_database_restores_with_the_cli(app, runner, tmp_path):
    fresh = create_app(
        {"TESTING": True, "SQLALCHEMY_ENGINES": {"default": f"sqlite:///{tmp_path / 'm.sqlite'}"}}
    )
    fresh_runner = fresh.test_cli_runner()
    for args in (["db", "upgrade"], ["demo", "--today", "2026-11-22"]):
        assert fresh_runner.invoke(main, args).exit_code == 0
    path = tmp_path / "migrated.dump"
    result = fresh_runner.invoke(main, ["dump", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {path}: " in result.output
    with fresh.app_context():
        head = dump.alembic_revision(db.session.connection())
        db.engine.dispose()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert head and json.loads(lines[0])["alembic_revision"] == head

    result = runner.invoke(main, ["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert "Restored " in result.output
    again = tmp_path / "again.dump.gz"
    assert runner.invoke(main, ["dump", str(again)]).exit_code == 0
    # the suite's schema was made without Alembic, so only the header's revision differs
    assert (
        gzip.open(again, "rt", encoding="utf-8").read().splitlines(keepends=True)[1:] == (lines[1:])
    )
    result = runner.invoke(main, ["restore", str(path)])
    assert result.exit_code == 1
    assert "nothing restored. this database is not empty (change_record has rows)" in result.output
