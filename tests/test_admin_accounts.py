"""The accounts page: admins only, every write recorded, the last administrator stays."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.models import User
from catalog.services import accounts
from tests.accounts import PASSWORD
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import csrf_token
from tests.accounts import login
from tests.factories import make_person
from tests.service_checks import changes_of

NEW_PASSWORD = "a much longer secret"


@pytest.fixture
def app(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    add_user(app, "ada@example.com", "admin", name="Ada")
    add_user(app, "vera@example.com", "viewer")
    add_user(app, "mia@example.com", "marketing")
    add_user(app, "ivan@example.com", "it")
    yield app
    with app.app_context():
        db.engine.dispose()


def _user(app, email):
    with app.app_context():
        user = accounts.user_by_email(db.session, email)
        db.session.expunge(user)
        return user


def _changes(app, email):
    with app.app_context():
        return [(c.action, c.before, c.after) for c in changes_of(db.session, "user", email)]


@pytest.mark.parametrize("email", ["vera@example.com", "mia@example.com", "ivan@example.com"])
def test_only_admins_reach_the_admin_pages(app, client, email):
    login(client, email)
    assert client.get("/admin/accounts").status_code == 403
    assert client.get("/admin/taxonomy").status_code == 403
    ada = _user(app, "ada@example.com")
    response = client.post(f"/admin/accounts/{ada.id}/active", data={"active": "0"})
    assert response.status_code == 403
    response = client.post(
        "/admin/accounts",
        data={
            "email": "eve@example.com",
            "role": "admin",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 403
    assert _user(app, "ada@example.com").active
    with app.app_context():
        assert accounts.user_by_email(db.session, "eve@example.com") is None
    assert ">Admin</a>" not in client.get("/tools").text


def test_admin_sees_accounts_with_person_and_last_sign_in(app, client):
    with app.app_context():
        make_person(db.session, email="mia@example.com", name="Mia Marketer")
        db.session.commit()
    login(client, "ada@example.com")
    page = client.get("/admin/accounts")
    assert page.status_code == 200
    assert ">Admin</a>" in page.text
    row = page.text.split(f'id="account-{_user(app, "mia@example.com").id}"')[1].split("</tr>")[0]
    assert "mia@example.com" in row and "Mia Marketer" in row and "never" in row
    ada_row = page.text.split(f'id="account-{_user(app, "ada@example.com").id}"')[1]
    assert " UTC" in ada_row.split("</tr>")[0]  # Ada just signed in


def test_create_account_is_recorded_without_the_password(app, client):
    login(client, "ada@example.com")
    response = client.post(
        "/admin/accounts",
        data={
            "email": "Eve@Example.com",
            "name": "Eve",
            "role": "it",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert "Account eve@example.com created as it." in client.get("/admin/accounts").text
    eve = _user(app, "eve@example.com")
    assert (eve.role, eve.name, eve.active) == ("it", "Eve", True)
    [(action, before, after)] = _changes(app, "eve@example.com")
    assert action == "create" and before is None
    assert after == {"email": "eve@example.com", "name": "Eve", "role": "it", "active": True}
    assert NEW_PASSWORD not in str(after) and "argon2" not in str(after)
    client.post("/logout")
    assert login(client, "eve@example.com", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"confirm": "a different secret!"}, "does not match the password"),
        ({"password": "short", "confirm": "short"}, "must be 12 to 1024 characters"),
        ({"email": "ada@example.com"}, "an account for ada@example.com already exists"),
        ({"email": "not an address"}, "is not a valid e-mail address"),
    ],
)
def test_bad_new_account_is_refused_with_a_message(app, client, data, message):
    login(client, "ada@example.com")
    form = {
        "email": "eve@example.com",
        "role": "viewer",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    } | data
    response = client.post("/admin/accounts", data=form)
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4


def test_role_change_and_disable_are_recorded_and_take_effect(app, client):
    mia = _user(app, "mia@example.com")
    other = app.test_client()
    login(other, "mia@example.com")
    login(client, "ada@example.com")
    assert client.post(f"/admin/accounts/{mia.id}/role", data={"role": "it"}).status_code == 303
    assert _user(app, "mia@example.com").role == "it"
    assert client.post(f"/admin/accounts/{mia.id}/active", data={"active": "0"}).status_code == 303
    assert not _user(app, "mia@example.com").active
    assert other.get("/tools").status_code == 302  # her session ended
    assert client.post(f"/admin/accounts/{mia.id}/active", data={"active": "1"}).status_code == 303
    changes = _changes(app, "mia@example.com")[1:]  # after the create
    assert [(b["role"], b["active"], a["role"], a["active"]) for _, b, a in changes] == [
        ("marketing", True, "it", True),
        ("it", True, "it", False),
        ("it", False, "it", True),
    ]
    assert all(c[0] == "update" for c in changes)


def test_unknown_role_is_refused(app, client):
    mia = _user(app, "mia@example.com")
    login(client, "ada@example.com")
    response = client.post(f"/admin/accounts/{mia.id}/role", data={"role": "owner"})
    assert response.status_code == 400
    assert "role: Not a valid choice" in response.text
    assert _user(app, "mia@example.com").role == "marketing"


def test_last_active_admin_cannot_demote_or_disable_themselves(app, client):
    ada = _user(app, "ada@example.com")
    login(client, "ada@example.com")
    message = (
        "ada@example.com: role: this is the last active administrator; make another "
        "account an administrator first"
    )
    response = client.post(f"/admin/accounts/{ada.id}/role", data={"role": "it"})
    assert response.status_code == 400
    assert message in response.text
    response = client.post(f"/admin/accounts/{ada.id}/active", data={"active": "0"})
    assert response.status_code == 400
    assert "ada@example.com: active: this is the last active administrator" in response.text
    ada_now = _user(app, "ada@example.com")
    assert (ada_now.role, ada_now.active) == ("admin", True)
    assert len(_changes(app, "ada@example.com")) == 1  # only the create
    # With a second administrator, stepping down is fine.
    ivan = _user(app, "ivan@example.com")
    assert client.post(f"/admin/accounts/{ivan.id}/role", data={"role": "admin"}).status_code == 303
    assert client.post(f"/admin/accounts/{ada.id}/role", data={"role": "it"}).status_code == 303
    assert _user(app, "ada@example.com").role == "it"


def test_a_disabled_admin_does_not_count(app, client):
    add_user(app, "bob@example.com", "admin")
    bob = _user(app, "bob@example.com")
    with app.app_context():
        user = db.session.get(User, bob.id)
        accounts.update_user(db.session, user, actor="test", active=False)
        db.session.commit()
    ada = _user(app, "ada@example.com")
    login(client, "ada@example.com")
    response = client.post(f"/admin/accounts/{ada.id}/active", data={"active": "0"})
    assert response.status_code == 400


def test_reset_password_ends_sessions_and_is_recorded_without_secrets(app, client):
    mia = _user(app, "mia@example.com")
    other = app.test_client()
    login(other, "mia@example.com")
    login(client, "ada@example.com")
    response = client.post(
        f"/admin/accounts/{mia.id}/password", data={"password": NEW_PASSWORD, "confirm": "mismatch"}
    )
    assert response.status_code == 400
    assert "mia@example.com: confirm: does not match the password" in response.text
    response = client.post(
        f"/admin/accounts/{mia.id}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert other.get("/tools").status_code == 302
    assert login(other, "mia@example.com", PASSWORD).status_code == 401
    assert login(other, "mia@example.com", NEW_PASSWORD).status_code == 302
    _, before, after = _changes(app, "mia@example.com")[-1]
    assert (before, after) == ({"password": "(old)"}, {"password": "(new)"})


def test_account_writes_need_the_csrf_token(tmp_path, _postgres_schema):
    app = auth_app(tmp_path, WTF_CSRF_ENABLED=True)
    add_user(app, "ada@example.com", "admin")
    add_user(app, "mia@example.com", "marketing")
    client = app.test_client()
    login(client, "ada@example.com")
    mia = _user(app, "mia@example.com")
    response = client.post(f"/admin/accounts/{mia.id}/active", data={"active": "0"})
    assert response.status_code == 400
    assert _user(app, "mia@example.com").active
    token = csrf_token(client, "/admin/accounts")
    response = client.post(
        f"/admin/accounts/{mia.id}/active", data={"active": "0", "csrf_token": token}
    )
    assert response.status_code == 303
    assert not _user(app, "mia@example.com").active
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A browser that has not signed in: this module is about signing in (the shared `client`
    fixture signs in an administrator)."""
    return app.test_client()
