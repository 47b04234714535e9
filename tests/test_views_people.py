"""People pages: what only people have (e-mail normalised, owned tools, removal unassigns).

Create, edit, stale edits, delete and roles: test_register_views.py, for every register.
"""

from __future__ import annotations

from flask import Flask

from catalog.models import Person
from catalog.services import entities
from tests.factories import make_person
from tests.factories import make_tool
from tests.factories import seed
from tests.pages import detached
from tests.pages import tool_row
from tests.service_checks import change_keys


def person(app: Flask, email: str) -> Person | None:
    return detached(app, lambda s: entities.person_by_email(s, email))


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
    assert change_keys(app, "person") == [("create", "mia.lund@example.com")]


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


def test_remove_person_unassigns_their_tools(app: Flask, client) -> None:
    def fixture(s):
        p = make_person(s, email="bob@example.com", name="Bob")
        make_tool(
            s,
            slug="looker",
            name="Looker",
            business_owner="bob@example.com",
            technical_owner="bob@example.com",
        )
        return p.id

    pid = seed(app, fixture)
    assert "(business and technical owner)" in client.get(f"/people/{pid}/delete").text
    response = client.post(f"/people/{pid}/delete", data={"version": "1"})
    assert response.status_code == 302
    assert person(app, "bob@example.com") is None
    looker = tool_row(app, "looker")
    assert looker.business_owner_id is None and looker.technical_owner_id is None
    assert change_keys(app, "person")[-1] == ("delete", "bob@example.com")
    assert change_keys(app, "tool")[-1] == ("update", "looker")
    assert "Removed Bob; the tools they owned now need a new owner." in client.get("/people").text


def test_person_who_owns_nothing_says_so(app: Flask, client) -> None:
    pid = seed(app, lambda s: make_person(s, email="dan@example.com", name="Dan").id)
    assert "dan@example.com owns no tools." in client.get(f"/people/{pid}/delete").text
