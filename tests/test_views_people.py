"""People pages: add, edit (with stale-edit conflicts), remove, and the list of owned tools."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from catalog.extensions import db
from catalog.models import Person
from catalog.services import entities
from tests.factories import make_person
from tests.factories import make_tool
from tests.test_views_tools import changes
from tests.test_views_tools import error_beside
from tests.test_views_tools import seed
from tests.test_views_tools import tool_row


def person(app: Flask, email: str) -> Person | None:
    with app.app_context():
        found = entities.person_by_email(db.session, email)
        if found is not None:
            db.session.expunge(found)
        return found


def test_add_person_normalises_email_and_records_change(app: Flask, client) -> None:
    html = client.get("/people/new").text
    assert '<datalist id="departments"><option value="marketing">' in html
    response = client.post(
        "/people/new",
        data={
            "email": "Mia.Lund@Example.com",
            "name": "Mia",
            "department": "marketing",
            "active": "y",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/people"
    assert person(app, "mia.lund@example.com").active is True
    assert changes(app, "person") == [("create", "mia.lund@example.com")]


def test_invalid_person_shows_message_beside_field_and_writes_nothing(app: Flask, client) -> None:
    seed(app, lambda s: make_person(s, email="taken@example.com"))
    bad = client.post("/people/new", data={"email": "not-an-email", "name": "X"})
    assert bad.status_code == 422
    assert "&#39;not-an-email&#39; is not a valid e-mail address" in error_beside(bad.text, "email")
    dup = client.post("/people/new", data={"email": "TAKEN@example.com"})
    assert dup.status_code == 422
    assert "taken@example.com is already registered" in error_beside(dup.text, "email")
    empty = client.post("/people/new", data={"email": ""})
    assert "is required" in error_beside(empty.text, "email")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1
    assert len(changes(app, "person")) == 1


def test_people_list_shows_owned_tools_by_side(app: Flask, client) -> None:
    def fixture(s):
        make_person(s, email="mia@example.com", name="Mia", department="marketing")
        make_person(s, email="ian@example.com", name="Ian", department="it", active=False)
        make_tool(
            s,
            slug="hubspot",
            name="HubSpot",
            business_owner="mia@example.com",
            technical_owner="ian@example.com",
        )

    seed(app, fixture)
    html = client.get("/people").text
    mia = html[html.index("<strong>Mia</strong>") : html.index("<strong>Ian</strong>")]
    assert 'href="/tools/hubspot"' in mia
    ian = html[html.index("<strong>Ian</strong>") :]
    assert "left" in ian and 'href="/tools/hubspot"' in ian


def test_edit_person_and_stale_edit_conflict(app: Flask, client) -> None:
    pid = seed(
        app,
        lambda s: make_person(s, email="ann@example.com", name="Ann", department="marketing").id,
    )
    assert 'value="1"' in client.get(f"/people/{pid}/edit").text
    seed(
        app,
        lambda s: entities.save_person(
            s,
            {"email": "ann@example.com", "name": "Ann Berg", "department": "it"},
            actor="carl@example.com",
            person=s.get(Person, pid),
            expected_version=1,
        ),
    )
    stale = client.post(
        f"/people/{pid}/edit",
        data={
            "email": "ann@example.com",
            "name": "Ann B.",
            "department": "marketing",
            "active": "y",
            "version": "1",
        },
    )
    assert stale.status_code == 409
    assert "This person changed since you opened it" in stale.text
    assert '<td class="now">Ann Berg</td>' in stale.text and "carl@example.com" in stale.text
    assert 'value="Ann B."' in stale.text
    assert person(app, "ann@example.com").name == "Ann Berg"
    ok = client.post(
        f"/people/{pid}/edit",
        data={
            "email": "ann@example.com",
            "name": "Ann B.",
            "department": "it",
            "active": "y",
            "version": "2",
        },
    )
    assert ok.status_code == 302
    assert person(app, "ann@example.com").name == "Ann B."
    assert [a for a, _ in changes(app, "person")] == ["create", "update", "update"]


def test_remove_person_confirms_and_unassigns_their_tools(app: Flask, client) -> None:
    def fixture(s):
        p = make_person(s, email="bob@example.com", name="Bob")
        make_tool(s, slug="looker", name="Looker", business_owner="bob@example.com")
        return p.id

    pid = seed(app, fixture)
    confirm = client.get(f"/people/{pid}/delete").text
    assert "1 tool will lose this owner" in confirm and 'href="/tools/looker"' in confirm
    assert "business owner" in confirm
    assert client.get(f"/people/{pid}/delete").status_code == 200
    response = client.post(f"/people/{pid}/delete", data={"version": "1"})
    assert response.status_code == 302
    assert person(app, "bob@example.com") is None
    assert tool_row(app, "looker").business_owner_id is None
    assert changes(app, "person")[-1] == ("delete", "bob@example.com")
    assert changes(app, "tool")[-1] == ("update", "looker")


def test_stale_person_delete_is_refused(app: Flask, client) -> None:
    pid = seed(app, lambda s: make_person(s, email="dan@example.com", name="Dan").id)
    seed(
        app,
        lambda s: entities.save_person(
            s,
            {"email": "dan@example.com", "name": "Daniel"},
            actor="x@example.com",
            person=s.get(Person, pid),
        ),
    )
    response = client.post(f"/people/{pid}/delete", data={"version": "1"})
    assert response.status_code == 409 and "Daniel" in response.text
    assert person(app, "dan@example.com") is not None
