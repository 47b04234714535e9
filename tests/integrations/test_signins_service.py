"""Sign-in exports through the discovery service: skipped records are counted by reason and
change nothing; the Log Analytics CSV and an Amex file with empty first rows import under auto."""

from __future__ import annotations

import codecs
from pathlib import Path

import sqlalchemy as sa

from catalog.models import ChangeRecord
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import discovery

DATA = Path(__file__).resolve().parent.parent / "data" / "discovery"


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_failed_sign_ins_make_no_tools_and_are_counted_by_reason(session):
    path = DATA / "entra_azure_monitor_failed_50140.jsonl"
    summary = discovery.import_files(session, "auto", [str(path)], actor="test")
    session.commit()
    assert summary["sources"] == ["entra"]
    assert summary["skipped"] == {"failed sign-in": 5, "service principal or managed identity": 2}
    assert (count(session, Tool), count(session, Sighting), count(session, ChangeRecord)) == (
        0,
        0,
        0,
    )
    text = discovery.format_summary(summary)
    assert "Skipped 7 records: 5 failed sign-in, 2 service principal or managed identity." in text


def test_log_analytics_csv_imports_under_auto_and_twice_changes_nothing(session):
    path = str(DATA / "signins" / "entra_log_analytics.csv")
    first = discovery.import_files(session, "auto", [path], actor="test")
    session.commit()
    assert first["sources"] == ["entra"] and first["observations"] > 0
    assert set(first["skipped"]) == {
        "failed sign-in",
        "non-interactive sign-in",
        "service principal or managed identity",
        "platform app",  # Azure Portal, My Apps ...: no Microsoft 365 in an empty catalog
    }
    again = discovery.import_files(session, "auto", [path], actor="test")
    session.commit()
    assert again["changes"] == 0


def test_amex_with_empty_first_rows_imports_under_auto(session, tmp_path):
    amex = (DATA / "amex_activity.csv").read_bytes().removeprefix(codecs.BOM_UTF8)
    path = tmp_path / "activity.csv"
    path.write_bytes(codecs.BOM_UTF8 + b",,,,,,,,,,,,\r\n" * 5 + b"\r\n" + amex)
    summary = discovery.import_files(session, "auto", [str(path)], actor="test")
    assert summary["sources"] == ["card_csv"]
