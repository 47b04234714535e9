"""The catalog as it was on any day: rebuilt from the change log, audited, compared."""

from __future__ import annotations

import dataclasses
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog.analysis.snapshot import Snapshot
from catalog.extensions import db
from catalog.models import DataFlow
from catalog.services import entities
from catalog.services import history
from catalog.services import records
from catalog.services.snapshot import load_snapshot
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

DAYS = [date(2026, 9, 1), date(2026, 9, 15), date(2026, 10, 1), date(2026, 10, 20)]


def _comparable(snap: Snapshot) -> dict[str, list[object]]:
    fields = ("people", "tools", "flows", "dependencies", "sightings")
    return {
        name: sorted(map(dataclasses.astuple, getattr(snap, name)), key=repr) for name in fields
    }


def _on(day: date) -> entities.recorded_at:  # type: ignore[valid-type]
    return entities.recorded_at(
        datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=10)
    )


@pytest.fixture
def scripted(tmp_path: Path, _postgres_schema: None) -> tuple[Flask, list[dict[str, object]]]:
    """Four days of edits; the snapshot exported at the end of each day."""
    app = auth_app(tmp_path)
    add_user(app, "ivan@example.com", "it")
    exported = []
    with app.app_context():
        s = db.session
        with _on(DAYS[0]):
            make_person(s, email="mia@example.com", name="Mia")
            make_tool(
                s,
                slug="crm",
                name="CRM",
                lifecycle="sanctioned",
                system_of_record=True,
                category="crm",
            )
            make_tool(
                s, slug="quiz", name="Quiz", lifecycle="discovered", data_classes=["contact_pii"]
            )
            s.commit()
        exported.append(_comparable(load_snapshot(s)))
        with _on(DAYS[1]):
            make_flow(s, "crm", "quiz", mechanism="manual_export", data_classes=["contact_pii"])
            make_tool(s, slug="zap", name="Zap", lifecycle="discovered")
            s.commit()
        exported.append(_comparable(load_snapshot(s)))
        with _on(DAYS[2]):
            quiz = entities.tool_by_slug(s, "quiz")
            raw = records.tool_record(quiz) | {
                "business_owner": "mia@example.com",
                "description": "Our quiz maker",
            }
            entities.save_tool(s, raw, actor="test", tool=quiz)
            entities.delete_tool(s, entities.tool_by_slug(s, "zap"), actor="test")
            s.commit()
        exported.append(_comparable(load_snapshot(s)))
        with _on(DAYS[3]):
            flow = s.scalars(sa.select(DataFlow)).one()
            entities.delete_flow(s, flow, actor="test")  # Quiz is no longer in use
            s.commit()
        exported.append(_comparable(load_snapshot(s)))
    return app, exported


def test_the_rebuilt_catalog_of_each_day_equals_the_one_exported_that_day(scripted) -> None:
    app, exported = scripted
    with app.app_context():
        for day, expected in zip(DAYS, exported, strict=True):
            assert _comparable(history.snapshot_as_of(db.session, day, version="v")) == expected
        empty = history.snapshot_as_of(db.session, date(2026, 8, 31), version="v")
        assert _comparable(empty) == {k: [] for k in expected}


def test_the_audit_of_a_past_day_says_what_was_true_then(scripted) -> None:
    app, _ = scripted
    ivan = signed_in(app, "ivan@example.com")
    then = ivan.get(f"/api/v1/audit?as_of={DAYS[1]}").json
    assert [s["tool"] for s in then["shadow_it"]] == ["quiz"]  # in use through the flow
    assert "FLOW_UNMANAGED_PERSONAL_DATA" in {f["rule"] for f in then["findings"]}
    now = ivan.get("/api/v1/audit").json
    assert now["shadow_it"] == []
    page = ivan.get(f"/audit?as_of={DAYS[1]}").text
    assert f"the catalog as it was at the end of {DAYS[1]}" in page


def test_compare_lists_what_appeared_and_went_away(scripted) -> None:
    app, _ = scripted
    ivan = signed_in(app, "ivan@example.com")
    page = ivan.get(f"/audit/compare?from={DAYS[1]}&to={DAYS[3]}")
    assert page.status_code == 200
    text = page.text
    assert "Shadow IT: 1 → 0" in text
    assert "Went away (1)" in text and "<li>Quiz</li>" in text
    assert "Closed (" in text and "FLOW_UNMANAGED_PERSONAL_DATA" in text
    assert ivan.get("/audit/compare?from=yesterday").status_code == 400
