"""The joint scorecard: the audit's figures, one stored row per day, escaped SVG trends."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import ScorecardSnapshot
from catalog.services import entities
from catalog.services import scorecard
from tests.accounts import add_user
from tests.accounts import login
from tests.accounts import run_cli
from tests.factories import make_person
from tests.factories import make_tool

SVG = "{http://www.w3.org/2000/svg}"


def test_figures_are_the_audit_summary(session):
    # The figures as of a past day come from that day's catalog, rebuilt from the change log.
    with entities.recorded_at(datetime(2026, 11, 21, tzinfo=UTC)):
        make_person(session, email="mia@example.com", department="marketing")
        mias = {"lifecycle": "sanctioned", "business_owner": "mia@example.com"}
        make_tool(session, slug="hubspot", name="HubSpot", **mias)
        make_tool(
            session,
            slug="old-request",
            name="Old request",
            lifecycle="requested",
            requested_at=date(2026, 11, 1),
        )
    session.commit()
    assert scorecard.current_metrics(session, date(2026, 11, 20), sla_days=10)["tools"] == 0
    figures = scorecard.current_metrics(session, date(2026, 11, 22), sla_days=10)
    assert figures["tools"] == 2
    assert figures["sanctioned"] == 1
    assert figures["overdue_requests"] == 1
    assert figures["both_owners_share"] == 0.0
    assert (
        scorecard.current_metrics(session, date(2026, 11, 22), sla_days=30)["overdue_requests"] == 0
    )


def test_one_row_per_day_upserted(session):
    day = date(2026, 11, 22)
    scorecard.record_day(session, day, {"tools": 1})
    scorecard.record_day(session, day, {"tools": 2})
    scorecard.record_day(session, day + timedelta(days=1), {"tools": 3})
    session.commit()
    rows = session.execute(
        sa.select(ScorecardSnapshot.day, ScorecardSnapshot.metrics).order_by(ScorecardSnapshot.day)
    ).all()
    assert [(r.day, r.metrics) for r in rows] == [
        (day, {"tools": 2}),
        (day + timedelta(days=1), {"tools": 3}),
    ]
    assert [r.day for r in scorecard.history(session, day, days=90)] == [day]


def test_trend_compares_with_the_first_day_and_judges_direction():
    rows = [
        ScorecardSnapshot(day=date(2026, 11, d), metrics=m)
        for d, m in (
            (1, {"shadow": 9, "integration_coverage": 0.5, "shadow_spend": {"USD": 1200.0}}),
            (2, {"shadow": 7, "integration_coverage": None, "shadow_spend": {}}),
        )
    ]
    today = {
        "shadow": 6,
        "integration_coverage": 0.75,
        "shadow_spend": {"USD": 1500.0},
        "median_decision_days": None,
    }
    result = {t.key: t for t in scorecard.trends(rows, today)}
    assert list(result) == [
        "shadow",
        "integration_coverage",
        "median_decision_days",
        "shadow_spend.USD",
    ]
    assert (result["shadow"].value, result["shadow"].change, result["shadow"].verdict) == (
        "6",
        "−3",
        "better",
    )
    assert (
        result["integration_coverage"].value,
        result["integration_coverage"].change,
        result["integration_coverage"].verdict,
    ) == ("75 %", "+25 pts", "better")
    assert (
        result["shadow_spend.USD"].label,
        result["shadow_spend.USD"].change,
        result["shadow_spend.USD"].verdict,
    ) == ("Spend on shadow tools (USD)", "+300", "worse")
    assert result["median_decision_days"].value == "—"


def test_sparkline_is_valid_svg_with_gaps_and_escaped_text():
    svg = str(
        scorecard.sparkline(
            [1, 2, None, 4, 3],
            label='<script>alert("x")</script> & co',
            days=[date(2026, 11, d) for d in range(1, 6)],
        )
    )
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
def web(app):
    """The suite's app (sign-in enforced) with a viewer, the CMO."""
    add_user(app, "cmo@example.com", "viewer")
    return app


def test_page_draws_trends_from_the_rebuilt_past_and_writes_nothing(web):
    today = date.today()
    with web.app_context():
        with entities.recorded_at(
            datetime.combine(today - timedelta(days=60), datetime.min.time(), tzinfo=UTC)
        ):
            for n in range(4):
                make_tool(db.session, slug=f"t{n}", name=f"T{n}", lifecycle="sanctioned")
        with entities.recorded_at(
            datetime.combine(today - timedelta(days=20), datetime.min.time(), tzinfo=UTC)
        ):
            entities.delete_tool(db.session, entities.tool_by_slug(db.session, "t3"), actor="test")
        make_tool(db.session, slug="x", name="X <b>", lifecycle="discovered")
        make_tool(db.session, slug="y", name="Y", lifecycle="discovered")
        db.session.commit()
        changes = db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord))
    client = web.test_client()
    login(client, "cmo@example.com")
    page = client.get("/scorecard")
    assert page.status_code == 200
    assert "Tools in the catalog" in page.text and 'class="sparkline"' in page.text
    # Sampled weekly: no tools 63 days ago, 4 from 60 days ago, 3 after a delete, 5 today.
    assert "+5 since the start of the period" in page.text
    title = (
        ET.fromstring(str(next(t.svg for t in _trends(web) if t.key == "tools")))
        .find(f"{SVG}title")
        .text
    )
    for back, tools in ((63, 0), (56, 4), (14, 3)):
        assert f"{today - timedelta(days=back)} {tools}," in title
    assert "<b>" not in page.text.split("</header>", 1)[-1].replace("&lt;b&gt;", "")
    with web.app_context():  # a viewer's visit writes nothing
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord)) == changes
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScorecardSnapshot)) == 0


def _trends(app):
    with app.app_context():
        points = scorecard.series(db.session, date.today(), sla_days=10)
        return scorecard.trends(points, points[-1].metrics)


def test_targets_are_set_by_admins_and_drawn(web):
    add_user(web, "admin@example.com", "admin")
    viewer = web.test_client()
    login(viewer, "cmo@example.com")
    assert viewer.post("/scorecard/targets", data={"shadow": "0"}).status_code == 403
    admin = web.test_client()
    login(admin, "admin@example.com")
    bad = admin.post(
        "/scorecard/targets", data={"integration_coverage": "150"}, follow_redirects=True
    )
    assert "must be a percentage from 0 to 100" in bad.text
    admin.post("/scorecard/targets", data={"shadow": "0", "integration_coverage": "90"})
    page = viewer.get("/scorecard").text
    assert "Target: 90 %" in page and "Target: 0" in page
    assert page.count('class="target"') == 1  # coverage has no data to draw against yet
    with web.app_context():
        assert scorecard.targets(db.session) == {"shadow": 0.0, "integration_coverage": 0.9}


def test_severities_read_from_the_worst_down():
    today = {"findings_by_severity": {"critical": 1, "high": 2, "info": 0, "low": 3, "medium": 4}}
    keys = [t.key.split(".")[1] for t in scorecard.trends([], today)]
    assert keys == ["critical", "high", "medium", "low", "info"]


def test_cli_snapshot_upserts_the_day(web):
    result = run_cli(web, ["scorecard", "snapshot", "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    assert "Tools in the catalog" in result.output
    run_cli(web, ["scorecard", "snapshot", "--as-of", "2026-11-20"])
    with web.app_context():
        assert db.session.scalars(sa.select(ScorecardSnapshot.day)).all() == [date(2026, 11, 20)]


def test_severity_cards_read_worst_first():
    today = {"findings_by_severity": {s: 1 for s in ("critical", "high", "info", "low", "medium")}}
    labels = [t.label for t in scorecard.trends([], today)]
    assert labels == [
        "Critical findings",
        "High findings",
        "Medium findings",
        "Low findings",
        "Info findings",
    ]
