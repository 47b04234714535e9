"""Pages offer only the buttons and links the signed-in user may use (the server still says 403).

Mia (marketing) is the business owner of `mine`; Otto (marketing) owns `theirs`.
"""

from __future__ import annotations

import pytest

from catalog.extensions import db
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import login
from tests.factories import make_dependency
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool

EMAIL = {
    "viewer": "vera@example.com",
    "marketing": "mia@example.com",
    "it": "ivan@example.com",
    "admin": "ada@example.com",
}


@pytest.fixture
def app(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    for role, email in EMAIL.items():
        add_user(app, email, role)
    with app.app_context():
        s = db.session
        make_person(s, email="mia@example.com", name="Mia")
        make_person(s, email="otto@example.com", name="Otto")
        make_tool(s, slug="mine", name="Mine", business_owner="mia@example.com")
        make_tool(s, slug="theirs", name="Theirs", business_owner="otto@example.com")
        make_flow(s, "theirs", "mine")
        make_tool(s, slug="other", name="Other", business_owner="otto@example.com")
        make_flow(s, "theirs", "other")
        make_dependency(s, "theirs", "other")
        s.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _as(app, role):
    client = app.test_client()
    login(client, EMAIL[role])
    return client


def test_marketer_sees_edit_only_on_the_tool_they_own(app):
    client = _as(app, "marketing")
    mine = client.get("/tools/mine").text
    theirs = client.get("/tools/theirs").text
    assert 'href="/tools/mine/edit"' in mine
    assert 'href="/tools/theirs/edit"' not in theirs
    # Deleting is IT's, even for the owner; and the server agrees with the page.
    assert 'href="/tools/mine/delete"' not in mine
    assert client.get("/tools/theirs/edit").status_code == 403
    assert client.get("/tools/mine/edit").status_code == 200
    # What `theirs` depends on is Otto's to add, what depends on it anyone's who owns a tool.
    assert 'href="/dependencies/new?tool=theirs"' not in theirs
    assert 'href="/dependencies/new?depends_on=theirs"' in theirs
    assert 'href="/dependencies/new?tool=mine"' in mine


def test_business_owner_edits_the_flow_into_their_tool_but_not_others(app):
    client = _as(app, "marketing")
    flows = client.get("/flows").text
    rows = [row.split("</tr>")[0] for row in flows.split("<tr class=")[1:]]
    [into_mine] = [r for r in rows if "/tools/mine" in r]
    [between_others] = [r for r in rows if "/tools/other" in r]
    assert "/edit" in into_mine
    assert "/edit" not in between_others and "/delete" not in between_others
    assert ">Register a flow</a>" in flows


@pytest.mark.parametrize("role", ["it", "admin"])
def test_it_and_admins_see_every_edit_and_delete(app, role):
    client = _as(app, role)
    theirs = client.get("/tools/theirs").text
    assert 'href="/tools/theirs/edit"' in theirs and 'href="/tools/theirs/delete"' in theirs
    assert 'href="/dependencies/new?tool=theirs"' in theirs
    deps = client.get("/dependencies").text
    assert "/dependencies/1/edit" in deps


def test_viewer_sees_no_write_controls(app):
    client = _as(app, "viewer")
    pages = {
        path: client.get(path).text
        for path in (
            "/tools",
            "/tools/mine",
            "/people",
            "/flows",
            "/dependencies",
            "/review",
            "/imports",
        )
    }
    for path, html in pages.items():
        for marker in ("/new", "/edit", "/delete", ">Admin</a>", "Request a tool"):
            assert marker not in html, f"{marker} offered on {path}"


def test_only_admins_see_people_controls_and_the_admin_link(app):
    for role in ("marketing", "it"):
        people = _as(app, role).get("/people").text
        assert "/people/new" not in people and "/edit" not in people
        assert ">Admin</a>" not in people
        form = _as(app, role).get("/tools/new").text
        assert "Ask an administrator to add them." in form
    admin = _as(app, "admin")
    people = admin.get("/people").text
    assert "/people/new" in people and "/people/1/edit" in people and "/people/1/delete" in people
    assert '<a href="/admin/accounts"' in people
    assert 'href="/people/new">Add a person</a> first.' in admin.get("/tools/new").text
