"""Unclassified spend through the services: kept once, decided once, remembered, undone."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from catalog.discovery_models import ImportRun
from catalog.discovery_models import MerchantDecision
from catalog.discovery_models import UnclassifiedSpend
from catalog.models import ChangeRecord
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import discovery
from catalog.services import spend_triage
from catalog.services.records import ValidationError
from tests.discovery_items import line
from tests.discovery_items import obs
from tests.discovery_items import use_items
from tests.discovery_items import write_items
from tests.factories import make_tool


@pytest.fixture(autouse=True)
def _items(monkeypatch):
    use_items(monkeypatch)


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def imported(session, path, **kw):
    summary = discovery.import_files(session, "card_csv", [path], actor="it@example.com", **kw)
    session.commit()
    return summary


STATEMENT = (
    line("Acme Widgets", "2026-11-02", "19.99", raw="ACME WIDGETS 0042 PORTLAND OR"),
    line("Acme Widgets", "2026-11-16", "19.99", raw="ACME WIDGETS 0042 PORTLAND OR"),
    line("Acme Widgets", "2026-11-16", "15.00", currency="EUR", raw="ACME WIDGETS DUBLIN"),
    line("Plausible Analytics", "2026-11-05", "9.00", raw="PLAUSIBLE.IO"),
    obs("Notion", "2026-11-03", spend="10.00", currency="USD", user="ann@example.com"),
    {"type": "skip", "reason": "payment"},
)


def test_unclassified_lines_are_kept_grouped_and_a_reimport_adds_nothing(session, tmp_path):
    path = write_items(tmp_path / "nov.jsonl", *STATEMENT)
    summary = imported(session, path)
    assert summary["unclassified"] == {"lines": 4, "merchants": 2, "added": 4}
    assert summary["new_tools"] == ["Notion"]  # only the clear software line becomes a tool
    waiting, decided = spend_triage.groups(session)
    assert decided == []
    acme = waiting[0]
    assert (acme.merchant, acme.lines, acme.totals) == (
        "Acme Widgets",
        3,
        {"EUR": "15.00", "USD": "39.98"},
    )
    assert str(acme.last_seen) == "2026-11-16"
    assert "unclassified spend" in discovery.format_summary(summary).lower()
    changes = count(session, ChangeRecord)
    # The same file again: no line, no change record; the run itself is kept.
    again = imported(session, path)
    assert again["unclassified"]["added"] == 0 and again["changes"] == 0
    assert count(session, UnclassifiedSpend) == 4
    assert count(session, ChangeRecord) == changes
    assert count(session, ImportRun) == 2


def test_not_software_is_remembered_for_later_imports_and_undo_brings_lines_back(session, tmp_path):
    imported(session, write_items(tmp_path / "nov.jsonl", *STATEMENT))
    key = spend_triage.merchant_key("Acme Widgets")
    assert (
        spend_triage.decide(
            session, key, "not_software", actor="it@example.com", reason="office supplies"
        )
        is None
    )
    session.commit()
    record = session.scalar(
        sa.select(ChangeRecord).where(ChangeRecord.object_type == "merchant_decision")
    )
    assert record.after == {
        "merchant": "Acme Widgets",
        "decision": "not_software",
        "reason": "office supplies",
    }
    waiting, decided = spend_triage.groups(session)
    assert [g.merchant for g in waiting] == ["Plausible Analytics"]
    assert [g.merchant for g in decided] == ["Acme Widgets"]
    december = write_items(
        tmp_path / "dec.jsonl",
        line("Acme Widgets", "2026-12-01", "19.99", raw="ACME WIDGETS 0042 PORTLAND OR"),
    )
    summary = imported(session, december)
    assert summary["skipped"] == {"not software (your decision)": 1}
    assert summary["unclassified"]["lines"] == 0
    assert "Skipped 1 records: 1 not software (your decision)." in discovery.format_summary(summary)
    assert count(session, Tool) == 1  # Notion only: never a tool from Acme
    spend_triage.undo(session, key, actor="it@example.com")
    session.commit()
    waiting, _ = spend_triage.groups(session)
    acme = next(g for g in waiting if g.merchant == "Acme Widgets")
    assert acme.lines == 4  # the December line, skipped while decided, is back too
    assert (
        session.scalar(
            sa.select(ChangeRecord.action)
            .where(ChangeRecord.object_type == "merchant_decision")
            .order_by(ChangeRecord.id.desc())
            .limit(1)
        )
        == "delete"
    )


def test_software_discovers_the_merchant_through_the_import_path(session, tmp_path):
    imported(session, write_items(tmp_path / "nov.jsonl", *STATEMENT))
    key = spend_triage.merchant_key("Plausible Analytics")
    summary = spend_triage.decide(session, key, "software", actor="it@example.com")
    session.commit()
    assert summary["new_tools"] == ["Plausible Analytics"]
    tool = session.scalar(sa.select(Tool).where(Tool.name == "Plausible Analytics"))
    assert tool.lifecycle == "discovered"
    seen = session.scalar(sa.select(Sighting).where(Sighting.tool_id == tool.id))
    assert (seen.source, seen.events, seen.spend) == ("card_csv", 1, Decimal("9.00"))
    kinds = set(session.scalars(sa.select(ChangeRecord.object_type)))
    assert {"merchant_decision", "tool", "sighting"} <= kinds
    # A later statement classifies the merchant as software: its spend adds to the sighting.
    later = imported(
        session,
        write_items(tmp_path / "dec.jsonl", line("Plausible Analytics", "2026-12-05", "9.00")),
    )
    assert later["spend_decisions"] == {"software": 1}
    assert later["unclassified"]["lines"] == 0 and later["new_tools"] == []
    session.refresh(seen)
    assert (seen.events, seen.spend) == (2, Decimal("18.00"))
    # Both statements again: their software lines are counted already, nothing changes.
    changes = count(session, ChangeRecord)
    for name in ("nov.jsonl", "dec.jsonl"):
        assert imported(session, str(tmp_path / name))["changes"] == 0
    assert count(session, ChangeRecord) == changes
    session.refresh(seen)
    assert (seen.events, seen.spend) == (2, Decimal("18.00"))


def test_software_decision_matches_a_tool_the_catalog_has(session, tmp_path):
    make_tool(session, slug="acme-widgets", name="Acme Widgets", lifecycle="sanctioned")
    session.commit()
    imported(session, write_items(tmp_path / "nov.jsonl", *STATEMENT[:3]))
    summary = spend_triage.decide(
        session, spend_triage.merchant_key("Acme Widgets"), "software", actor="it"
    )
    session.commit()
    assert summary["matched"] == 1 and summary["new_tools"] == []
    seen = session.scalar(sa.select(Sighting).where(Sighting.observed_name == "Acme Widgets"))
    assert seen.tool.slug == "acme-widgets"


def test_decisions_are_refused_when_they_make_no_sense(session, tmp_path):
    imported(session, write_items(tmp_path / "nov.jsonl", *STATEMENT))
    key = spend_triage.merchant_key("Acme Widgets")
    with pytest.raises(ValidationError, match="no unclassified spend"):
        spend_triage.decide(session, "nobody", "software", actor="it")
    with pytest.raises(ValidationError, match="choose software or not software"):
        spend_triage.decide(session, key, "maybe", actor="it")
    spend_triage.decide(session, key, "not_software", actor="it")
    with pytest.raises(ValidationError, match="already decided: not software; undo it first"):
        spend_triage.decide(session, key, "software", actor="it")
    with pytest.raises(ValidationError, match="no decision to undo"):
        spend_triage.undo(session, "nobody", actor="it")


def test_a_bad_row_writes_no_line_no_tool_and_no_run(session, tmp_path):
    path = write_items(
        tmp_path / "bad.jsonl", *STATEMENT, {"type": "bad", "message": "amount: 'abc'"}
    )
    with pytest.raises(discovery.ImportFailed, match="row 7: amount: 'abc'"):
        imported(session, path)
    session.rollback()
    for model in (UnclassifiedSpend, Tool, Sighting, ChangeRecord, ImportRun, MerchantDecision):
        assert count(session, model) == 0, model


def test_stale_evidence_says_why_it_adds_no_tool_in_use(session, tmp_path):
    from datetime import date
    from datetime import timedelta

    from catalog.services import audit

    path = write_items(tmp_path / "old.jsonl", obs("Loom", "2025-03-10", spend="12.00"))
    summary = discovery.import_files(
        session, "card_csv", [path], actor="it", today=date(2026, 12, 1)
    )
    session.commit()
    assert summary["stale"] == {"newest": "2025-03-10", "since": "2026-09-02", "days": "90"}
    text = " ".join(discovery.format_summary(summary).split())
    assert (
        "The newest evidence in this import is from 2025-03-10, older than the 90-day in-use "
        "window (from 2026-09-02): it adds no tool in use today" in text
    )
    # What the note says holds: the tool is in no audit's shadow IT, today's nor its own day's
    # (a past day's audit shows the catalog as recorded then, before this import).
    for day in (date.today(), date(2025, 3, 10)):
        shadow = {s["tool"] for s in audit.audit_report(session, day)["shadow_it"]}
        assert "loom" not in shadow, day
    recent_day = (date.today() - timedelta(days=10)).isoformat()
    fresh = write_items(tmp_path / "new.jsonl", obs("Loom", recent_day, spend="12.00"))
    recent = discovery.import_files(session, "card_csv", [fresh], actor="it")
    session.commit()
    assert recent["stale"] is None
    assert "in-use window" not in discovery.format_summary(recent)
    shadow = {s["tool"] for s in audit.audit_report(session, date.today())["shadow_it"]}
    assert "loom" in shadow
