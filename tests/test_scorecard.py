"""The joint scorecard: the audit's figures, one stored row per day, escaped SVG trends."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ScorecardSnapshot
from catalog.services import scorecard
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import login
from tests.accounts import run_cli
from tests.factories import make_person
from tests.factories import make_tool

SVG = "{http://www.w3.org/2000/svg}"


def test_figures_are_the_audit_summary(session):
    make_person(session, email="mia@example.com", department="marketing")
    make_tool(session, slug="hubspot", name="HubSpot", lifecycle="sanctioned",
              business_owner="mia@example.com")
    make_tool(session, slug="old-request", name="Old request", lifecycle="requested",
              requested_at=date(2026, 11, 1))
    session.commit()
    figures = scorecard.current_metrics(session, date(2026, 11, 22), sla_days=10)
    assert figures["tools"] == 2
    assert figures["sanctioned"] == 1
    assert figures["overdue_requests"] == 1
    assert figures["both_owners_share"] == 0.0
    assert scorecard.current_metrics(session, date(2026, 11, 22), sla_days=30)[
        "overdue_requests"] == 0


def test_one_row_per_day_upserted(session):
    day = date(2026, 11, 22)
    scorecard.record_day(session, day, {"tools": 1})
    scorecard.record_day(session, day, {"tools": 2})
    scorecard.record_day(session, day + timedelta(days=1), {"tools": 3})
    session.commit()
    rows = session.execute(
        sa.select(ScorecardSnapshot.day, ScorecardSnapshot.metrics).order_by(ScorecardSnapshot.day)
    ).all()
    assert [(r.day, r.metrics) for r in rows] == [(day, {"tools": 2}),
                                                  (day + timedelta(days=1), {"tools": 3})]
    assert [r.day for r in scorecard.history(session, day, days=90)] == [day]


def test_trend_compares_with_the_first_day_and_judges_direction():
    rows = [ScorecardSnapshot(day=date(2026, 11, d), metrics=m) for d, m in (
        (1, {"shadow": 9, "integration_coverage": 0.5, "shadow_spend": {"USD": 1200.0}}),
        (2, {"shadow": 7, "integration_coverage": None, "shadow_spend": {}}),
    )]
    today = {"shadow": 6, "integration_coverage": 0.75, "shadow_spend": {"USD": 1500.0},
             "median_decision_days": None}
    result = {t.key: t for t in scorecard.trends(rows, today)}
    assert list(result) == ["shadow", "integration_coverage", "median_decision_days",
                            "shadow_spend.USD"]
    assert (result["shadow"].value, result["shadow"].change, result["shadow"].verdict) == (
        "6", "−3", "better")
    assert (result["integration_coverage"].value, result["integration_coverage"].change,
            result["integration_coverage"].verdict) == ("75 %", "+25 pts", "better")
    assert (result["shadow_spend.USD"].label, result["shadow_spend.USD"].change,
            result["shadow_spend.USD"].verdict) == ("Spend on shadow tools (USD)", "+300", "worse")
    assert result["median_decision_days"].value == "—"


def test_sparkline_is_valid_svg_with_gaps_and_escaped_text():
    svg = str(scorecard.sparkline([1, 2, None, 4, 3], label='<script>alert("x")</script> & co',
                                  days=[date(2026, 11, d) for d in range(1, 6)]))
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # well-formed: the label did not break out of its text
    title = root.find(f"{SVG}title").text
    assert title.startswith('<script>alert("x")</script> & co: 2026-11-01 1')
    assert len(root.findall(f"{SVG}polyline")) == 2  # the None splits the line
    assert root.get("aria-label").startswith("<script>")
    assert not any(k.startswith("on") or k == "style" for el in root.iter() for k in el.attrib)


def test_sparkline_with_no_data_says_so():
    root = ET.fromstring(str(scorecard.sparkline([None, None], label="Silos")))
    assert root.find(f"{SVG}title").text == "Silos: no data yet"
    assert root.findall(f"{SVG}polyline") == []


@pytest.fixture
def web(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    add_user(app, "cmo@example.com", "viewer")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_page_draws_todays_figures_without_writing(web):
    with web.app_context():
        make_tool(db.session, slug="x", name="X <b>", lifecycle="discovered")
        db.session.add(ScorecardSnapshot(day=date.today() - timedelta(days=3),
                                         metrics={"tools": 4, "shadow": 3}))
        db.session.commit()
    client = web.test_client()
    login(client, "cmo@example.com")
    page = client.get("/scorecard")
    assert page.status_code == 200
    assert "Shadow IT tools" in page.text and 'class="sparkline"' in page.text
    assert "−3 since the start of the period" in page.text  # tools: 4 -> 1
    client.get("/scorecard")
    with web.app_context():
        days = db.session.scalars(sa.select(ScorecardSnapshot.day)).all()
    # Viewing is read-only: today's row is recorded by `martech scorecard snapshot`.
    assert sorted(days) == [date.today() - timedelta(days=3)]


def test_cli_snapshot_upserts_the_day(web):
    result = run_cli(web, ["scorecard", "snapshot", "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    assert "Tools in the catalog" in result.output
    run_cli(web, ["scorecard", "snapshot", "--as-of", "2026-11-20"])
    with web.app_context():
        assert db.session.scalars(sa.select(ScorecardSnapshot.day)).all() == [date(2026, 11, 20)]
