"""Accounts: sign in and out, argon2id hashes, open redirects, the CLI, the sign-in gate."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import User
from catalog.services import accounts
from catalog.services.records import ValidationError
from tests.accounts import PASSWORD
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import csrf_token
from tests.accounts import login
from tests.accounts import run_cli


@pytest.fixture
def app(tmp_path, _postgres_schema):
    app = auth_app(tmp_path)
    add_user(app, "ana@example.com", "marketing", name="Ana")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_pages_require_sign_in(client):
    response = client.get("/review")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/review"


def test_api_without_sign_in_is_401_json(client):
    response = client.get("/api/v1/anything")
    assert response.status_code == 401
    assert response.json == {"error": "authentication required"}


def test_anonymous_read_can_be_switched_on(tmp_path, _postgres_schema):
    app = auth_app(tmp_path, LOGIN_REQUIRED=False)
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/review").status_code != 302
    # Reading is open; writing still needs an account.
    response = client.post("/review/request", data={"name": "X"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_and_logout(client):
    response = login(client, "ANA@example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/login").text
    assert "Ana · marketing" in page
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/review").status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    response = login(client, "ana@example.com", "not the password")
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.text
    response = login(client, "nobody@example.com")
    assert response.status_code == 401


def test_disabled_account_cannot_sign_in_and_loses_its_session(app, client):
    login(client, "ana@example.com")
    with app.app_context():
        user = accounts.user_by_email(db.session, "ana@example.com")
        accounts.update_user(db.session, user, actor="test", active=False)
        db.session.commit()
    assert client.get("/review").status_code == 302  # the old cookie no longer works
    assert login(client, "ana@example.com").status_code == 401


def test_logout_ends_copies_of_the_session_cookie(app):
    first = app.test_client()
    login(first, "ana@example.com")
    stolen = first.get_cookie("session").value
    first.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/review").status_code == 302


def test_session_is_rotated_on_login(client):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, "ana@example.com")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert "_user_id" in sess


def test_password_hash_is_argon2id_with_owasp_parameters(app):
    with app.app_context():
        user = accounts.user_by_email(db.session, "ana@example.com")
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert PASSWORD not in user.password_hash


def test_outdated_hash_is_rehashed_on_login(app, client):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with app.app_context():
        user = accounts.user_by_email(db.session, "ana@example.com")
        user.password_hash = weak
        db.session.commit()
    assert login(client, "ana@example.com").status_code == 302
    with app.app_context():
        new_hash = accounts.user_by_email(db.session, "ana@example.com").password_hash
    assert new_hash != weak
    assert new_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "http://evil.example/",
        "https://evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%0a/evil",
        "\t//evil.example",
    ],
)
def test_next_redirect_refuses_other_sites(client, target):
    response = login(client, "ana@example.com", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "/%0a/evil")  # "/%0a/evil" is a local path


def test_next_redirect_goes_to_local_page(client):
    response = login(client, "ana@example.com", next="/review?x=1")
    assert response.headers["Location"] == "/review?x=1"


def test_login_form_carries_next_from_query(client):
    page = client.get("/login?next=/scorecard").text
    assert 'value="/scorecard"' in page
    page = client.get("/login?next=//evil.example").text
    assert "evil" not in page


def test_missing_csrf_token_is_400(tmp_path, _postgres_schema):
    app = auth_app(tmp_path, WTF_CSRF_ENABLED=True)
    add_user(app, "ana@example.com", "marketing")
    client = app.test_client()
    response = client.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "_user_id" not in dict(client.session_transaction().__enter__())
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": "ana@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_create_user_validates_and_records_without_the_hash(app):
    with app.app_context():
        with pytest.raises(ValidationError) as info:
            accounts.create_user(
                db.session, email="bad", role="boss", password="short", actor="test"
            )
        assert set(info.value.errors) == {"email"}
        with pytest.raises(ValidationError) as info:
            accounts.create_user(
                db.session, email="bo@example.com", role="boss", password="short", actor="test"
            )
        assert info.value.errors == {
            "role": "unknown role 'boss'; expected one of viewer, marketing, it, admin",
            "password": "must be at least 12 characters",
        }
        change = db.session.scalar(
            sa.select(ChangeRecord).where(ChangeRecord.object_type == "user")
        )
        assert change.after == {
            "email": "ana@example.com",
            "name": "Ana",
            "role": "marketing",
            "active": True,
        }
        assert "argon2" not in str(change.after)


def test_cli_creates_user_from_stdin(app):
    result = run_cli(
        app,
        ["user", "create", "--email", "Cio@Example.com", "--role", "admin"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    result = run_cli(
        app,
        ["user", "create", "--email", "it@example.com", "--role", "it", "--password-stdin"],
        input="another long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created it@example.com (it)." in result.output
    result = run_cli(
        app,
        ["user", "create", "--email", "x@example.com", "--role", "it", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "no account created. x@example.com: password: must be at least 12" in result.output
    result = run_cli(app, ["user", "list"])
    assert "cio@example.com" in result.output and "it@example.com" in result.output
    client = app.test_client()
    assert login(client, "cio@example.com", "a long enough password").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 3


def test_cli_disables_account(app):
    result = run_cli(
        app, ["user", "set", "--email", "ana@example.com", "--disable", "--role", "viewer"]
    )
    assert result.exit_code == 0, result.output
    assert "ana@example.com: viewer, disabled." in result.output
    assert login(app.test_client(), "ana@example.com").status_code == 401


def test_api_bearer_token_identifies_the_user(app):
    result = run_cli(app, ["user", "token", "--email", "ana@example.com"])
    token = result.output.strip().splitlines()[-1]
    client = app.test_client()
    assert client.get("/api/v1/nothing-here").status_code == 401
    response = client.get("/api/v1/nothing-here", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    response = client.get("/api/v1/nothing-here", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401


@pytest.fixture
def client(app):
    """A browser that has not signed in: this module is about signing in (the shared `client`
    fixture signs in an administrator)."""
    return app.test_client()
