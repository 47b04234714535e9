"""Bad input gets a 400 naming the field, never a 500, and nothing is written.

Each case here answered 500 (or a traceback on the command line) before: dates outside the
supported range, NUL characters, integers and amounts beyond their columns, over-long slugs,
lone surrogates, control characters and lookalike e-mails. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import typing as t
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import ChangeRecord
from catalog.models import Sighting
from catalog.models import Tool
from catalog.services import accounts
from integrations.base import parse_amount
from tests.accounts import add_user
from tests.accounts import auth_app
from tests.accounts import login
from tests.accounts import run_cli
from tests.factories import make_person
from tests.factories import make_tool


@pytest.fixture
def web(tmp_path: t.Any, _postgres_schema: None) -> t.Iterator[Flask]:
    app = auth_app(tmp_path)
    add_user(app, "it@example.com", "it")
    add_user(app, "mia@example.com", "marketing")
    with app.app_context():
        make_person(db.session, email="mia@example.com", name="Mia")
        mias = {"lifecycle": "sanctioned", "business_owner": "mia@example.com"}
        make_tool(db.session, slug="crm", name="CRM", **mias)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def token_for(app: Flask, email: str) -> dict[str, str]:
    with app.app_context():
        user = accounts.user_by_email(db.session, email)
        token = accounts.issue_api_token(db.session, user, actor="test")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def written(app: Flask) -> tuple[int, int]:
    """Return (tools, change records): what a refused request must leave unchanged."""
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(Tool)),
            db.session.scalar(sa.select(sa.func.count()).select_from(ChangeRecord)),
        )


# Dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1969-12-31", "2200-01-01"])
def test_audit_as_of_outside_the_supported_range_is_a_400(web: Flask, day: str) -> None:
    client = web.test_client()
    login(client, "it@example.com")
    for path in ("/audit", "/audit.json", "/audit.csv", "/api/v1/audit"):
        answer = client.get(f"{path}?as_of={day}")
        assert answer.status_code == 400, path
        assert "as_of" in answer.text and "1970-01-01 to 2199-12-31" in answer.text, path
    assert client.get("/audit?as_of=2199-12-31").status_code == 200


def test_cli_audit_refuses_a_date_outside_the_range(web: Flask) -> None:
    result = run_cli(web, ["audit", "--as-of", "9999-12-31"])
    assert result.exit_code == 2
    assert "--as-of" in result.output and "outside the supported range" in result.output
    assert "Traceback" not in result.output


def test_marketer_token_cannot_save_a_far_date_that_breaks_the_review(web: Flask) -> None:
    headers = token_for(web, "mia@example.com")
    client = web.test_client()
    before = written(web)
    answer = client.post(
        "/api/v1/tools",
        headers=headers,
        json={"name": "Far", "business_owner": "mia@example.com", "requested_at": "9999-12-31"},
    )
    assert answer.status_code == 400
    assert "outside the supported range" in answer.json["fields"]["requested_at"]
    assert written(web) == before
    it = web.test_client()
    login(it, "it@example.com")
    assert it.get("/review").status_code == 200


# NUL characters ---------------------------------------------------------------------------------


def test_nul_anywhere_in_a_request_is_a_400(web: Flask) -> None:
    headers = token_for(web, "it@example.com")
    client = web.test_client()
    login(client, "it@example.com")
    before = written(web)
    for answer in (
        client.get("/tools/cr%00m"),
        client.get("/tools?q=a%00b"),
        client.get("/api/v1/tools/cr%00m", headers=headers),
        client.post("/api/v1/tools", headers=headers, json={"name": "A\x00B"}),
        client.post("/api/v1/tools", headers=headers, json={"name\x00": "AB"}),
        client.post("/tools/new", data={"name": "N\x00", "lifecycle": "requested"}),
    ):
        assert answer.status_code == 400
        assert "NUL character" in answer.text
    assert written(web) == before


def test_nul_in_the_login_email_is_a_400(web: Flask) -> None:
    answer = web.test_client().post(
        "/login", data={"email": "it\x00@example.com", "password": "x" * 12}
    )
    assert answer.status_code == 400 and "NUL character in the form field" in answer.text


# Integers, amounts, slugs, surrogates -------------------------------------------------------


@pytest.mark.parametrize("seats", [2**31, 2**63])
def test_seats_beyond_the_column_are_refused(web: Flask, seats: int) -> None:
    headers = token_for(web, "it@example.com")
    client = web.test_client()
    before = written(web)
    answer = client.post("/api/v1/tools", headers=headers, json={"name": "Big", "seats": seats})
    assert answer.status_code == 400
    assert answer.json["fields"] == {"seats": "must be at most 2,147,483,647"}
    login(client, "it@example.com")
    form = client.post(
        "/tools/new",
        data={"name": "Big", "lifecycle": "requested", "seats": str(seats), "currency": "USD"},
    )
    assert form.status_code == 422 and "must be at most 2,147,483,647" in form.text
    assert written(web) == before
    ok = client.post("/api/v1/tools", headers=headers, json={"name": "Max", "seats": 2**31 - 1})
    assert ok.status_code == 201 and ok.json["seats"] == 2**31 - 1


def test_sighting_users_beyond_the_column_in_a_bundle(web: Flask) -> None:
    add_user(web, "root@example.com", "admin")
    headers = token_for(web, "root@example.com")
    answer = web.test_client().post(
        "/api/v1/bundle",
        headers=headers,
        json={"sightings": [{"source": "okta", "observed_name": "Hotjar", "users": 2**63}]},
    )
    assert answer.status_code == 400
    assert answer.json["record"] == "sightings[0] (source='okta', observed_name='Hotjar')"
    assert answer.json["fields"] == {"users": "must be at most 2,147,483,647"}
    with web.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Sighting)) == 0


def test_a_five_thousand_digit_integer_in_json_is_a_400(web: Flask) -> None:
    headers = token_for(web, "it@example.com") | {"Content-Type": "application/json"}
    answer = web.test_client().post(
        "/api/v1/tools", headers=headers, data='{"name": "X", "seats": ' + "9" * 5000 + "}"
    )
    assert answer.status_code == 400
    assert answer.json["error"] == "request body is not valid JSON: a number has too many digits"


def test_annual_cost_is_checked_after_rounding(web: Flask) -> None:
    headers = token_for(web, "it@example.com")
    client = web.test_client()
    answer = client.post(
        "/api/v1/tools", headers=headers, json={"name": "Dear", "annual_cost": "999999999999.999"}
    )
    assert answer.status_code == 400
    assert answer.json["fields"] == {"annual_cost": "must be at most 999,999,999,999.99"}
    ok = client.post(
        "/api/v1/tools", headers=headers, json={"name": "Dear", "annual_cost": "999999999999.99"}
    )
    assert ok.status_code == 201
    with web.app_context():
        tool = db.session.scalar(sa.select(Tool).where(Tool.slug == "dear"))
        assert tool.annual_cost == Decimal("999999999999.99")


def test_a_card_amount_of_1e400_is_not_an_amount() -> None:
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount("1e400")
    assert parse_amount("1,234.50") == Decimal("1234.50")


@pytest.mark.parametrize("length", [101, 150, 200])
def test_a_slug_longer_than_the_column_is_refused(web: Flask, length: int) -> None:
    headers = token_for(web, "it@example.com")
    before = written(web)
    answer = web.test_client().post(
        "/api/v1/tools", headers=headers, json={"name": "Long", "slug": "a" * length}
    )
    assert answer.status_code == 400
    assert answer.json["fields"] == {"slug": "must be at most 100 characters"}
    assert written(web) == before


def test_a_lone_surrogate_in_json_is_refused(web: Flask) -> None:
    headers = token_for(web, "it@example.com") | {"Content-Type": "application/json"}
    client = web.test_client()
    for body in ('{"name": "\\ud800", "slug": "ok"}', '{"name": "Fine", "vendor": "x\\udfff"}'):
        answer = client.post("/api/v1/tools", headers=headers, data=body)
        assert answer.status_code == 400
        assert "unpaired surrogate" in json.dumps(answer.json["fields"])


# Names and e-mails ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, message",
    [
        ("Evil\nTool", "must not contain line breaks"),
        ("Evil\x1b[31mTool", "must not contain control characters (U+001B)"),
        ("Evil\rTool", "must not contain line breaks"),
    ],
)
def test_control_characters_in_names_are_refused(web: Flask, name: str, message: str) -> None:
    headers = token_for(web, "it@example.com")
    answer = web.test_client().post("/api/v1/tools", headers=headers, json={"name": name})
    assert answer.status_code == 400 and answer.json["fields"] == {"name": message}


def test_descriptions_keep_their_line_breaks(web: Flask) -> None:
    headers = token_for(web, "it@example.com")
    answer = web.test_client().post(
        "/api/v1/tools", headers=headers, json={"name": "Notes", "description": "one\ntwo"}
    )
    assert answer.status_code == 201 and answer.json["description"] == "one\ntwo"


def test_lookalike_fullwidth_emails_are_normalised(web: Flask) -> None:
    add_user(web, "root@example.com", "admin")
    headers = token_for(web, "root@example.com")
    client = web.test_client()
    answer = client.post(
        "/api/v1/people",
        headers=headers,
        json={"email": "ｍｉａ@example.com", "name": "Ｍｉａ Ｆｕｌｌ"},
    )
    assert answer.status_code == 400  # it is Mia, already registered
    assert answer.json["fields"] == {"email": "mia@example.com is already registered"}
    with web.app_context():
        with pytest.raises(accounts.ValidationError, match="already exists"):
            accounts.create_user(
                db.session,
                email="ｉｔ@example.com",
                role="viewer",
                password="correct horse battery",
                actor="test",
            )
    assert login(web.test_client(), "ｉｔ@example.com").status_code == 302


def test_a_catalog_csv_name_with_an_embedded_newline_is_refused(web: Flask, tmp_path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text('name,lifecycle\n"Broken\nName",requested\n', encoding="utf-8")
    before = written(web)
    result = run_cli(web, ["import", "catalog_csv", str(path)])
    assert result.exit_code != 0 and "must not contain line breaks" in result.output
    assert "Traceback" not in result.output
    assert written(web) == before


# Route words --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Request", "SLA", "Triage", "New", "Admin"])
def test_a_tool_cannot_take_a_route_word_as_slug(web: Flask, name: str) -> None:
    headers = token_for(web, "it@example.com")
    answer = web.test_client().post("/api/v1/tools", headers=headers, json={"name": name})
    assert answer.status_code == 400
    assert "is reserved by the catalog's pages" in answer.json["fields"]["slug"]


def test_every_fixed_route_segment_is_reserved(web: Flask) -> None:
    from catalog.services.entities import RESERVED_SLUGS
    from catalog.web import route_words

    assert {"request", "sla", "new", "triage", "tokens"} <= RESERVED_SLUGS
    assert {w.replace(".", "-") for w in route_words(web)} <= RESERVED_SLUGS
