"""The review checklist: controls ticked in the review, requested flows decided, the preview of
the findings once sanctioned, and the sanction gate with its override reason."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import DataFlow
from catalog.models import Tool
from catalog.services import review
from catalog.services import review_checklist as checklist
from catalog.services.records import ValidationError
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.review_stack import CONTROLLED
from tests.review_stack import mia_ivan_and_salesforce
from tests.review_stack import request_drift
from tests.review_stack import severe

TODAY = date.today()  # the audit of a past day replays the change log


def seed(session):
    mia_ivan_and_salesforce(session, **CONTROLLED)
    tool = request_drift(session, TODAY, vendor="Salesloft", description="Chat on the site")
    review.start_review(session, tool, actor="ivan@example.com", today=TODAY)
    review.sign_off(session, tool, "business", actor="mia@example.com")
    review.sign_off(session, tool, "technical", actor="ivan@example.com")
    session.commit()
    return tool


def test_sanction_without_the_checklist_is_refused_and_the_preview_says_why(session):
    tool = seed(session)
    blocking = checklist.preview(session, tool, TODAY).blocking
    assert len(blocking) >= 2
    with pytest.raises(ValidationError) as info:
        review.sanction(session, tool, actor="ivan@example.com", today=TODAY)
    assert "critical or high" in info.value.errors["override"]
    session.rollback()
    assert session.get(Tool, tool.id).lifecycle == "in_review"


def test_override_reason_is_recorded_and_the_audit_shows_what_it_let_through(session):
    tool = seed(session)
    review.sanction(
        session,
        tool,
        actor="ivan@example.com",
        today=TODAY,
        override="Pilot for the trade fair, two weeks",
    )
    session.commit()
    bad = severe(session)
    assert any(sev == "critical" for _, sev in bad) and len(bad) >= 3  # the report
    row = session.scalar(sa.select(ChangeRecord).where(ChangeRecord.action == "override"))
    assert (row.actor, row.object_key, row.after["reason"]) == (
        "ivan@example.com",
        "drift",
        "Pilot for the trade fair, two weeks",
    )
    assert len(row.after["findings"]) == len(
        checklist.Preview.count(checklist.preview(session, tool, TODAY).findings) * [0]
    )
    assert checklist.override_reasons(session)["drift"]["reason"].startswith("Pilot")


def test_the_checklist_settles_the_findings_so_sanction_needs_no_override(session):
    tool = seed(session)
    before = checklist.Preview.count(checklist.preview(session, tool, TODAY).findings)
    for name, value in (
        ("vendor_sso", True),
        ("dpa_signed", True),
        ("security_reviewed", True),
        ("sso_enabled", True),
    ):
        tool = checklist.set_control(session, tool, name, value, actor="ivan@example.com")
    for flow in checklist.requested_flows(session, tool):
        checklist.decide_flow(session, tool, flow, "take_over", actor="ivan@example.com")
    session.commit()
    assert (before, checklist.Preview.count(checklist.preview(session, tool, TODAY).findings)) == (
        3,
        1,
    )
    # What remains is the silo (Drift's data never goes back to Salesforce), no longer rogue.
    assert [(f.rule, f.severity) for f, _ in checklist.preview(session, tool, TODAY).blocking] == [
        ("DATA_SILO", "high")
    ]
    review.sanction(
        session,
        tool,
        actor="ivan@example.com",
        today=TODAY,
        override="Chat transcripts stay in Drift until the CRM sync ships",
    )
    session.commit()
    assert severe(session) == [("DATA_SILO", "high")]
    assert tool.lifecycle == "sanctioned"
    assert session.scalar(sa.select(DataFlow)).managed_by_it is True


def test_ticking_system_of_record_leaves_nothing_blocking(session):
    tool = seed(session)
    for name in (
        "vendor_sso",
        "dpa_signed",
        "security_reviewed",
        "sso_enabled",
        "system_of_record",
    ):
        tool = checklist.set_control(session, tool, name, True, actor="ivan@example.com")
    for flow in checklist.requested_flows(session, tool):
        checklist.decide_flow(session, tool, flow, "take_over", actor="ivan@example.com")
    review.sanction(session, tool, actor="ivan@example.com", today=TODAY)
    session.commit()
    assert severe(session) == []
    assert not session.scalar(sa.select(ChangeRecord).where(ChangeRecord.action == "override"))


def test_each_tick_is_recorded_with_who_and_when(session):
    tool = seed(session)
    checklist.set_control(session, tool, "dpa_signed", True, actor="ivan@example.com")
    session.commit()
    dpa = {c.field: c for c in checklist.controls(session, tool)}["dpa_signed"]
    assert (dpa.done, dpa.required, dpa.checked_by) == (True, True, "ivan@example.com")
    assert dpa.checked_at is not None
    updates = session.scalars(
        sa.select(ChangeRecord).where(
            ChangeRecord.object_type == "tool",
            ChangeRecord.object_key == "drift",
            ChangeRecord.action == "update",
        )
    ).all()
    assert updates[-1].after["dpa_signed"] is True


def test_leaving_a_flow_unmanaged_needs_a_reason_and_drop_deletes_it(session):
    tool = seed(session)
    flow = checklist.requested_flows(session, tool)[0]
    with pytest.raises(ValidationError) as info:
        checklist.decide_flow(session, tool, flow, "leave", actor="ivan@example.com")
    assert info.value.errors == {"reason": "say why salesforce->drift (api) stays unmanaged"}
    checklist.decide_flow(
        session, tool, flow, "leave", actor="ivan@example.com", reason="Marketing runs the sync"
    )
    assert checklist.left_unmanaged(session, tool) == {
        "salesforce->drift (api)": "Marketing runs the sync"
    }
    checklist.decide_flow(session, tool, flow, "drop", actor="ivan@example.com")
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(DataFlow)) == 0
    actions = session.scalars(
        sa.select(ChangeRecord.action).where(ChangeRecord.object_type == "review")
    ).all()
    assert "flow_leave" in actions and "flow_drop" in actions


def test_a_marketer_cannot_tick_the_checklist(app, session):
    seed(session)
    add_user(app, "mia@example.com", "marketing")
    tool = session.scalar(sa.select(Tool).where(Tool.slug == "drift"))
    with pytest.raises(Exception) as info:
        checklist.set_control(session, tool, "dpa_signed", True, actor="mia@example.com")
    assert "IT's decision" in str(info.value)


def _web(app):
    with app.app_context():
        seed(db.session)
    add_user(app, "mia@example.com", "marketing", name="Mia")
    add_user(app, "ivan@example.com", "it", name="Ivan")
    return signed_in(app, "ivan@example.com")


def test_review_page_shows_the_checklist_preview_and_a_disabled_sanction(
    tmp_path, _postgres_schema
):
    app = auth_app(tmp_path)
    with app.app_context():
        mia_ivan_and_salesforce(db.session)
        request_drift(db.session, TODAY)
        db.session.commit()
    add_user(app, "ivan@example.com", "it", name="Ivan")
    ivan = signed_in(app, "ivan@example.com")
    page = ivan.get("/review/drift").text
    assert '<button type="button" disabled>Sanction (start the review first)</button>' in page
    ivan.post("/review/drift/start")
    page = ivan.get("/review/drift").text
    assert "Sanction (waiting for the business and technical sign-off)" in page
    assert "Data processing agreement (DPA) on file" in page and "required: it will hold" in page
    for title in (
        "Customer data stranded in a silo",
        "Customer data moved without IT",
        "Customer data without safeguards",
    ):
        assert f"<strong>{title}</strong>" in page
    assert 'data-blocking-count="3"' in page
    # A refused decision (no sign-offs) comes back to the review page with the message.
    response = ivan.post("/review/drift/sanction", follow_redirects=True)
    assert response.request.path == "/review/drift" and "missing: business and technical" in (
        response.text
    )


def test_review_page_ticks_and_takes_over_then_sanctions_with_a_reason(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    ivan = _web(app)
    for name in ("vendor_sso", "dpa_signed", "security_reviewed", "sso_enabled"):
        assert ivan.post(f"/review/drift/control/{name}", data={"value": "1"}).status_code == 302
    with app.app_context():
        flow_id = db.session.scalar(sa.select(DataFlow.id))
    assert (
        ivan.post(f"/review/drift/flows/{flow_id}", data={"choice": "take_over"}).status_code == 302
    )
    page = ivan.get("/review/drift").text
    assert 'data-blocking-count="1"' in page
    assert 'ticked by <span title="ivan@example.com">Ivan</span>' in page
    assert "Reason to sanction despite 1 critical or high finding(s)" in page
    ivan.post("/review/drift/sanction")  # no reason: refused
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Tool.lifecycle).where(Tool.slug == "drift")) == "in_review"
        )
    ivan.post("/review/drift/sanction", data={"override": "Transcripts move to the CRM in Q1"})
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Tool.lifecycle).where(Tool.slug == "drift")) == "sanctioned"
        )
    assert "Transcripts move to the CRM in Q1" in ivan.get("/tools/drift").text
    audit = ivan.get("/audit").text
    assert 'data-override="drift"' in audit and "Transcripts move to the CRM in Q1" in audit
