"""The home page shows each role what waits on them."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import ScorecardSnapshot
from catalog.services import entities
from catalog.services import review
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.factories import crm_feeding_quiz

TODAY = date.today()


@pytest.fixture
def app(tmp_path: Path, _postgres_schema: None) -> Flask:
    app = auth_app(tmp_path)
    for email, role in ("mia@example.com", "marketing"), ("ivan@example.com", "it"):
        add_user(app, email, role, name=email.split("@")[0].title())
    add_user(app, "val@example.com", "viewer", name="Val")
    with app.app_context():
        s = db.session
        for email in ("mia@example.com", "ivan@example.com"):
            entities.save_person(
                s, {"email": email, "name": email.split("@")[0].title()}, actor="test"
            )
        renewal = (TODAY + timedelta(days=40)).isoformat()
        crm_feeding_quiz(s, renewal_date=renewal, business_owner="mia@example.com")
        entities.save_tool(
            s, {"name": "Loom", "slug": "loom", "lifecycle": "discovered"}, actor="okta import"
        )
        review.request_tool(
            s,
            {
                "name": "Drift",
                "business_owner": "mia@example.com",
                "technical_owner": "ivan@example.com",
            },
            actor="mia@example.com",
            today=TODAY - timedelta(days=12),
        )
        s.commit()
    return app


def test_marketer_sees_sign_offs_requests_findings_and_renewals(app: Flask) -> None:
    page = signed_in(app, "mia@example.com").get("/")
    assert page.status_code == 200
    text = page.text
    assert "Hello, Mia" in text
    assert "Sign-offs you owe (1)" in text and "your business sign-off" in text
    assert "Drift</a>:\n      waiting for IT to pick it up" in text
    assert "Open findings on your tools" in text and 'href="/audit?tool=quiz"' in text
    assert f"renews on {TODAY + timedelta(days=40)}" in text
    assert "Review queue" not in text  # IT's work is not the marketer's


def test_it_sees_the_queue_with_its_sla_clock_and_new_discoveries(app: Flask) -> None:
    text = signed_in(app, "ivan@example.com").get("/").text
    assert "Review queue (1, 1 overdue)" in text
    assert "12 days" in text and "overdue since" in text
    assert "Sign-offs you owe (1)" in text and "your technical sign-off" in text
    assert "New discoveries (1 in the last 30 days)" in text and ">Loom</a>" in text


def test_viewer_sees_the_numbers_and_the_visit_writes_nothing(app: Flask) -> None:
    with app.app_context():
        changes = db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord))
    text = signed_in(app, "val@example.com").get("/").text
    assert "Nothing waits on you today." in text
    assert "Shadow IT tools" in text and "Unmanaged data silos" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord)) == changes
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScorecardSnapshot)) == 0


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
