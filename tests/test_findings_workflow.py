"""Findings with a life: accept a risk until a date, assign, link a ticket, reopen."""

from __future__ import annotations

import csv
import io
import typing as t
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.services import entities
from tests.accounts import add_user
from tests.accounts import app_with_users
from tests.accounts import signed_in
from tests.factories import crm_feeding_quiz

TODAY = date.today()
UNTIL = TODAY + timedelta(days=30)
RULE = "FLOW_UNMANAGED_PERSONAL_DATA"


@pytest.fixture
def app(tmp_path: Path, _postgres_schema: None) -> Flask:
    users = [
        ("mia@example.com", "marketing"),
        ("ivan@example.com", "it"),
        ("olga@example.com", "it"),
    ]
    app = app_with_users(tmp_path, users)
    with app.app_context():
        s = db.session
        for email in ("mia@example.com", "olga@example.com"):
            entities.save_person(
                s, {"email": email, "name": email.split("@")[0].title()}, actor="test"
            )
        crm_feeding_quiz(s, business_owner="mia@example.com", technical_owner="olga@example.com")
        s.commit()
    return app


def _audit(client: t.Any, as_of: date = TODAY) -> dict[str, t.Any]:
    response = client.get(f"/api/v1/audit?as_of={as_of}")
    assert response.status_code == 200
    return response.json


def _subject(doc: dict[str, t.Any]) -> dict[str, str]:
    finding = next(f for f in doc["findings"] if f["rule"] == RULE)
    return finding["subject"]


def test_accepted_risk_leaves_the_totals_until_it_expires(app: Flask) -> None:
    ivan = signed_in(app, "ivan@example.com")
    before = _audit(ivan)
    subject = _subject(before)
    assert subject == {"type": "flow", "key": "crm->quiz"}
    severity = next(f for f in before["findings"] if f["rule"] == RULE)["severity"]
    total = before["summary"]["findings_by_severity"][severity]
    assert total >= 1

    answer = ivan.post(
        "/api/v1/findings",
        json={
            "action": "accept",
            "rule": RULE,
            "subject": subject,
            "reason": "Campaign ends this month; the export job is being replaced",
            "until": UNTIL.isoformat(),
        },
    )
    assert answer.status_code == 200, answer.json

    after = _audit(ivan)
    assert RULE not in {f["rule"] for f in after["findings"]}
    assert after["summary"]["findings_by_severity"][severity] == total - 1
    assert after["summary"]["accepted_risks"] == 1
    [accepted] = after["accepted_risks"]
    assert (
        accepted["state"]["status"],
        accepted["state"]["accepted_until"],
        accepted["state"]["accepted_by"],
    ) == ("accepted", UNTIL.isoformat(), "ivan@example.com")

    # The CSV carries the status and the expiry; the page lists it in its own section.
    rows = list(csv.reader(io.StringIO(ivan.get(f"/audit.csv?as_of={TODAY}").text)))
    row = next(r for r in rows if r[0] == RULE)
    assert (row[5], row[8]) == ("accepted", UNTIL.isoformat())
    page = ivan.get("/audit").text
    assert "Accepted risks (1)" in page and "export job is being replaced" in page
    tool_page = ivan.get("/tools/quiz").text
    assert "Accepted risks (1)" in tool_page and f"accepted until {UNTIL}" in tool_page

    # The day after the expiry it is an open finding again, by itself.
    expired = _audit(ivan, UNTIL + timedelta(days=1))
    finding = next(f for f in expired["findings"] if f["rule"] == RULE)
    assert finding["state"]["status"] == "open" and finding["state"]["acceptance_expired"]
    assert expired["accepted_risks"] == []

    # Reopen ends the acceptance now.
    assert (
        ivan.post(
            "/api/v1/findings", json={"action": "reopen", "rule": RULE, "subject": subject}
        ).status_code
        == 200
    )
    assert RULE in {f["rule"] for f in _audit(ivan)["findings"]}
    with app.app_context():
        actions = db.session.scalars(
            sa.select(ChangeRecord.action)
            .where(ChangeRecord.object_type == "finding")
            .order_by(ChangeRecord.id)
        ).all()
    assert actions == ["accept", "reopen"]


def test_who_may_accept(app: Flask) -> None:
    subject = {"type": "flow", "key": "crm->quiz"}
    body = {
        "action": "accept",
        "rule": RULE,
        "subject": subject,
        "reason": "r",
        "until": UNTIL.isoformat(),
    }
    mia = signed_in(app, "mia@example.com")  # marketing, owner of Quiz
    answer = mia.post("/api/v1/findings", json=body)
    assert answer.status_code == 403 and "only IT" in answer.json["error"]
    olga = signed_in(app, "olga@example.com")  # IT, but Quiz's technical owner
    answer = olga.post("/api/v1/findings", json=body)
    assert answer.status_code == 403 and "another IT reviewer" in answer.json["error"]
    ivan = signed_in(app, "ivan@example.com")
    assert ivan.post("/api/v1/findings", json=body | {"reason": ""}).status_code == 400
    assert ivan.post("/api/v1/findings", json=body | {"until": "2020-01-01"}).status_code == 400
    assert ivan.post("/api/v1/findings", json=body | {"until": "9999-12-31"}).status_code == 400
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ChangeRecord)
                .where(ChangeRecord.object_type == "finding")
            )
            == 0
        )


def test_assign_and_link_a_ticket_from_the_page(app: Flask) -> None:
    mia = signed_in(app, "mia@example.com")  # an owner may assign and link a ticket
    form = {"rule": RULE, "subject_type": "flow", "subject_key": "crm->quiz", "next": "/audit"}
    due = (TODAY + timedelta(days=14)).isoformat()
    answer = mia.post(
        "/audit/findings",
        data=form | {"action": "assign", "assignee": "OLGA@example.com", "due": due},
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/audit"
    bad = mia.post(
        "/audit/findings",
        data=form | {"action": "ticket", "ticket_url": "javascript:alert(1)"},
        follow_redirects=True,
    )
    assert "must be an http(s) address" in bad.text
    mia.post(
        "/audit/findings",
        data=form | {"action": "ticket", "ticket_url": "https://jira.example.com/MKT-7"},
    )
    finding = next(f for f in _audit(mia)["findings"] if f["rule"] == RULE)
    assert finding["state"] == {
        "status": "assigned",
        "assignee": "olga@example.com",
        "due": due,
        "ticket": "https://jira.example.com/MKT-7",
        "accepted_until": None,
        "accepted_by": None,
        "reason": None,
        "acceptance_expired": False,
    }
    page = mia.get("/audit").text
    assert "assigned to olga@example.com" in page
    assert 'href="https://jira.example.com/MKT-7"' in page
    # A viewer-like outsider (no ownership, not IT) cannot assign.
    add_user(app, "vic@example.com", "marketing")
    vic = signed_in(app, "vic@example.com")
    answer = vic.post(
        "/api/v1/findings",
        json={
            "action": "assign",
            "rule": RULE,
            "subject": {"type": "flow", "key": "crm->quiz"},
            "assignee": "mia@example.com",
        },
    )
    assert answer.status_code == 403


def test_doctests_of_the_state_overlay() -> None:
    import doctest

    from catalog.analysis import finding_states

    assert doctest.testmod(finding_states).failed == 0
