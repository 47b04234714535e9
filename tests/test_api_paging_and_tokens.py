"""The API's collections come in pages with a cursor; API tokens are listed and revoked by
their owner (any, by an administrator) and die with a password reset."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import User
from catalog.services import accounts
from tests.accounts import signed_in
from tests.factories import make_tool

# API pagination --------------------------------------------------------------------------------


def test_api_collections_come_in_pages(staff: Flask) -> None:
    with staff.app_context():
        for n in range(7):
            make_tool(db.session, slug=f"tool-{n:02d}", name=f"Tool {6 - n}")
        user = accounts.user_by_email(db.session, "it@example.com")
        token = accounts.issue_api_token(db.session, user, actor="test")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = staff.test_client()
    slugs, cursor = [], ""
    for _ in range(4):
        page = client.get(f"/api/v1/tools?limit=3&cursor={cursor}", headers=headers).json
        assert page["count"] == len(page["items"]) <= 3
        slugs += [item["slug"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert slugs == [f"tool-{n:02d}" for n in range(7)]  # every tool once, in slug order
    assert client.get("/api/v1/tools", headers=headers).json["count"] == 7  # default page 100
    staff.config["API_PAGE_SIZE"] = 5
    assert client.get("/api/v1/tools", headers=headers).json["next"] == "tool-04"
    for bad, name in (("0", "limit"), ("1001", "limit"), ("x", "limit"), ("²", "limit")):
        answer = client.get(f"/api/v1/tools?{name}={bad}", headers=headers)
        assert answer.status_code == 400 and answer.json["error"].startswith("limit:")
    answer = client.get("/api/v1/flows?cursor=abc", headers=headers)
    assert answer.status_code == 400 and answer.json["error"].startswith("cursor:")
    assert client.get("/api/v1/flows?cursor=99999999999", headers=headers).json["items"] == []
    doc = client.get("/api/v1/openapi.json", headers=headers).json
    params = {p["name"] for p in doc["paths"]["/tools"]["get"]["parameters"]}
    assert {"limit", "cursor"} <= params


# API tokens ------------------------------------------------------------------------------------


def _token(app: Flask, email: str) -> str:
    with app.app_context():
        token = accounts.issue_api_token(
            db.session, accounts.user_by_email(db.session, email), actor="test"
        )
        db.session.commit()
    return token


def test_a_password_reset_revokes_the_api_token(staff: Flask) -> None:
    token = _token(staff, "it@example.com")
    bearer = {"Authorization": f"Bearer {token}"}
    assert staff.test_client().get("/api/v1/tools", headers=bearer).status_code == 200
    admin = signed_in(staff, "root@example.com")
    with staff.app_context():
        user_id = accounts.user_by_email(db.session, "it@example.com").id
    answer = admin.post(
        f"/admin/accounts/{user_id}/password",
        data={"password": "another long secret", "confirm": "another long secret"},
    )
    assert answer.status_code == 303
    assert staff.test_client().get("/api/v1/tools", headers=bearer).status_code == 401


def test_users_list_and_revoke_their_own_token_and_admins_anyones(staff: Flask) -> None:
    viewer_token = _token(staff, "cmo@example.com")
    it_token = _token(staff, "it@example.com")
    viewer = signed_in(staff, "cmo@example.com")
    page = viewer.get("/account/tokens")
    assert page.status_code == 200
    assert "cmo@example.com" in page.text and "it@example.com" not in page.text
    with staff.app_context():
        ids = {u.email: u.id for u in db.session.scalars(sa.select(User))}
    assert viewer.post(f"/account/tokens/{ids['it@example.com']}/revoke").status_code == 403
    assert viewer.post(f"/account/tokens/{ids['cmo@example.com']}/revoke").status_code == 303
    client = staff.test_client()
    assert (
        client.get("/api/v1/tools", headers={"Authorization": f"Bearer {viewer_token}"}).status_code
        == 401
    )
    admin = signed_in(staff, "root@example.com")
    listing = admin.get("/account/tokens")
    assert "it@example.com" in listing.text and "cmo@example.com" not in listing.text
    assert admin.post(f"/account/tokens/{ids['it@example.com']}/revoke").status_code == 303
    assert (
        client.get("/api/v1/tools", headers={"Authorization": f"Bearer {it_token}"}).status_code
        == 401
    )
