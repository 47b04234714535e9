"""Issue 6 holes: sanctioning only through the dual sign-off, controls are IT's, the runtime SLA.

Mia (marketing) is the business owner of `mine`, a requested tool; Ivan (IT) its technical owner.
"""

from __future__ import annotations

import io
import re
from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.services import entities
from catalog.services import records
from catalog.services import review
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.conftest import serving
from tests.review_stack import IVAN
from tests.review_stack import MIA
from tests.review_stack import mia_ivan_and_mine

REFUSAL = (
    "Mine is requested: it can become sanctioned only through its review, with both the "
    "business owner's and the technical owner's sign-off (missing: business and "
    "technical). Use /review/mine."
)


@pytest.fixture
def web(tmp_path, _postgres_schema):
    app = auth_app(tmp_path, IMPORT_STASH_DIR=str(tmp_path / "stash"))
    with app.app_context():
        requested = (date.today() - timedelta(days=20)).isoformat()
        mia_ivan_and_mine(db.session, dpa_signed=True, requested_at=requested)
        db.session.commit()
    for email, role in (MIA, "marketing"), (IVAN, "it"), ("ada@example.com", "admin"):
        add_user(app, email, role)
    yield from serving(app)


def _state(app):
    """Return the tool's record and the number of change records."""
    with app.app_context():
        tool = entities.tool_by_slug(db.session, "mine")
        return (
            records.tool_record(tool) | {"version": tool.version},
            db.session.scalar(sa.select(sa.func.count(ChangeRecord.id))),
        )


def _sign(app, *sides):
    with app.app_context():
        tool = entities.tool_by_slug(db.session, "mine")
        if tool.lifecycle == "requested":
            review.start_review(db.session, tool, actor="ivan@example.com", today=date.today())
        for side in sides:
            review.sign_off(db.session, tool, side, actor=f"{side}@example.com")
        db.session.commit()


def test_it_cannot_sanction_by_api_without_both_signoffs(web):
    ivan = signed_in(web, "ivan@example.com")
    before = _state(web)
    response = ivan.put(
        "/api/v1/tools/mine",
        json=before[0] | {"lifecycle": "sanctioned", "decided_at": "2026-11-22"},
    )
    assert response.status_code == 403
    assert response.json == {"error": REFUSAL, "record": "mine", "field": "lifecycle"}
    assert _state(web) == before  # nothing written, nothing logged

    _sign(web, "business")
    current = _state(web)
    response = ivan.put("/api/v1/tools/mine", json=current[0] | {"lifecycle": "sanctioned"})
    assert response.status_code == 403
    assert "is in review" in response.json["error"]
    assert "(missing: technical)" in response.json["error"]
    assert _state(web) == current


def test_with_both_signoffs_the_decision_is_allowed(web):
    _sign(web, "business", "technical")
    ivan = signed_in(web, "ivan@example.com")
    record = _state(web)[0]
    response = ivan.put(
        "/api/v1/tools/mine", json=record | {"lifecycle": "sanctioned", "decided_at": "2026-11-22"}
    )
    assert response.status_code == 200, response.text
    assert response.json["lifecycle"] == "sanctioned"


def test_edit_form_refusal_points_to_the_review(web):
    ivan = signed_in(web, "ivan@example.com")
    record, changes = _state(web)
    data = {k: v for k, v in record.items() if v not in (None, False, [])} | {
        "lifecycle": "sanctioned",
        "dpa_signed": "y",
    }
    response = ivan.post("/tools/mine/edit", data=data)
    assert response.status_code == 403
    assert "Use /review/mine." in response.text
    assert _state(web) == (record, changes)


def test_it_and_admin_may_register_a_running_system_as_sanctioned(web):
    for email, slug in (("ivan@example.com", "crm"), ("ada@example.com", "erp")):
        client = signed_in(web, email)
        response = client.post("/api/v1/tools", json={"name": slug, "lifecycle": "sanctioned"})
        assert response.status_code == 403, response.text
        assert "pre-existing estate with a reason" in response.json["error"]
        response = client.post(
            "/api/v1/tools",
            json={"name": slug, "lifecycle": "sanctioned", "estate_reason": "ran since 2019"},
        )
        assert response.status_code == 201, response.text
    with web.app_context():
        created = db.session.scalars(
            sa.select(ChangeRecord.object_key).where(
                ChangeRecord.object_type == "tool", ChangeRecord.action == "create"
            )
        ).all()
        assert {"crm", "erp"} <= set(created)
        estate = db.session.execute(
            sa.select(ChangeRecord.actor, ChangeRecord.object_key, ChangeRecord.after)
            .where(ChangeRecord.action == "estate")
            .order_by(ChangeRecord.id)
        ).all()
        assert [tuple(row) for row in estate] == [
            ("ivan@example.com", "crm", {"lifecycle": "sanctioned", "reason": "ran since 2019"}),
            ("ada@example.com", "erp", {"lifecycle": "sanctioned", "reason": "ran since 2019"}),
        ]


def test_marketer_sees_controls_disabled_and_saving_keeps_them(web):
    mia = signed_in(web, "mia@example.com")
    page = mia.get("/tools/mine/edit").text
    for name in ("security_reviewed", "dpa_signed", "sso_enabled", "system_of_record"):
        box = re.search(rf'<input[^>]*id="{name}"[^>]*>', page).group(0)
        assert "disabled" in box, box
    # The ticked box travels in a hidden input, since a disabled box is not submitted.
    assert '<input type="hidden" name="dpa_signed" value="y">' in page
    assert 'type="hidden" name="security_reviewed"' not in page
    record = _state(web)[0]
    data = {k: v for k, v in record.items() if v not in (None, False, [])} | {
        "version": str(record["version"]),
        "description": "Updated by Mia",
        "dpa_signed": "y",
    }
    assert mia.post("/tools/mine/edit", data=data).status_code == 302
    after = _state(web)[0]
    assert after["description"] == "Updated by Mia" and after["dpa_signed"] is True
    # IT's form has them enabled.
    ivan_page = signed_in(web, "ivan@example.com").get("/tools/mine/edit").text
    box = re.search(r'<input[^>]*id="dpa_signed"[^>]*>', ivan_page).group(0)
    assert "disabled" not in box


def test_catalog_csv_import_by_it_cannot_sanction_a_request(web):
    ivan = signed_in(web, "ivan@example.com")
    before = _state(web)
    csv = b"slug,name,lifecycle\nmine,Mine,sanctioned\n"
    response = ivan.post(
        "/imports",
        data={"source": "catalog_csv", "file": (io.BytesIO(csv), "tools.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    response = ivan.post(response.headers["Location"] + "/commit")
    assert response.status_code == 403
    assert "Use /review/mine." in response.text
    assert _state(web) == before
    # Cataloguing a new, already-running system as sanctioned by import stays possible.
    csv = b"slug,name,lifecycle\ncrm,CRM,sanctioned\n"
    response = ivan.post(
        "/imports",
        data={"source": "catalog_csv", "file": (io.BytesIO(csv), "crm.csv")},
        content_type="multipart/form-data",
    )
    # ... as an explicit registration of pre-existing estate, with its reason.
    commit = response.headers["Location"] + "/commit"
    assert ivan.post(commit).status_code == 403
    assert ivan.post(commit, data={"estate_reason": "CRM since 2019"}).status_code == 302
    with web.app_context():
        assert entities.tool_by_slug(db.session, "crm").lifecycle == "sanctioned"


def test_tool_page_uses_the_administrators_sla(web):
    ada = signed_in(web, "ada@example.com")
    assert "REVIEW_OVERDUE" in ada.get("/tools/mine").text  # 20 days > default 10
    assert ada.post("/review/sla", data={"sla_days": "30"}).status_code == 302
    page = ada.get("/tools/mine").text
    assert "Governance" in page and "REVIEW_OVERDUE" not in page


def _put(app, email, **changes):
    before = _state(app)
    etag = f'"{before[0]["version"]}"'
    response = signed_in(app, email).put(
        "/api/v1/tools/mine", json=before[0] | changes, headers={"If-Match": etag}
    )
    return before, response


@pytest.mark.parametrize("start", ["discovered", "rejected", "retired"])
def test_a_closed_tool_is_sanctioned_only_by_being_requested_again(web, start):
    with web.app_context():
        tool = entities.tool_by_slug(db.session, "mine")
        # Straight to the closed state (no service path leads there in one step), recorded as
        # every write must be (services/write_guard.py).
        tool.lifecycle = start
        entities.record_change(
            db.session, actor="test", action="update", object_type="tool", object_key="mine",
            before=None, after={"lifecycle": start},
        )  # fmt: skip
        db.session.commit()
    for email in ("ivan@example.com", "ada@example.com"):
        before, response = _put(web, email, lifecycle="sanctioned", decided_at="2026-11-22")
        assert response.status_code == 403
        assert response.json == {
            "error": (
                f"Mine is {start}: to sanction it, request it again (lifecycle requested) and "
                "decide it through its review, with both the business owner's and the technical "
                "owner's sign-off."
            ),
            "record": "mine",
            "field": "lifecycle",
        }
        assert _state(web) == before


def test_retiring_a_request_does_not_open_a_side_door_to_sanction(web):
    before, response = _put(web, "ivan@example.com", lifecycle="retired", retired_at="2026-11-22")
    assert response.status_code == 200
    before, response = _put(web, "ivan@example.com", lifecycle="sanctioned")
    assert response.status_code == 403
    assert _state(web) == before


def test_a_request_is_rejected_only_through_its_review_with_a_reason(web):
    before, response = _put(web, "ivan@example.com", lifecycle="rejected", decided_at="2026-11-22")
    assert response.status_code == 403
    error = (
        "Mine is requested: reject it through its review, which "
        "records the reason. Use /review/mine."
    )
    assert response.json == {"error": error, "record": "mine", "field": "lifecycle"}
    assert _state(web) == before
